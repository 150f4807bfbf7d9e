package io.portcullis.server;

import io.portcullis.jail.BanHistory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How often each address was banned, per jail: the store's history kept in memory. */
final class BanCounts implements BanHistory {
  private final Map<String, Integer> perJail = new HashMap<>();
  private final Map<String, Integer> overall = new HashMap<>();

  synchronized void load(List<Object[]> rows) {
    for (Object[] r : rows) {
      perJail.merge(r[0] + "\u0000" + r[1], (Integer) r[2], Integer::sum);
      overall.merge((String) r[1], (Integer) r[2], Integer::sum);
    }
  }

  synchronized void banned(String jail, String fid) {
    perJail.merge(jail + "\u0000" + fid, 1, Integer::sum);
    overall.merge(fid, 1, Integer::sum);
  }

  @Override
  public synchronized int previousBans(String jail, String fid) {
    return jail == null
        ? overall.getOrDefault(fid, 0)
        : perJail.getOrDefault(jail + "\u0000" + fid, 0);
  }
}
