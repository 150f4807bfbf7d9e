package io.portcullis.jail;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * User-name enumeration: how many distinct user names each address failed on within findtime. An
 * address keeps at most maxusers + 1 names (by 64-bit hash), so a scanner costs a few dozen bytes
 * however many names it tries. The state counts the bytes it holds (an estimate) and past {@code
 * maxBytes} forgets the addresses that failed least recently, and counts them ({@link #dropped}).
 * Not thread-safe.
 */
final class Enumeration {
  private static final int SWEEP_MIN = 1024;

  private static final class Users {
    long[] hashes;
    long[] times;
    int size;
    long newest;
    int bytes;

    Users(int capacity) {
      hashes = new long[capacity];
      times = new long[capacity];
    }
  }

  /** Least recently failing first. */
  private final Map<String, Users> byFid = new LinkedHashMap<>(16, 0.75f, /* accessOrder= */ true);

  private long latest = Long.MIN_VALUE;
  private int sweepAt = SWEEP_MIN;
  private long maxBytes;
  private long bytes;
  private long dropped;

  /** {@code maxBytes}: what the names per address may take (estimated). */
  Enumeration(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  void maxBytes(long max) {
    this.maxBytes = max;
  }

  /**
   * Notes a failure of {@code fid} on a user name and returns how many distinct names it failed on
   * within {@code window} before {@code timeMillis} (at most {@code maxusers + 1}).
   */
  int failed(String fid, String user, long timeMillis, long window, int maxusers) {
    int n = count(fid, user, timeMillis, window, maxusers);
    Users u = byFid.get(fid);
    int before = u.bytes;
    u.bytes = Sizes.entry(fid) + Sizes.OBJECT + 2 * Sizes.longs(u.hashes.length);
    bytes += u.bytes - before;
    Iterator<Users> it = byFid.values().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Users old = it.next();
      if (old == u) {
        break;
      }
      it.remove();
      bytes -= old.bytes;
      dropped++;
    }
    return n;
  }

  private int count(String fid, String user, long timeMillis, long window, int maxusers) {
    latest = Math.max(latest, timeMillis);
    Users u = byFid.get(fid);
    if (u == null) {
      u = new Users(Math.min(maxusers + 1, 2));
      u.newest = timeMillis;
      byFid.put(fid, u);
      if (byFid.size() >= sweepAt) {
        sweep(window);
        byFid.put(fid, u);
      }
    }
    u.newest = Math.max(u.newest, timeMillis);
    long limit = timeMillis - window;
    int keep = 0;
    for (int i = 0; i < u.size; i++) {
      if (u.times[i] > limit) {
        u.hashes[keep] = u.hashes[i];
        u.times[keep++] = u.times[i];
      }
    }
    u.size = keep;
    long h = UserHash.of(user);
    for (int i = 0; i < u.size; i++) {
      if (u.hashes[i] == h) {
        u.times[i] = Math.max(u.times[i], timeMillis);
        return u.size;
      }
    }
    if (u.size == u.hashes.length) {
      if (u.size > maxusers) {
        // full: the oldest name makes room (the count is already past maxusers)
        int oldest = 0;
        for (int i = 1; i < u.size; i++) {
          if (u.times[i] < u.times[oldest]) {
            oldest = i;
          }
        }
        u.hashes[oldest] = h;
        u.times[oldest] = timeMillis;
        return u.size;
      }
      int grown = Math.min(maxusers + 1, u.size * 2);
      u.hashes = java.util.Arrays.copyOf(u.hashes, grown);
      u.times = java.util.Arrays.copyOf(u.times, grown);
    }
    u.hashes[u.size] = h;
    u.times[u.size++] = timeMillis;
    return u.size;
  }

  void forget(String fid) {
    Users u = byFid.remove(fid);
    if (u != null) {
      bytes -= u.bytes;
    }
  }

  /** Addresses whose names were forgotten, least recent first, to stay within maxBytes. */
  long dropped() {
    return dropped;
  }

  long bytes() {
    return bytes;
  }

  int tracked() {
    return byFid.size();
  }

  private void sweep(long window) {
    long limit = latest - window;
    Iterator<Users> it = byFid.values().iterator();
    while (it.hasNext()) {
      Users u = it.next();
      if (u.newest <= limit) {
        it.remove();
        bytes -= u.bytes;
      }
    }
    sweepAt = Math.max(SWEEP_MIN, byFid.size() * 2);
  }
}
