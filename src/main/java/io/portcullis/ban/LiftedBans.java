package io.portcullis.ban;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Unbans the kernel may not have applied yet, in memory (the store keeps them too: {@link
 * BanStore#lifted}). A firewall reconcile that finds an element no ban in force explains asks here
 * whether it was lifted (remove it) or is unknown (adopt it as a ban). An unban stays here after
 * the kernel confirmed it until a reconcile that began after the confirmation has run, so that a
 * reconcile that listed the kernel before the removal never mistakes the element for an unknown
 * one. Thread-safe.
 */
public final class LiftedBans {
  private record Key(String jail, String fid) {}

  /** Which unban of an id this is, and when the kernel confirmed it (0: not yet). */
  private static final class Entry {
    final long token;
    long confirmedAt;

    Entry(long token) {
      this.token = token;
    }
  }

  /**
   * Confirmed unbans older than this are forgotten even if no reconcile ran (a server without a
   * firewall never reconciles): no listing of the kernel takes that long.
   */
  private static final long FORGET_AFTER_NANOS = Duration.ofMinutes(10).toNanos();

  private final Map<Key, Entry> lifted = new HashMap<>();
  private long tokens;
  private int sinceTidy;

  /** An unban was decided (called as the ban leaves the ban list). */
  public synchronized void lifted(String jail, String fid) {
    lifted.put(new Key(jail, fid), new Entry(++tokens));
    if (++sinceTidy >= 4096) {
      sinceTidy = 0;
      forgetConfirmedBefore(System.nanoTime() - FORGET_AFTER_NANOS);
    }
  }

  /** The address is banned again: the earlier unban no longer matters. */
  public synchronized void banned(String jail, String fid) {
    lifted.remove(new Key(jail, fid));
  }

  /** Which unban of this id is remembered now (0: none): pass it to {@link #confirmed}. */
  public synchronized long token(String jail, String fid) {
    Entry e = lifted.get(new Key(jail, fid));
    return e == null ? 0 : e.token;
  }

  /**
   * Every action that keeps addresses out applied the unban {@code token}; false (nothing changes)
   * when the id was banned or lifted again since.
   */
  public synchronized boolean confirmed(String jail, String fid, long token, long nanoTime) {
    Entry e = lifted.get(new Key(jail, fid));
    if (e == null || e.token != token) {
      return false;
    }
    e.confirmedAt = nanoTime == 0 ? 1 : nanoTime;
    return true;
  }

  /** Whether an unban of this id in this jail is remembered. */
  public synchronized boolean contains(String jail, String fid) {
    return lifted.containsKey(new Key(jail, fid));
  }

  /** Forgets unbans confirmed before {@code nanoTime} (the start of a reconcile that has ended). */
  public synchronized void forgetConfirmedBefore(long nanoTime) {
    Iterator<Entry> it = lifted.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (e.confirmedAt != 0 && e.confirmedAt - nanoTime < 0) {
        it.remove();
      }
    }
  }

  public synchronized int size() {
    return lifted.size();
  }
}
