package io.portcullis.plan;

import io.portcullis.config.Backend;
import io.portcullis.config.ConfigException;
import io.portcullis.config.JailDefinition;
import io.portcullis.source.JournalSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Chooses a jail's source from its backend, log paths and the machine: {@code systemd} is the
 * journal; {@code pyinotify} and {@code polling} are the files; {@code auto} is the files unless
 * none of them exists and the filter has a {@code journalmatch} (and {@code systemd_if_nologs} is
 * not turned off): then the journal, as fail2ban 1.1.1 does on a Debian 12 without rsyslog.
 */
final class Sources {
  private static final Set<String> JOURNAL_OPTIONS =
      Set.of("journalpath", "journalfiles", "journalflags", "namespace", "rotated");
  private static final Pattern FIELD = Pattern.compile("[A-Z0-9_]+=.*");
  private static final Duration INOTIFY_POLL = Duration.ofMillis(500);
  private static final Duration POLL = Duration.ofSeconds(1);

  private Sources() {}

  static SourcePlan of(JailDefinition d, Host host) {
    Backend b = d.backend();
    if (b != Backend.SYSTEMD && !d.backendOptions().isEmpty()) {
      throw new ConfigException(
          d.origin("backend"),
          "backend: "
              + b.configName()
              + " takes no options (got "
              + String.join(", ", d.backendOptions().keySet())
              + "); only systemd[...] does");
    }
    List<String> globs = new ArrayList<>();
    for (String p : d.logpaths()) {
      // fail2ban's "logpath = FILE tail|head": where to start a new file; Portcullis starts
      // every new file a little before its end
      globs.add(p.replaceFirst("\\s+(head|tail)$", ""));
    }
    if (b == Backend.SYSTEMD) {
      return journal(d, host, "backend systemd");
    }
    List<String> match = d.filter() == null ? List.of() : d.filter().journalmatch();
    boolean noFile = globs.stream().noneMatch(host::anyFile);
    if (b == Backend.AUTO && noFile && d.systemdIfNologs() && !match.isEmpty()) {
      if (!host.program("journalctl")) {
        return files(d, globs, b, "no file yet, and no journalctl to read the journal with");
      }
      String why =
          globs.isEmpty()
              ? "backend auto: no logpath, so the journal"
              : "backend auto: no file for " + String.join(" ", globs) + ", so the journal";
      return journal(d, host, why);
    }
    return files(d, globs, b, noFile ? "no file yet: read from when one appears" : null);
  }

  private static SourcePlan files(JailDefinition d, List<String> globs, Backend b, String note) {
    if (globs.isEmpty()) {
      throw new ConfigException(
          d.origin("enabled"),
          "jail '" + d.name() + "' has no logpath (and backend is not systemd)");
    }
    boolean inotify = b != Backend.POLLING;
    String why =
        "backend "
            + b.configName()
            + ": "
            + (inotify ? "inotify" : "polling every 1s")
            + (note == null ? "" : "; " + note);
    return new SourcePlan.Files(globs, inotify, inotify ? INOTIFY_POLL : POLL, why);
  }

  private static SourcePlan journal(JailDefinition d, Host host, String why) {
    Map<String, String> o = d.backendOptions();
    for (String k : o.keySet()) {
      if (!JOURNAL_OPTIONS.contains(k)) {
        throw new ConfigException(
            d.origin("backend"),
            "backend: systemd has no option '"
                + k
                + "' (try journalpath, journalfiles, journalflags, namespace)");
      }
    }
    if (!host.program("journalctl")) {
      throw new ConfigException(
          d.origin("backend"),
          "backend systemd needs journalctl, which is not on the PATH (apt-get install systemd)");
    }
    Path dir = blank(o.get("journalpath")) ? null : Path.of(o.get("journalpath").strip());
    List<String> files = blank(o.get("journalfiles")) ? List.of() : words(o.get("journalfiles"));
    if (dir != null && !files.isEmpty()) {
      throw new ConfigException(
          d.origin("backend"), "backend: journalpath and journalfiles exclude each other");
    }
    Set<JournalSpec.Flag> flags = flags(d, o.get("journalflags"));
    String namespace = blank(o.get("namespace")) ? null : o.get("namespace").strip();
    return new SourcePlan.Journal(new JournalSpec(match(d), dir, files, flags, namespace), why);
  }

  /** journalflags: the sd_journal_open bits journalctl can express (1, 4, 8). */
  private static Set<JournalSpec.Flag> flags(JailDefinition d, String text) {
    if (blank(text)) {
      return Set.of();
    }
    int bits;
    try {
      bits = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      bits = -1;
    }
    Set<JournalSpec.Flag> out = EnumSet.noneOf(JournalSpec.Flag.class);
    int rest = bits;
    for (JournalSpec.Flag f : JournalSpec.Flag.values()) {
      if (bits >= 0 && (bits & f.bit) != 0) {
        out.add(f);
        rest &= ~f.bit;
      }
    }
    if (bits < 0 || rest != 0) {
      throw new ConfigException(
          d.origin("backend"),
          "journalflags: '"
              + text
              + "' is not valid (a sum of 1 local only, 4 system, 8 current user; other flags"
              + " cannot be given to journalctl: use journalpath for /run/log/journal)");
    }
    return out;
  }

  /** The filter's (or the jail's) journalmatch, split like a shell would, each term checked. */
  private static List<String> match(JailDefinition d) {
    List<String> terms = new ArrayList<>();
    List<String> lines = d.filter() == null ? List.of() : d.filter().journalmatch();
    for (String line : lines) {
      for (String t : words(line)) {
        if (!t.equals("+") && !FIELD.matcher(t).matches()) {
          throw new ConfigException(
              d.origin(d.origins().containsKey("journalmatch") ? "journalmatch" : "filter"),
              "journalmatch: '"
                  + t
                  + "' is not FIELD=value or + (try _SYSTEMD_UNIT=ssh.service + _COMM=sshd)");
        }
        terms.add(t);
      }
    }
    return terms;
  }

  /** Splits at white space outside single or double quotes, which are removed. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          cur.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        any = true;
      } else if (Character.isWhitespace(c)) {
        if (any || cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
          any = false;
        }
      } else {
        cur.append(c);
      }
    }
    if (any || cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private static boolean blank(String v) {
    return v == null || v.isBlank();
  }
}
