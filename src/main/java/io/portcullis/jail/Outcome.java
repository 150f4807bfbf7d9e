package io.portcullis.jail;

import java.util.Optional;

/** What a jail did with one failure or success, for its log and counters. */
public record Outcome(Kind kind, String fid, int failures, Optional<BanDecision> ban) {
  public enum Kind {
    /** counted; not yet enough for a ban */
    COUNTED,
    /** this failure made the count reach maxretry */
    BANNED,
    /** the address is on an ignore list */
    IGNORED,
    /** the address logged in successfully within allowtime */
    ALLOWED,
    /** already banned: nothing to do */
    ALREADY_BANNED,
    /** a success line: the address is now allowed */
    SUCCESS
  }

  static Outcome of(Kind kind, String fid, int failures) {
    return new Outcome(kind, fid, failures, Optional.empty());
  }
}
