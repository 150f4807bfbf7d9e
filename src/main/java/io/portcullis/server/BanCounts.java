package io.portcullis.server;

import io.portcullis.ban.BanStore;
import io.portcullis.ban.StoreWriter;
import io.portcullis.jail.BanHistory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** How often each address was banned, per jail: the store's history kept in memory. */
final class BanCounts implements BanHistory {
  private record Key(String jail, String fid) {}

  private final Map<Key, Integer> perJail = new HashMap<>();
  private final Map<String, Integer> overall = new HashMap<>();
  private final CountDownLatch loaded = new CountDownLatch(1);

  /**
   * Reads the history from the store in the background: it only matters for the next increasing
   * ban, so the server does not wait for it (a ban of a jail with bantime.increment waits until it
   * is read).
   */
  void loadFrom(StoreWriter store, ServerLog log) {
    store
        .call(BanStore::banCounts)
        .whenComplete(
            (rows, error) -> {
              if (error != null) {
                log.error(
                    "cannot read the ban history (repeat bans start from #1): "
                        + error.getMessage());
                loaded.countDown();
              } else {
                load(rows);
              }
            });
  }

  /** Adds the history read from the store (once, possibly after the server is up). */
  void load(List<BanStore.BanCount> rows) {
    synchronized (this) {
      for (BanStore.BanCount r : rows) {
        perJail.merge(new Key(r.jail(), r.fid()), r.bans(), Integer::sum);
        overall.merge(r.fid(), r.bans(), Integer::sum);
      }
    }
    loaded.countDown();
  }

  synchronized void banned(String jail, String fid) {
    perJail.merge(new Key(jail, fid), 1, Integer::sum);
    overall.merge(fid, 1, Integer::sum);
  }

  @Override
  public int previousBans(String jail, String fid) {
    try {
      // only a ban in the first moments after a start can get here before the history is read,
      // which starts once the restored bans are in force (Server.start: at most RESTORE_WAIT)
      loaded.await(Server.RESTORE_WAIT.plusSeconds(30).toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return count(jail, fid);
  }

  private synchronized int count(String jail, String fid) {
    return jail == null
        ? overall.getOrDefault(fid, 0)
        : perJail.getOrDefault(new Key(jail, fid), 0);
  }
}
