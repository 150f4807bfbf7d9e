package io.portcullis.shield;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which networks have earned a ban: the bans of one jail, counted per network of each step of its
 * {@link NetworkPolicy} within findtime. A ban of an address counts for the network of the first
 * step; a network banned at one step counts for the next, so five addresses of a /64 ban the /64
 * and three such /64 of one /48 ban the /48.
 *
 * <p>Not thread-safe: confine to the jail's thread. Times are the bans' own, never the clock.
 */
public final class NetworkEscalation {
  /** A network that earned a ban, and the members (addresses or narrower networks) that did. */
  public record Earned(IpAddress network, List<IpAddress> by) {
    public Earned {
      by = List.copyOf(by);
    }
  }

  /** Past this many networks counted, stale ones are swept out on the next ban. */
  private static final int SWEEP_AT = 4096;

  private static final Comparator<IpAddress> BY_TEXT = Comparator.comparing(IpAddress::toString);

  private final NetworkPolicy policy;
  private final Map<Boolean, List<Map<IpAddress, Map<IpAddress, Instant>>>> counted =
      new HashMap<>();

  public NetworkEscalation(NetworkPolicy policy) {
    this.policy = policy;
  }

  public NetworkPolicy policy() {
    return policy;
  }

  /**
   * A ban of {@code banned} (an address or a network) at {@code t}: the networks it makes earn a
   * ban, narrowest first (none most of the time).
   */
  public List<Earned> banned(IpAddress banned, Instant t, Duration findtime) {
    List<NetworkPolicy.Step> steps = policy.steps(banned.isV4());
    int i = startStep(steps, banned);
    if (i < 0) {
      return List.of();
    }
    List<Map<IpAddress, Map<IpAddress, Instant>>> levels = levels(banned.isV4(), steps.size());
    Instant oldest = t.minus(findtime);
    sweepIfLarge(levels, oldest);
    List<Earned> out = new ArrayList<>();
    IpAddress member = banned;
    for (; i < steps.size(); i++) {
      NetworkPolicy.Step s = steps.get(i);
      IpAddress net = member.network(s.prefix());
      Map<IpAddress, Instant> members =
          levels.get(i).computeIfAbsent(net, k -> new LinkedHashMap<>());
      members.put(member, t);
      members.values().removeIf(at -> at.isBefore(oldest));
      if (members.size() < s.count()) {
        break;
      }
      List<IpAddress> by = new ArrayList<>(members.keySet());
      by.sort(BY_TEXT);
      out.add(new Earned(net, by));
      levels.get(i).remove(net);
      member = net;
    }
    return out;
  }

  /** Forgets what was counted inside {@code network} (its ban was lifted by hand). */
  public void forget(IpAddress network) {
    for (List<Map<IpAddress, Map<IpAddress, Instant>>> levels : counted.values()) {
      for (Map<IpAddress, Map<IpAddress, Instant>> level : levels) {
        level.keySet().removeIf(net -> network.contains(net) || net.contains(network));
      }
    }
  }

  /** How many networks have bans counted now. */
  public int tracked() {
    int n = 0;
    for (List<Map<IpAddress, Map<IpAddress, Instant>>> levels : counted.values()) {
      for (Map<IpAddress, Map<IpAddress, Instant>> level : levels) {
        n += level.size();
      }
    }
    return n;
  }

  /** The step a ban counts for: 0 for an address, the one after a step's network, else -1. */
  private static int startStep(List<NetworkPolicy.Step> steps, IpAddress banned) {
    if (steps.isEmpty()) {
      return -1;
    }
    if (banned.prefix() < 0) {
      return 0;
    }
    for (int i = 0; i + 1 < steps.size(); i++) {
      if (steps.get(i).prefix() == banned.prefix()) {
        return i + 1;
      }
    }
    return -1;
  }

  private List<Map<IpAddress, Map<IpAddress, Instant>>> levels(boolean v4, int n) {
    List<Map<IpAddress, Map<IpAddress, Instant>>> levels =
        counted.computeIfAbsent(v4, k -> new ArrayList<>());
    while (levels.size() < n) {
      levels.add(new HashMap<>());
    }
    return levels;
  }

  private void sweepIfLarge(List<Map<IpAddress, Map<IpAddress, Instant>>> levels, Instant oldest) {
    if (tracked() < SWEEP_AT) {
      return;
    }
    for (Map<IpAddress, Map<IpAddress, Instant>> level : levels) {
      for (Map<IpAddress, Instant> members : level.values()) {
        members.values().removeIf(at -> at.isBefore(oldest));
      }
      level.values().removeIf(Map::isEmpty);
    }
  }
}
