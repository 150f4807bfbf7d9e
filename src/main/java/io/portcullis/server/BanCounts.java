package io.portcullis.server;

import io.portcullis.jail.BanHistory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How often each address was banned, per jail: the store's history kept in memory. */
final class BanCounts implements BanHistory {
  private final Map<String, Integer> perJail = new HashMap<>();
  private final Map<String, Integer> overall = new HashMap<>();
  private final java.util.concurrent.CountDownLatch loaded =
      new java.util.concurrent.CountDownLatch(1);

  /** Adds the history read from the store (once, possibly after the server is up). */
  void load(List<Object[]> rows) {
    synchronized (this) {
      for (Object[] r : rows) {
        perJail.merge(r[0] + "\u0000" + r[1], (Integer) r[2], Integer::sum);
        overall.merge((String) r[1], (Integer) r[2], Integer::sum);
      }
    }
    loaded.countDown();
  }

  /** The history could not be read: count from zero rather than block bans. */
  void failed() {
    loaded.countDown();
  }

  synchronized void banned(String jail, String fid) {
    perJail.merge(jail + "\u0000" + fid, 1, Integer::sum);
    overall.merge(fid, 1, Integer::sum);
  }

  @Override
  public int previousBans(String jail, String fid) {
    try {
      // only a ban in the first moments after a start can get here before the history is read
      loaded.await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return count(jail, fid);
  }

  private synchronized int count(String jail, String fid) {
    return jail == null
        ? overall.getOrDefault(fid, 0)
        : perJail.getOrDefault(jail + "\u0000" + fid, 0);
  }
}
