package io.portcullis.ban;

import io.portcullis.jail.BanDecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the store at start whatever state it is in, so that the server always starts and always
 * protects: a corrupt file is set aside under a timestamped name and a fresh store takes its place;
 * a store that cannot be written (read-only file or file system, a full disk at start, a schema
 * from a newer version) is read if it can be and the server runs on a store in memory. Each case is
 * a problem that names the file, for the log and {@code status}. The bans the kernel holds are not
 * touched here: the firewall's first reconcile adopts those the store does not know.
 */
public final class StoreOpening {
  private StoreOpening() {}

  /**
   * What was opened: the store to write, the bans and unconfirmed unbans read from it, and what was
   * wrong.
   *
   * @param persistent false when the server runs on a store in memory instead of the file
   */
  public record Opened(
      BanStore store,
      List<BanDecision> bans,
      List<BanStore.Lifted> lifted,
      List<String> problems,
      boolean persistent) {
    public Opened {
      bans = List.copyOf(bans);
      lifted = List.copyOf(lifted);
      problems = List.copyOf(problems);
    }

    /** Why writes do not reach a file although one was asked for, or null. */
    public String notDurable() {
      return persistent || problems.isEmpty() ? null : problems.get(problems.size() - 1);
    }
  }

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Opens {@code file} (null: a store in memory, nothing kept across restarts). */
  public static Opened open(Path file, Clock clock) throws SQLException {
    if (file == null) {
      BanStore m = memory();
      return new Opened(m, List.of(), List.of(), List.of(), false);
    }
    try {
      return check(file);
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.CORRUPT) {
        return setAside(file, e, clock);
      }
      return inMemory(file, e);
    }
  }

  /** Opens the file, checks its pages and reads what the server needs from it. */
  private static Opened check(Path file) throws StoreException {
    BanStore s = BanStore.open(file);
    try {
      String check = s.quickCheck();
      if (!check.equals("ok")) {
        throw new StoreException(
            file, StoreException.Kind.CORRUPT, "integrity check: " + check, null);
      }
      return new Opened(s, s.bans(), s.lifted(), List.of(), true);
    } catch (SQLException e) {
      closeQuietly(s);
      throw new StoreException(file, e);
    } catch (StoreException e) {
      closeQuietly(s);
      throw e;
    }
  }

  private static Opened setAside(Path file, StoreException why, Clock clock) throws SQLException {
    // whatever can still be read from it is put back in force (a damaged page elsewhere)
    List<BanDecision> salvaged = new ArrayList<>();
    try (BanStore old = BanStore.openReadOnly(file)) {
      salvaged.addAll(old.bans());
    } catch (StoreException | SQLException | RuntimeException e) {
      // nothing readable: the kernel's elements are adopted instead
    }
    Path aside;
    try {
      aside = moveAside(file, clock);
    } catch (IOException e) {
      return inMemory(
          file,
          new StoreException(
              file,
              StoreException.Kind.CORRUPT,
              why.getCause() == null ? why.getMessage() : why.getCause().getMessage(),
              e),
          "and it cannot be set aside (" + e.getMessage() + ")",
          salvaged);
    }
    try {
      BanStore fresh = BanStore.open(file);
      if (!salvaged.isEmpty()) {
        fresh.inTransaction(
            () -> {
              for (BanDecision b : salvaged) {
                fresh.addBan(b);
              }
            });
      }
      return new Opened(
          fresh,
          salvaged,
          List.of(),
          List.of(
              "the store "
                  + file
                  + " was corrupt ("
                  + detail(why)
                  + "): set aside as "
                  + aside
                  + "; a fresh store is in use ("
                  + salvaged.size()
                  + " ban(s) read from the old one; the bans in the kernel are kept)"),
          true);
    } catch (StoreException e) {
      return inMemory(file, e, "after the corrupt one was set aside as " + aside, salvaged);
    }
  }

  /** Renames the file and its WAL and shared-memory files to {@code NAME.corrupt-STAMP[-wal]}. */
  static Path moveAside(Path file, Clock clock) throws IOException {
    String base = file.getFileName() + ".corrupt-" + STAMP.format(clock.instant());
    Path aside = file.resolveSibling(base);
    for (int i = 2; Files.exists(aside); i++) {
      aside = file.resolveSibling(base + "-" + i);
    }
    Files.move(file, aside);
    for (String suffix : List.of("-wal", "-shm", "-journal")) {
      Path side = file.resolveSibling(file.getFileName() + suffix);
      if (Files.exists(side)) {
        Files.move(side, aside.resolveSibling(aside.getFileName() + suffix));
      }
    }
    return aside;
  }

  private static Opened inMemory(Path file, StoreException why) throws SQLException {
    List<BanDecision> read = new ArrayList<>();
    if (Files.exists(file)) {
      try (BanStore old = BanStore.openReadOnly(file)) {
        read.addAll(old.bans());
      } catch (StoreException | SQLException | RuntimeException e) {
        // not even readable: the kernel's elements are adopted instead
      }
    }
    return inMemory(file, why, null, read);
  }

  private static Opened inMemory(Path file, StoreException why, String more, List<BanDecision> read)
      throws SQLException {
    BanStore m = memory();
    m.inTransaction(
        () -> {
          for (BanDecision b : read) {
            m.addBan(b);
          }
        });
    return new Opened(
        m,
        read,
        List.of(),
        List.of(
            "the store "
                + file
                + " cannot be used ("
                + why.kind().words()
                + ": "
                + detail(why)
                + (more == null ? "" : "; " + more)
                + "): bans are kept in memory only, and in the kernel, until the server is"
                + " restarted with a usable store ("
                + read.size()
                + " ban(s) read from it)"),
        false);
  }

  private static String detail(StoreException e) {
    return e.getCause() != null && e.getCause().getMessage() != null
        ? e.getCause().getMessage()
        : e.getMessage();
  }

  private static BanStore memory() throws SQLException {
    try {
      return BanStore.open(Path.of(":memory:"));
    } catch (StoreException e) {
      throw new SQLException("cannot open a store in memory: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(BanStore s) {
    try {
      s.close();
    } catch (SQLException ignored) {
      // closing a store that failed: nothing more to learn
    }
  }
}
