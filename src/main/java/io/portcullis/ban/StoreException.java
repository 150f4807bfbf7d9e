package io.portcullis.ban;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The store cannot be used, and why, in words a person reads: the file, what is wrong with it and
 * what the server does about it. The kind comes from SQLite's result code, never from the text of a
 * message.
 */
public final class StoreException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the store. */
  public enum Kind {
    /** The disk (or the file system's quota) is full: writes wait for space. */
    DISK_FULL("disk full"),
    /** The file, its directory or its file system cannot be written. */
    READ_ONLY("read-only"),
    /** The file is not a SQLite database, or a page of it is damaged. */
    CORRUPT("corrupt"),
    /** Another connection holds the lock for longer than the busy timeout. */
    BUSY("locked by another process"),
    /** Anything else (an I/O error, a schema from a newer version ...). */
    OTHER("cannot be used");

    private final String words;

    Kind(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }
  }

  private final Path file;
  private final Kind kind;

  public StoreException(Path file, Kind kind, String detail, Throwable cause) {
    super(kind.words() + ": " + file + " (" + detail + ")", cause);
    this.file = file;
    this.kind = kind;
  }

  public StoreException(Path file, SQLException e) {
    this(file, kindOf(e), e.getMessage(), e);
  }

  public Path file() {
    return file;
  }

  public Kind kind() {
    return kind;
  }

  /** SQLite's primary result code (the low byte of an extended one) as a kind. */
  static Kind kindOf(SQLException e) {
    return switch (e.getErrorCode() & 0xff) {
      case 13 -> Kind.DISK_FULL; // SQLITE_FULL
      case 8, 3, 14 -> Kind.READ_ONLY; // SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN
      case 11, 26 -> Kind.CORRUPT; // SQLITE_CORRUPT, SQLITE_NOTADB
      case 5, 6 -> Kind.BUSY; // SQLITE_BUSY, SQLITE_LOCKED
      default -> Kind.OTHER;
    };
  }
}
