package io.portcullis.source;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which journal entries a jail follows, in fail2ban's terms: {@code journalmatch} (terms {@code
 * FIELD=value}, {@code +} between alternatives) and the systemd backend's options {@code
 * journalpath} (a directory of journal files), {@code journalfiles} (globs of journal files),
 * {@code journalflags} and {@code namespace}. Without path or files: this machine's journal.
 *
 * @param match the terms of journalmatch, each a separate argument to journalctl
 * @param directory journalpath, or null
 * @param files journalfiles (globs), empty for none
 * @param flags sd_journal_open flags given by journalflags (none given: journalctl's default)
 * @param namespace a journal namespace, or null
 */
public record JournalSpec(
    List<String> match, Path directory, List<String> files, Set<Flag> flags, String namespace) {

  /** The journalflags bits journalctl can express. */
  public enum Flag {
    /** 1: this machine's journals only (journalctl's default). */
    LOCAL_ONLY(1),
    /** 4: the system's journal, not users'. */
    SYSTEM(4),
    /** 8: the current user's journal. */
    CURRENT_USER(8);

    public final int bit;

    Flag(int bit) {
      this.bit = bit;
    }
  }

  public JournalSpec {
    match = List.copyOf(match);
    files = List.copyOf(files);
    flags = Set.copyOf(flags);
    if (directory != null && !files.isEmpty()) {
      throw new IllegalArgumentException("journalpath and journalfiles exclude each other");
    }
  }

  /** Whether the entries come from files named in the config rather than the system's journal. */
  public boolean ownFiles() {
    return directory != null || !files.isEmpty();
  }

  /**
   * The journalctl arguments that select the entries (not the start position): files, flags and the
   * match terms, each a separate argument, never given to a shell.
   */
  List<String> selection(List<Path> expandedFiles) {
    List<String> args = new ArrayList<>();
    if (directory != null) {
      args.add("--directory=" + directory);
    }
    for (Path f : expandedFiles) {
      args.add("--file=" + f);
    }
    if (namespace != null) {
      args.add("--namespace=" + namespace);
    }
    if (flags.contains(Flag.SYSTEM)) {
      args.add("--system");
    }
    if (flags.contains(Flag.CURRENT_USER)) {
      args.add("--user");
    }
    // journal files of another machine (journal-remote) are not "local", and without --merge
    // journalctl --follow keeps to this machine's current boot, which they do not have
    if (ownFiles() || !flags.isEmpty() && !flags.contains(Flag.LOCAL_ONLY)) {
      args.add("--merge");
    }
    args.addAll(match);
    return args;
  }

  /** For check and the start log: what is followed. */
  public String describe() {
    StringBuilder s = new StringBuilder("the journal");
    if (directory != null) {
      s.append(" in ").append(directory);
    } else if (!files.isEmpty()) {
      s.append(" files ").append(String.join(" ", files));
    }
    if (namespace != null) {
      s.append(" (namespace ").append(namespace).append(')');
    }
    s.append(match.isEmpty() ? ", every entry" : ", entries matching " + String.join(" ", match));
    return s.toString();
  }
}
