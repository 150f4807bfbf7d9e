package io.portcullis.geo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows the country database file: when its modification time or size changed since the last look
 * ({@link #check}, on a timer), reads it again and hands each jail's rule its new networks ({@link
 * Target#apply}: the firewall swaps its sets in one transaction). A file that cannot be read keeps
 * the networks in force: said once in the log and in each jail's problems until a good file comes.
 */
public final class CountryWatch {
  /** Where a jail's new networks go, and where its problem (null: none) is shown. */
  public interface Target {
    String jail();

    CountryRule rule();

    /** Puts the networks in the kernel. */
    void apply(CountryShield shield) throws IOException;

    /** The database problem of the jail now, or null once it is gone. */
    void problem(String problem);
  }

  private final Path file;
  private final List<Target> targets;
  private final Consumer<String> notices;
  private final Consumer<String> errors;
  private CountryDatabases.Version seen;
  private String problem;

  /**
   * @param seen the version of the file the jails' networks came from (at start or reload)
   */
  public CountryWatch(
      Path file,
      CountryDatabases.Version seen,
      List<Target> targets,
      Consumer<String> notices,
      Consumer<String> errors) {
    this.file = file;
    this.seen = seen;
    this.targets = List.copyOf(targets);
    this.notices = notices;
    this.errors = errors;
  }

  /**
   * Reads the file again if it changed since the last look, and swaps every jail's networks.
   *
   * @return true when new networks were put in force
   */
  public synchronized boolean check() {
    CountryDatabases.Version now = CountryDatabases.Version.of(file);
    if (now != null && now.equals(seen)) {
      return false;
    }
    if (now == null && problem != null) {
      return false; // still missing: said already
    }
    seen = now;
    long began = System.nanoTime();
    CountryDatabase db;
    try {
      db = CountryDatabase.load(file);
    } catch (CountryDatabase.DatabaseException e) {
      report(
          "countrydb changed and cannot be used, the networks read before stay in force: "
              + e.getMessage());
      return false;
    }
    boolean all = true;
    for (Target t : targets) {
      CountryShield shield = CountryShield.of(t.rule(), db);
      try {
        t.apply(shield);
      } catch (IOException | RuntimeException e) {
        all = false;
        t.problem("countries: new networks from " + file + " not applied: " + e.getMessage());
        errors.accept(
            "[" + t.jail() + "] countries: new networks from " + file + " not applied: " + e);
        continue;
      }
      t.problem(null);
      notices.accept(
          "["
              + t.jail()
              + "] countries "
              + shield
              + ": swapped in from the changed "
              + file
              + " ("
              + (System.nanoTime() - began) / 1_000_000
              + " ms)");
    }
    problem = null;
    return all;
  }

  private void report(String message) {
    if (!message.equals(problem)) {
      errors.accept(message);
    }
    problem = message;
    for (Target t : targets) {
      t.problem(message);
    }
  }
}
