package io.portcullis.jail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Failures per account across addresses. The last accountmaxretry failures of each account are kept
 * (time and address); when they all fall within accountfindtime the account is under attack until
 * accountbantime after its last failure. At most {@link #MAX_ACCOUNTS} accounts are watched, and at
 * most {@code maxBytes} of them (an estimate; client-chosen names must not grow memory without
 * bound): past that the ones that failed least recently are forgotten, and counted. Not
 * thread-safe.
 */
final class AccountWatch {
  static final int MAX_ACCOUNTS = 100_000;

  /** What one failure did to its account. */
  enum Result {
    /** counted; the account is not under attack */
    COUNTED,
    /** this failure put the account under attack */
    CROSSED,
    /** the account was under attack already */
    UNDER_ATTACK
  }

  private static final class Entry {
    final int capacity;
    long[] times = new long[2];
    String[] fids = new String[2];
    int start;
    int size;
    long newest;
    long attackSince;
    long attackUntil;
    int attackFailures;
    int attackAddresses;
    int bytes;

    Entry(int capacity) {
      this.capacity = capacity;
    }

    void add(long t, String fid) {
      newest = Math.max(newest, t);
      if (size == times.length && size < capacity) {
        int grown = Math.min(capacity, size * 2);
        long[] nt = new long[grown];
        String[] nf = new String[grown];
        for (int i = 0; i < size; i++) {
          nt[i] = times[(start + i) % times.length];
          nf[i] = fids[(start + i) % fids.length];
        }
        times = nt;
        fids = nf;
        start = 0;
      }
      int at = (start + size) % times.length;
      if (size == capacity) {
        start = (start + 1) % times.length;
      } else {
        size++;
      }
      times[at] = t;
      fids[at] = fid;
    }

    long oldest() {
      return times[start];
    }

    Set<String> addresses() {
      Set<String> out = new LinkedHashSet<>();
      for (int i = 0; i < size; i++) {
        out.add(fids[(start + i) % fids.length]);
      }
      return out;
    }

    void clear() {
      start = 0;
      size = 0;
      java.util.Arrays.fill(fids, null);
    }
  }

  /** Least recently failing first. */
  private final Map<Account, Entry> accounts =
      new LinkedHashMap<>(16, 0.75f, /* accessOrder= */ true);

  private long forgotten;
  private long maxBytes;
  private long bytes;

  /** {@code maxBytes}: what the accounts may take (estimated). */
  AccountWatch(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  void maxBytes(long max) {
    this.maxBytes = max;
  }

  private Entry last;
  private long latest = Long.MIN_VALUE;
  private int sweepAt = 1024;

  /** Counts a failure of {@code fid} on {@code account} at {@code t} (line time, millis). */
  Result failed(Account account, String fid, long t, Guards g) {
    Result r = count(account, fid, t, g);
    Entry e = last;
    if (!accounts.containsKey(account)) {
      return r; // a failure older than what is kept: swept at once
    }
    int before = e.bytes;
    e.bytes =
        40
            + 8
            + Sizes.OBJECT
            + Sizes.string(account.user().length())
            + 2 * Sizes.OBJECT
            + Sizes.longs(e.times.length)
            + Sizes.array(e.fids.length);
    bytes += e.bytes - before;
    Iterator<Entry> it = accounts.values().iterator();
    while ((bytes > maxBytes || accounts.size() > MAX_ACCOUNTS) && it.hasNext()) {
      Entry old = it.next();
      if (old == e) {
        break;
      }
      it.remove();
      bytes -= old.bytes;
      forgotten++;
    }
    return r;
  }

  private Result count(Account account, String fid, long t, Guards g) {
    latest = Math.max(latest, t);
    Entry e = accounts.get(account);
    if (e == null || e.capacity != g.accountmaxretry()) {
      Entry replaced = e;
      e = new Entry(g.accountmaxretry());
      e.newest = t;
      accounts.put(account, e);
      if (replaced != null) {
        bytes -= replaced.bytes;
      }
      if (accounts.size() >= sweepAt) {
        sweep(Math.max(g.accountfindtime().toMillis(), g.accountbantime().toMillis()));
      }
    }
    last = e;
    if (e.attackUntil > t) {
      e.newest = Math.max(e.newest, t);
      e.attackUntil = Math.max(e.attackUntil, t + g.accountbantime().toMillis());
      e.attackFailures++;
      return Result.UNDER_ATTACK;
    }
    e.add(t, fid);
    if (e.size == g.accountmaxretry() && e.oldest() > t - g.accountfindtime().toMillis()) {
      e.attackSince = t;
      e.attackUntil = t + g.accountbantime().toMillis();
      e.attackFailures = e.size;
      e.attackAddresses = e.addresses().size();
      e.clear();
      return Result.CROSSED;
    }
    return Result.COUNTED;
  }

  /** The failures and addresses that put the account of the last {@link #failed} under attack. */
  int lastAttackFailures() {
    return last == null ? 0 : last.attackFailures;
  }

  int lastAttackAddresses() {
    return last == null ? 0 : last.attackAddresses;
  }

  /** Until when (millis) the account of the last {@link #failed} is under attack. */
  long lastAttackUntil() {
    return last == null ? 0 : last.attackUntil;
  }

  /** Until when an account is under attack at {@code t}, or null when it is not. */
  Instant underAttack(Account account, long t) {
    Entry e = accounts.get(account);
    return e != null && e.attackUntil > t ? Instant.ofEpochMilli(e.attackUntil) : null;
  }

  /** The accounts under attack at {@code t}, most recently failing last. */
  List<AccountAttack> attacked(long t) {
    List<AccountAttack> out = new ArrayList<>();
    // iterating an access-ordered map does not reorder it
    accounts.forEach(
        (a, e) -> {
          if (e.attackUntil > t) {
            out.add(
                new AccountAttack(
                    a,
                    Instant.ofEpochMilli(e.attackSince),
                    Instant.ofEpochMilli(e.attackUntil),
                    e.attackFailures,
                    e.attackAddresses));
          }
        });
    return out;
  }

  /** Accounts forgotten, least recent first, to stay within maxBytes and MAX_ACCOUNTS. */
  long forgotten() {
    return forgotten;
  }

  /** What the accounts take now (estimated bytes). */
  long bytes() {
    return bytes;
  }

  int tracked() {
    return accounts.size();
  }

  /** Forgets accounts with no failure within {@code keep} of the latest line and not attacked. */
  private void sweep(long keep) {
    long limit = latest - keep;
    Iterator<Entry> it = accounts.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (e.newest <= limit && e.attackUntil <= latest) {
        it.remove();
        bytes -= e.bytes;
      }
    }
    sweepAt = Math.max(1024, accounts.size() * 2);
  }
}
