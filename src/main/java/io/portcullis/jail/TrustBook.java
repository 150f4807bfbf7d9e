package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses a jail trusts and why: logins, registrations, the admin. Each grant has an end and
 * a scope (a service key, or the whole jail); the failures an address makes while trusted are kept
 * (their times within findtime) so that {@code allowfailures} of them withdraw every grant but the
 * admin's. Not thread-safe.
 */
final class TrustBook {
  private static final class Grant {
    final TrustReason reason;
    Instant until;
    final String service;
    String account;
    final String source;

    Grant(TrustReason reason, Instant until, String service, String account, String source) {
      this.reason = reason;
      this.until = until;
      this.service = service;
      this.account = account;
      this.source = source;
    }

    boolean covers(String failureService) {
      return reason == TrustReason.COMMAND || service == null || service.equals(failureService);
    }
  }

  private static final class Entry {
    final List<Grant> grants = new ArrayList<>(1);
    long[] failures;
    int start;
    int size;

    void expire(Instant t) {
      grants.removeIf(g -> !g.until.isAfter(t));
    }

    int failed(long time, long window, int max) {
      if (failures == null) {
        failures = new long[Math.max(1, max)];
      }
      long limit = time - window;
      while (size > 0 && failures[start] <= limit) {
        start = (start + 1) % failures.length;
        size--;
      }
      int at = (start + size) % failures.length;
      if (size == failures.length) {
        start = (start + 1) % failures.length;
      } else {
        size++;
      }
      failures[at] = time;
      return size;
    }
  }

  private final Map<IpAddress, Entry> entries = new LinkedHashMap<>();

  /**
   * The grant that covers a failure of {@code service} (null: unknown) from {@code ip} at {@code
   * t}: the admin's first, else the one that lasts longest; null when none does.
   */
  TrustReason covering(IpAddress ip, String service, Instant t) {
    Entry e = live(ip, t);
    if (e == null) {
      return null;
    }
    Grant best = null;
    for (Grant g : e.grants) {
      if (!g.covers(service)) {
        continue;
      }
      if (g.reason == TrustReason.COMMAND) {
        return TrustReason.COMMAND;
      }
      if (best == null || g.until.isAfter(best.until)) {
        best = g;
      }
    }
    return best == null ? null : best.reason;
  }

  /** Whether any grant trusts {@code ip} at {@code t}. */
  boolean trusted(IpAddress ip, Instant t) {
    return live(ip, t) != null;
  }

  /**
   * Grants trust. A login renews the login grant of its service (never shortening it); a
   * registration replaces the one of its source; the admin's replaces the admin's.
   */
  void grant(
      IpAddress ip,
      TrustReason reason,
      Instant until,
      String service,
      String account,
      String source) {
    Entry e = entries.computeIfAbsent(ip, k -> new Entry());
    for (Grant g : e.grants) {
      boolean same =
          g.reason == reason
              && switch (reason) {
                case LOGIN -> java.util.Objects.equals(g.service, service);
                case REGISTERED -> g.source.equals(source);
                case COMMAND -> true;
              };
      if (same) {
        g.until = reason == TrustReason.LOGIN && g.until.isAfter(until) ? g.until : until;
        if (account != null) {
          g.account = account;
        }
        return;
      }
    }
    e.grants.add(new Grant(reason, until, service, account, source));
  }

  /** Notes a failure of a trusted address; returns its failures within {@code window}. */
  int failed(IpAddress ip, long timeMillis, long window, int max) {
    Entry e = entries.get(ip);
    return e == null ? 0 : e.failed(timeMillis, window, max);
  }

  /** Withdraws every grant but the admin's (a trusted address that started guessing). */
  void withdraw(IpAddress ip) {
    Entry e = entries.get(ip);
    if (e == null) {
      return;
    }
    e.grants.removeIf(g -> g.reason != TrustReason.COMMAND);
    if (e.grants.isEmpty()) {
      entries.remove(ip);
    }
  }

  /** Removes every grant of an address (the admin's {@code delallow}); whether there was one. */
  boolean remove(IpAddress ip) {
    return entries.remove(ip) != null;
  }

  /**
   * The registrations {@code source} reports now: new ones are granted, renewed ones extended, and
   * those it no longer reports lose their grant. Returns the addresses newly trusted.
   */
  List<Registration> registrations(
      String source, List<Registration> now, java.util.function.Predicate<IpAddress> eligible) {
    Map<IpAddress, Registration> current = new LinkedHashMap<>();
    for (Registration r : now) {
      Registration had = current.get(r.ip());
      if (had == null || r.until().isAfter(had.until())) {
        current.put(r.ip(), r);
      }
    }
    Iterator<Map.Entry<IpAddress, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<IpAddress, Entry> e = it.next();
      if (!current.containsKey(e.getKey())) {
        e.getValue()
            .grants
            .removeIf(g -> g.reason == TrustReason.REGISTERED && g.source.equals(source));
        if (e.getValue().grants.isEmpty()) {
          it.remove();
        }
      }
    }
    List<Registration> added = new ArrayList<>();
    for (Registration r : current.values()) {
      if (!eligible.test(r.ip())) {
        continue;
      }
      Entry e = entries.get(r.ip());
      boolean had =
          e != null
              && e.grants.stream()
                  .anyMatch(g -> g.reason == TrustReason.REGISTERED && g.source.equals(source));
      grant(r.ip(), TrustReason.REGISTERED, r.until(), r.service(), r.account(), source);
      if (!had) {
        added.add(r);
      }
    }
    return added;
  }

  /** Every grant in force at {@code t}, with the failures since. */
  List<Trusted> list(Instant t, long window) {
    List<Trusted> out = new ArrayList<>();
    Iterator<Map.Entry<IpAddress, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<IpAddress, Entry> me = it.next();
      Entry e = me.getValue();
      e.expire(t);
      if (e.grants.isEmpty()) {
        it.remove();
        continue;
      }
      int failures = 0;
      if (e.failures != null) {
        long limit = t.toEpochMilli() - window;
        for (int i = 0; i < e.size; i++) {
          if (e.failures[(e.start + i) % e.failures.length] > limit) {
            failures++;
          }
        }
      }
      for (Grant g : e.grants) {
        out.add(
            new Trusted(me.getKey(), g.reason, g.until, g.service, g.account, g.source, failures));
      }
    }
    return out;
  }

  /** The addresses trusted at {@code t}, each with the end of its longest grant. */
  Map<IpAddress, Instant> until(Instant t) {
    Map<IpAddress, Instant> out = new LinkedHashMap<>();
    for (Trusted g : list(t, 0)) {
      out.merge(g.ip(), g.until(), (a, b) -> a.isAfter(b) ? a : b);
    }
    return out;
  }

  private Entry live(IpAddress ip, Instant t) {
    Entry e = entries.get(ip);
    if (e == null) {
      return null;
    }
    e.expire(t);
    if (e.grants.isEmpty()) {
      entries.remove(ip);
      return null;
    }
    return e;
  }
}
