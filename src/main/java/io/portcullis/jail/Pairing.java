package io.portcullis.jail;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One login attempt that a program writes as several lines (Asterisk: a NOTICE in {@code messages}
 * and a security event in {@code security}) counted once: the rule of
 * docs/filters/asterisk.md#counting-an-attempt-once. Per address and service key it keeps the
 * attempts seen lately; a line joins the oldest attempt within {@link #WINDOW} of line time that
 * has no line of the same failregex yet and the same source port when both carry one, else it
 * starts an attempt of its own. A line without a service key is always an attempt of its own.
 *
 * <p>Attempts are kept for a retention (the jail's findtime) of line time, so that two files read
 * at different paces (two tailers; a restart reading a backlog) still pair. The state is bounded:
 * it counts the bytes it holds (an estimate of its objects) and past {@code maxBytes} forgets the
 * addresses that failed least recently, and counts them ({@link #dropped}): a flood of distinct
 * addresses costs a few hundred bytes each only up to that cap. Not thread-safe.
 */
final class Pairing {
  /** Asterisk writes the lines of one attempt within milliseconds; two seconds leaves room. */
  static final long WINDOW = 2_000;

  private static final int SWEEP_MIN = 1024;

  /** An attempt as the jail sees it: new or joined, and whether it named an account already. */
  static final class Attempt {
    private final long time;
    private long regexes;
    private int port;
    boolean fresh;
    private boolean user;

    private Attempt(long time, int regex, int port) {
      this.time = time;
      this.regexes = bit(regex);
      this.port = port;
      this.fresh = true;
    }

    /** True the first time a line of this attempt names an account (count it once). */
    boolean firstUser() {
      if (user) {
        return false;
      }
      user = true;
      return true;
    }
  }

  private static final class Attempts {
    final String service;
    Attempt[] list = new Attempt[2];
    int size;

    Attempts(String service) {
      this.service = service;
    }
  }

  /** An address's attempts, per service (an address seldom fails on more than one). */
  private static final class Slot {
    Attempts[] services = new Attempts[1];
    long newest;
    int bytes;

    Attempts of(String service) {
      for (int i = 0; i < services.length; i++) {
        if (services[i] == null) {
          return services[i] = new Attempts(service);
        }
        if (services[i].service.equals(service)) {
          return services[i];
        }
      }
      services = java.util.Arrays.copyOf(services, services.length + 1);
      return services[services.length - 1] = new Attempts(service);
    }
  }

  /** Least recently failing first. */
  private final Map<String, Slot> byFid = new LinkedHashMap<>(16, 0.75f, /* accessOrder= */ true);

  private long latest = Long.MIN_VALUE;
  private int sweepAt = SWEEP_MIN;
  private long maxBytes;
  private long bytes;
  private long dropped;

  /** {@code maxBytes}: what the attempts may take (estimated); the least recent go past it. */
  Pairing(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  void maxBytes(long max) {
    this.maxBytes = max;
  }

  /**
   * The attempt a failure line belongs to, or null when it has no service key (an attempt of its
   * own).
   *
   * @param port the source port the line names, or -1
   * @param retention how long (line time) attempts are kept: the jail's findtime
   */
  Attempt on(String fid, String service, int regex, int port, long timeMillis, long retention) {
    if (service == null) {
      return null;
    }
    Attempt a = attempt(fid, service, regex, port, timeMillis, retention);
    Slot slot = byFid.get(fid);
    int before = slot.bytes;
    slot.bytes = Sizes.entry(fid) + slotBytes(slot);
    bytes += slot.bytes - before;
    trim(slot);
    return a;
  }

  private Attempt attempt(
      String fid, String service, int regex, int port, long timeMillis, long retention) {
    latest = Math.max(latest, timeMillis);
    Slot slot = byFid.get(fid);
    if (slot == null) {
      slot = new Slot();
      slot.newest = timeMillis;
      byFid.put(fid, slot);
      if (byFid.size() >= sweepAt) {
        sweep(retention);
        byFid.put(fid, slot);
      }
    }
    slot.newest = Math.max(slot.newest, timeMillis);
    Attempts a = slot.of(service);
    prune(a, latest - retention);
    for (int i = 0; i < a.size; i++) {
      Attempt t = a.list[i];
      if (Math.abs(timeMillis - t.time) <= WINDOW
          && (t.regexes & bit(regex)) == 0
          && (port < 0 || t.port < 0 || t.port == port)) {
        t.regexes |= bit(regex);
        if (t.port < 0) {
          t.port = port;
        }
        t.fresh = false;
        return t;
      }
    }
    Attempt t = new Attempt(timeMillis, regex, port);
    if (a.size == a.list.length) {
      a.list = java.util.Arrays.copyOf(a.list, a.size * 2);
    }
    // kept in order of time, so "the oldest that fits" is the first that fits
    int at = a.size;
    while (at > 0 && a.list[at - 1].time > timeMillis) {
      a.list[at] = a.list[at - 1];
      at--;
    }
    a.list[at] = t;
    a.size++;
    return t;
  }

  /** Forgets an address's attempts (it logged in, or was banned). */
  void forget(String fid) {
    Slot s = byFid.remove(fid);
    if (s != null) {
      bytes -= s.bytes;
    }
  }

  /** Addresses whose attempts were forgotten, least recent first, to stay within maxBytes. */
  long dropped() {
    return dropped;
  }

  /** What the attempts take now (estimated bytes). */
  long bytes() {
    return bytes;
  }

  /** Drops the least recently failing addresses while over the cap (never {@code keep}). */
  private void trim(Slot keep) {
    Iterator<Slot> it = byFid.values().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Slot s = it.next();
      if (s == keep) {
        break;
      }
      it.remove();
      bytes -= s.bytes;
      dropped++;
    }
  }

  private static int slotBytes(Slot s) {
    int n = Sizes.OBJECT + Sizes.array(s.services.length);
    for (Attempts a : s.services) {
      if (a != null) {
        n += Sizes.OBJECT + Sizes.array(a.list.length) + a.size * (Sizes.OBJECT + 16);
      }
    }
    return n;
  }

  /** How many addresses hold attempts (for tests and memory figures). */
  int tracked() {
    return byFid.size();
  }

  private static void prune(Attempts a, long limit) {
    int keep = 0;
    for (int i = 0; i < a.size; i++) {
      if (a.list[i].time > limit) {
        a.list[keep++] = a.list[i];
      }
    }
    for (int i = keep; i < a.size; i++) {
      a.list[i] = null;
    }
    a.size = keep;
  }

  private void sweep(long retention) {
    long limit = latest - retention;
    Iterator<Slot> it = byFid.values().iterator();
    while (it.hasNext()) {
      Slot s = it.next();
      if (s.newest <= limit) {
        it.remove();
        bytes -= s.bytes;
      }
    }
    sweepAt = Math.max(SWEEP_MIN, byFid.size() * 2);
  }

  private static long bit(int regex) {
    return 1L << Math.min(Math.max(regex, 0), 63);
  }
}
