package io.portcullis.ban;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * Something that happened to an address (a failure id) in a jail: what {@code portcullis why}
 * tells, kept in the store until {@code dbpurgeage}. The time is the event's own: a failure's is
 * the log line's.
 */
public sealed interface AddressEvent {
  Instant time();

  String jail();

  /** The failure id: the canonical address, or the text of a filter's {@code <F-ID>}. */
  String fid();

  /** The address, or null when the failure id is not one. */
  IpAddress ip();

  /** Which of the four this is (for counting and for the store's column). */
  default Kind kind() {
    if (this instanceof Failure) {
      return Kind.FAILURE;
    }
    if (this instanceof Ban) {
      return Kind.BAN;
    }
    return this instanceof Unban ? Kind.UNBAN : Kind.ALLOW;
  }

  /** The kinds of event, as the store and the API name them. */
  enum Kind {
    FAILURE,
    BAN,
    UNBAN,
    ALLOW;

    /** The lower-case name the store and the API use. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A failure the jail counted: the {@code count}-th within findtime. */
  record Failure(Instant time, String jail, String fid, IpAddress ip, int count, Evidence evidence)
      implements AddressEvent {}

  /**
   * A ban; {@code failures} 0 for a ban by command. In the store a ban takes the failures that led
   * to it (the last {@code failures} of its id not taken by an earlier ban) as its evidence.
   *
   * @param bantime negative for ever
   */
  record Ban(
      Instant time,
      String jail,
      String fid,
      IpAddress ip,
      Duration bantime,
      int bancount,
      int failures)
      implements AddressEvent {}

  /** A ban lifted: its time ran out, or by command. */
  record Unban(Instant time, String jail, String fid, IpAddress ip, Reason reason)
      implements AddressEvent {}

  /**
   * An address allowed until a time: after a successful login ({@code evidence}: its line), or by
   * command (no evidence).
   */
  record Allow(
      Instant time, String jail, String fid, IpAddress ip, Instant until, Evidence evidence)
      implements AddressEvent {}

  /** Why a ban was lifted. */
  enum Reason {
    ENDED,
    BY_COMMAND
  }
}
