package io.portcullis.jail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Failures per account across addresses. The last accountmaxretry failures of each account are kept
 * (time and address); when they all fall within accountfindtime the account is under attack until
 * accountbantime after its last failure. At most {@link #MAX_ACCOUNTS} accounts are watched
 * (client-chosen names must not grow memory without bound): past that the one that failed least
 * recently is forgotten, and counted. Not thread-safe.
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

  private final Map<Account, Entry> accounts =
      new LinkedHashMap<>(16, 0.75f, /* accessOrder= */ true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Account, Entry> eldest) {
          if (size() > MAX_ACCOUNTS) {
            forgotten++;
            return true;
          }
          return false;
        }
      };
  private long forgotten;
  private Entry last;
  private long latest = Long.MIN_VALUE;
  private int sweepAt = 1024;

  /** Counts a failure of {@code fid} on {@code account} at {@code t} (line time, millis). */
  Result failed(Account account, String fid, long t, Guards g) {
    latest = Math.max(latest, t);
    Entry e = accounts.get(account);
    if (e == null || e.capacity != g.accountmaxretry()) {
      e = new Entry(g.accountmaxretry());
      e.newest = t;
      accounts.put(account, e);
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

  /** Accounts forgotten because more than {@link #MAX_ACCOUNTS} were watched. */
  long forgotten() {
    return forgotten;
  }

  int tracked() {
    return accounts.size();
  }

  /** Forgets accounts with no failure within {@code keep} of the latest line and not attacked. */
  private void sweep(long keep) {
    long limit = latest - keep;
    accounts.values().removeIf(e -> e.newest <= limit && e.attackUntil <= latest);
    sweepAt = Math.max(1024, accounts.size() * 2);
  }
}
