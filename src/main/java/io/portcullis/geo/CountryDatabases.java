package io.portcullis.geo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Loads a country database once per version of the file: the same path with the same modification
 * time and size gives the database already walked (a reload or {@code check} of an unchanged file
 * costs nothing), a changed file is read again. Thread-safe.
 */
public final class CountryDatabases {
  private static final CountryDatabases SHARED = new CountryDatabases();

  /**
   * The process's one cache: the jails' rules, {@code why}, {@code banned} and the mail action read
   * one walk of the file (a full GeoLite2-Country takes seconds and tens of megabytes).
   */
  public static CountryDatabases shared() {
    return SHARED;
  }

  private Path path;
  private Version version;
  private CountryDatabase loaded;

  /** A file's modification time and size, or null when it cannot be read. */
  public record Version(long modified, long size) {
    public static Version of(Path file) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new Version(a.lastModifiedTime().toMillis(), a.size());
      } catch (IOException e) {
        return null;
      }
    }
  }

  /**
   * The database in {@code file}, read again only when the file changed since the last call.
   *
   * @throws CountryDatabase.DatabaseException naming the file and what is wrong
   */
  public synchronized CountryDatabase load(Path file) throws CountryDatabase.DatabaseException {
    Version now = Version.of(file);
    if (loaded != null && file.equals(path) && now != null && now.equals(version)) {
      return loaded;
    }
    CountryDatabase db = CountryDatabase.load(file);
    path = file;
    version = now;
    loaded = db;
    return db;
  }
}
