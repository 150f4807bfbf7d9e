package io.portcullis.server;

import io.portcullis.action.FirewallAction;
import io.portcullis.action.FirewallBackend;
import io.portcullis.ban.BanList;
import io.portcullis.feed.FeedTarget;
import io.portcullis.feed.Feeds;
import io.portcullis.feed.RetiredFeeds;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The jails' side of the blocklist feeds: screening a feed's entries on the jail's thread, putting
 * them into the firewall backends of the jail's firewall actions, and telling the reconcile which
 * elements are the feeds' (so that it neither removes them as strays nor forgets them when it
 * re-creates the sets). Outlives a reload.
 */
final class FeedLink implements FeedTarget {
  private final Supplier<java.util.Map<String, JailRunner>> runners;
  private final BanList bans;
  private volatile Feeds feeds;
  private volatile RetiredFeeds retired = RetiredFeeds.none();

  FeedLink(Supplier<java.util.Map<String, JailRunner>> runners, BanList bans) {
    this.runners = runners;
    this.bans = bans;
  }

  void attach(Feeds f) {
    this.feeds = f;
  }

  Feeds feeds() {
    return feeds;
  }

  /** The entries of feeds no longer configured, for the firewall's reconcile to remove. */
  void retire(RetiredFeeds r) {
    this.retired = r;
  }

  RetiredFeeds retired() {
    return retired;
  }

  /** The feeds' elements in force, as bans for the firewall's reconcile (none without feeds). */
  List<BanDecision> inForce() {
    Feeds f = feeds;
    if (f == null) {
      return List.of();
    }
    List<BanDecision> out = new ArrayList<>();
    for (Feeds.Entry e : f.inForce()) {
      if (e.end() != null) {
        Instant start = e.end().minusSeconds(1);
        out.add(
            new BanDecision(
                e.jail(),
                e.ip().toString(),
                e.ip(),
                start,
                Duration.ofSeconds(1),
                1,
                0,
                List.of()));
      }
    }
    return out;
  }

  private JailRunner runner(String jail) {
    JailRunner r = runners.get().get(jail);
    if (r == null) {
      throw new IllegalStateException("no jail named " + jail + " runs");
    }
    return r;
  }

  @Override
  public List<IpAddress> screen(String jail, List<IpAddress> entries) throws Exception {
    JailRunner r = runner(jail);
    return r.await(() -> r.screenFeed(entries));
  }

  @Override
  public void apply(
      String jail,
      Collection<IpAddress> remove,
      Collection<IpAddress> refresh,
      Collection<IpAddress> add,
      Duration timeout)
      throws Exception {
    JailRunner r = runner(jail);
    Set<FirewallBackend> backends = new LinkedHashSet<>();
    for (ActionSlot a : r.actionSlots()) {
      if (a.action() instanceof FirewallAction fw) {
        backends.add(fw.backend());
      }
    }
    if (backends.isEmpty()) {
      throw new IllegalStateException(
          "jail " + jail + " has no firewall action (action = firewall[...]) to carry the feed");
    }
    // an address the jail bans itself stays: its own ban lifts it when it ends
    List<IpAddress> leave = new ArrayList<>(remove.size());
    for (IpAddress ip : remove) {
      if (bans.get(jail, ip.toString()) == null) {
        leave.add(ip);
      }
    }
    for (FirewallBackend b : backends) {
      b.replaceFeed(jail, leave, refresh, add, timeout);
    }
  }
}
