package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The state behind {@link Guards}: the attempts being paired, the trust book, the accounts and the
 * user names per address. {@link Jail} calls it at three points of a failure (pair, trust, account)
 * and at each login; the counting per address stays the jail's. Not thread-safe.
 */
final class Guard {
  final Pairing pairing;
  final TrustBook trust = new TrustBook();
  final AccountWatch accounts;
  final Enumeration enumeration;

  /**
   * {@code maxtrackedmemory}: the jail's cap on its failures; the attempts being paired, the
   * accounts and the user names per address may take an eighth as much again each (estimated), so
   * that a flood of distinct addresses or names is bounded like the failures are. An eighth for
   * pairing keeps the attempts of the ~16,000 most recently failing addresses (a line pairs within
   * 2 s); a quarter held 34,000 and kept ~9 MB more resident with 100,000 addresses tracked
   * (bench/daemon.sh (c)), memory that only matters for two logs read minutes apart.
   */
  Guard(long maxtrackedmemory) {
    pairing = new Pairing(pairingBytes(maxtrackedmemory));
    accounts = new AccountWatch(maxtrackedmemory / 8);
    enumeration = new Enumeration(maxtrackedmemory / 8);
  }

  void maxBytes(long maxtrackedmemory) {
    pairing.maxBytes(pairingBytes(maxtrackedmemory));
    accounts.maxBytes(maxtrackedmemory / 8);
    enumeration.maxBytes(maxtrackedmemory / 8);
  }

  private static long pairingBytes(long maxtrackedmemory) {
    return maxtrackedmemory / 8;
  }

  /**
   * Addresses and accounts whose pairing, user-name or account state was dropped, least recently
   * failing first, to stay within those caps.
   */
  long dropped() {
    return pairing.dropped() + accounts.forgotten() + enumeration.dropped();
  }

  /** What that state takes now (estimated bytes). */
  long bytes() {
    return pairing.bytes() + accounts.bytes() + enumeration.bytes();
  }

  /** What trust made of a failure. */
  enum TrustStep {
    /** the address is not trusted for this failure: count it */
    NONE,
    /** trusted: not counted */
    ALLOWED,
    /** trusted, and this failure withdrew the trust: ban */
    WITHDRAWN
  }

  /** The result of {@link #trust}: the step and the failures while trusted. */
  record TrustResult(TrustStep step, int failures) {}

  /** The attempt a failure belongs to (null: an attempt of its own). */
  Pairing.Attempt pair(String fid, String service, int regex, int port, Instant t, Duration keep) {
    return pairing.on(fid, service, regex, port, t.toEpochMilli(), keep.toMillis());
  }

  /**
   * Whether trust covers a failure; a covered failure of a new attempt counts towards allowfailures
   * (not the admin's grants, which no failure withdraws).
   */
  TrustResult trust(IpAddress ip, String service, boolean fresh, Instant t, JailSettings s) {
    TrustReason r = trust.covering(ip, service, t);
    if (r == null) {
      return new TrustResult(TrustStep.NONE, 0);
    }
    if (!fresh || r == TrustReason.COMMAND || s.guards().allowfailures() == 0) {
      return new TrustResult(TrustStep.ALLOWED, 0);
    }
    int n = trust.failed(ip, t.toEpochMilli(), s.findtime().toMillis(), s.guards().allowfailures());
    if (n >= s.guards().allowfailures()) {
      trust.withdraw(ip);
      return new TrustResult(TrustStep.WITHDRAWN, n);
    }
    return new TrustResult(TrustStep.ALLOWED, n);
  }

  /**
   * Counts a failure on its account and its user name, once per attempt; returns what bans at once
   * (an account under attack, enumeration) or null, and adds the alert of an account that just went
   * under attack to {@code notices}.
   */
  Outcome.Cause accounts(
      String jail,
      String fid,
      Pairing.Attempt attempt,
      Account account,
      Instant t,
      JailSettings s,
      List<Notice> notices) {
    if (account == null || (attempt != null && !attempt.firstUser())) {
      return null;
    }
    Guards g = s.guards();
    long now = t.toEpochMilli();
    Outcome.Cause cause = null;
    if (g.watchesAccounts()) {
      AccountWatch.Result r = accounts.failed(account, fid, now, g);
      if (r == AccountWatch.Result.CROSSED) {
        notices.add(
            new AccountAlert(
                jail,
                account,
                t,
                accounts.lastAttackFailures(),
                accounts.lastAttackAddresses(),
                g.accountfindtime(),
                Instant.ofEpochMilli(accounts.lastAttackUntil())));
      }
      if (r != AccountWatch.Result.COUNTED) {
        cause = Outcome.Cause.ACCOUNT_UNDER_ATTACK;
      }
    }
    if (g.maxusers() > 0
        && enumeration.failed(fid, account.user(), now, s.findtime().toMillis(), g.maxusers())
            > g.maxusers()
        && cause == null) {
      cause = Outcome.Cause.ENUMERATION;
    }
    return cause;
  }

  /**
   * A login from {@code ip} on {@code account}: the trust it earns (allowtime, or accountallowtime
   * when its account is under attack and the address was not trusted before), or none. Returns the
   * notices to tell; the grant is made here.
   */
  List<Notice> login(
      IpAddress ip,
      String service,
      Account account,
      Instant t,
      JailSettings s,
      Predicate<IpAddress> banned) {
    List<Notice> out = new ArrayList<>(1);
    if (s.allowtime().isZero() || banned.test(ip)) {
      return out;
    }
    Duration d = s.allowtime();
    boolean brief = false;
    Instant attack = account == null ? null : accounts.underAttack(account, t.toEpochMilli());
    if (attack != null && !trust.trusted(ip, t)) {
      Duration a = s.guards().accountallowtime();
      if (a.isZero()) {
        out.add(new Notice.TrustRefused(ip, account, attack));
        return out;
      }
      brief = a.compareTo(d) < 0;
      d = brief ? a : d;
    }
    Instant until = t.plus(d);
    trust.grant(
        ip,
        TrustReason.LOGIN,
        until,
        service,
        account == null ? null : account.user(),
        "login" + (account == null ? "" : " as " + account.user()));
    out.add(new Notice.TrustGranted(ip, until, service, account, brief));
    return out;
  }

  /** Forgets what is kept of an address that logged in or was banned. */
  void forget(String fid) {
    pairing.forget(fid);
    enumeration.forget(fid);
  }
}
