package io.portcullis.jail;

import java.util.List;
import java.util.Optional;

/**
 * What a jail did with one failure or success, for its log and counters.
 *
 * @param failures COUNTED and BANNED: the address's failures within findtime; ALLOWED: its failures
 *     while trusted (allowfailures withdraws the trust)
 * @param cause BANNED: what made the ban; else null
 * @param notices what else the line led to (an account under attack, trust granted or refused)
 */
public record Outcome(
    Kind kind,
    String fid,
    int failures,
    Optional<BanDecision> ban,
    Cause cause,
    List<Notice> notices) {
  public enum Kind {
    /** counted; not yet enough for a ban */
    COUNTED,
    /** this failure made the count reach maxretry */
    BANNED,
    /** the address is on an ignore list */
    IGNORED,
    /** the address is trusted (a login, a registration, the admin) */
    ALLOWED,
    /** already banned: nothing to do */
    ALREADY_BANNED,
    /** a success line (whether it earned trust: {@link #notices}) */
    SUCCESS,
    /**
     * another line of an attempt already counted
     * (docs/filters/asterisk.md#counting-an-attempt-once)
     */
    PAIRED
  }

  /** What made a ban. */
  public enum Cause {
    /** maxretry failures within findtime */
    MAXRETRY,
    /** a failure on an account under attack */
    ACCOUNT_UNDER_ATTACK,
    /** failures on more than maxusers user names within findtime */
    ENUMERATION,
    /** a trusted address failed allowfailures times */
    TRUST_WITHDRAWN
  }

  public Outcome {
    notices = List.copyOf(notices);
  }

  /** An outcome without cause or notices (a ban: by maxretry). */
  public Outcome(Kind kind, String fid, int failures, Optional<BanDecision> ban) {
    this(kind, fid, failures, ban, kind == Kind.BANNED ? Cause.MAXRETRY : null, List.of());
  }

  static Outcome of(Kind kind, String fid, int failures) {
    return new Outcome(kind, fid, failures, Optional.empty());
  }

  Outcome with(List<Notice> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<Notice> all = new java.util.ArrayList<>(notices);
    all.addAll(more);
    return new Outcome(kind, fid, failures, ban, cause, all);
  }
}
