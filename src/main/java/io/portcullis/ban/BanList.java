package io.portcullis.ban;

import io.portcullis.jail.BanDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The bans in force, by jail and failure id, with their ends in time order so that expiry costs
 * nothing until a ban is due. Thread-safe: jails add, the unban timer takes due bans, commands read
 * and remove. A ban that leaves the list is remembered as lifted ({@link LiftedBans}) in the same
 * step, so that whoever reads the list sees a ban either in force or lifted, never neither.
 */
public final class BanList {
  private record Key(String jail, String fid) {}

  private final Map<Key, BanDecision> bans = new HashMap<>();
  private final PriorityQueue<BanDecision> byEnd =
      new PriorityQueue<>(Comparator.comparing(BanDecision::end));
  private final LiftedBans lifted;

  public BanList() {
    this(new LiftedBans());
  }

  public BanList(LiftedBans lifted) {
    this.lifted = lifted;
  }

  /** The unbans the kernel may not have applied yet. */
  public LiftedBans lifted() {
    return lifted;
  }

  /** Adds a ban; false (and nothing changes) when this id is already banned in this jail. */
  public synchronized boolean add(BanDecision b) {
    Key k = new Key(b.jail(), b.fid());
    if (bans.containsKey(k)) {
      return false;
    }
    bans.put(k, b);
    if (b.end() != null) {
      byEnd.add(b);
    }
    lifted.banned(b.jail(), b.fid());
    return true;
  }

  /** Removes and returns a ban, or null. */
  public synchronized BanDecision remove(String jail, String fid) {
    BanDecision b = bans.remove(new Key(jail, fid));
    if (b != null) {
      if (b.end() != null) {
        byEnd.remove(b);
      }
      lifted.lifted(jail, fid);
    }
    return b;
  }

  /** Removes and returns every ban of a jail. */
  public synchronized List<BanDecision> removeAll(String jail) {
    List<BanDecision> out = new ArrayList<>();
    for (BanDecision b : list(jail)) {
      out.add(remove(b.jail(), b.fid()));
    }
    return out;
  }

  /** Removes and returns every ban that ended at or before {@code now}. */
  public synchronized List<BanDecision> takeDue(Instant now) {
    List<BanDecision> due = new ArrayList<>();
    while (!byEnd.isEmpty() && !byEnd.peek().end().isAfter(now)) {
      BanDecision b = byEnd.poll();
      if (bans.remove(new Key(b.jail(), b.fid())) != null) {
        lifted.lifted(b.jail(), b.fid());
        due.add(b);
      }
    }
    return due;
  }

  /** When the next ban ends, or null. */
  public synchronized Instant nextEnd() {
    return byEnd.isEmpty() ? null : byEnd.peek().end();
  }

  public synchronized BanDecision get(String jail, String fid) {
    return bans.get(new Key(jail, fid));
  }

  /** Bans of one jail (null: all), oldest first. */
  public synchronized List<BanDecision> list(String jail) {
    List<BanDecision> out = new ArrayList<>();
    for (BanDecision b : bans.values()) {
      if (jail == null || b.jail().equals(jail)) {
        out.add(b);
      }
    }
    out.sort(Comparator.comparing(BanDecision::time));
    return out;
  }

  /** Bans of one jail (null: all) by family: {IPv4, IPv6}; bans without an address in neither. */
  public synchronized int[] perFamily(String jail) {
    int[] out = new int[2];
    for (BanDecision b : bans.values()) {
      if (b.ip() != null && (jail == null || b.jail().equals(jail))) {
        out[b.ip().isV4() ? 0 : 1]++;
      }
    }
    return out;
  }

  public synchronized int size(String jail) {
    return jail == null
        ? bans.size()
        : (int) bans.keySet().stream().filter(k -> k.jail().equals(jail)).count();
  }
}
