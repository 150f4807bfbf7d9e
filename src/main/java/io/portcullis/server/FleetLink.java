package io.portcullis.server;

import io.portcullis.fleet.Fleet;
import io.portcullis.fleet.FleetEvent;
import io.portcullis.fleet.FleetTarget;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The jails' side of the fleet: which bans in force came from another node (and from which), the
 * local bans and unbans handed to the {@link Fleet} to publish, and the remote ones put into force
 * on the jails' threads. Outlives a reload (the origins of remote bans stay known).
 */
final class FleetLink implements FleetTarget {
  private record Key(String jail, String fid) {}

  private final Map<Key, String> origins = new ConcurrentHashMap<>();
  private final Supplier<Map<String, JailRunner>> runners;
  private volatile Fleet fleet;
  // the firewalls of the jails running now (a reload makes new ones), and the trusted nodes'
  // addresses: what their backends were last given
  private volatile Firewalls firewalls;
  private volatile io.portcullis.fleet.FleetPeers.Read peers =
      new io.portcullis.fleet.FleetPeers.Read(Map.of(), List.of());
  private Firewalls pushedTo;
  private List<IpAddress> pushed = List.of();

  FleetLink(Supplier<Map<String, JailRunner>> runners) {
    this.runners = runners;
  }

  void attach(Fleet f) {
    this.fleet = f;
  }

  Fleet fleet() {
    return fleet;
  }

  // ---- from the jails' threads

  /** A ban this node decided. */
  void localBan(BanDecision b) {
    Fleet f = fleet;
    if (f != null && b.ip() != null) {
      f.banned(
          b.jail(),
          b.ip(),
          b.time(),
          b.end(),
          b.failures() > 0 ? b.failures() + " failures" : "by command");
    }
  }

  /** A ban lifted by command on this node. */
  void localUnban(BanDecision b) {
    Fleet f = fleet;
    if (f != null && b.ip() != null) {
      f.unbanned(b.jail(), b.ip());
    }
  }

  /** Notes that a ban in force came from another node. */
  void remote(String jail, String fid, String node) {
    origins.put(new Key(jail, fid), node);
  }

  /** Forgets a ban's origin as it is lifted; the node it came from, or null for a local ban. */
  String lifted(String jail, String fid) {
    return origins.remove(new Key(jail, fid));
  }

  /** The node a ban in force came from, or null for a ban of this node. */
  String origin(String jail, String fid) {
    return origins.get(new Key(jail, fid));
  }

  // ---- from the fleet's follower thread

  @Override
  public Applied ban(FleetEvent e) throws Exception {
    JailRunner r = runners.get().get(e.jail());
    if (r == null) {
      return Applied.NO_SUCH_JAIL;
    }
    return r.await(() -> r.banRemote(e));
  }

  @Override
  public boolean unban(String jail, IpAddress ip) throws Exception {
    JailRunner r = runners.get().get(jail);
    if (r == null) {
      return false;
    }
    return r.await(() -> r.unbanRemote(ip.toString()));
  }

  // ---- the trusted nodes' addresses (FleetPeers): they pass the shields of every jail

  /** The firewalls of the jails that run now: they get the trusted nodes' addresses. */
  void firewalls(Firewalls f) {
    this.firewalls = f;
  }

  /** Every trusted node's address now, for a firewall backend created before it starts. */
  List<IpAddress> peerAddresses() {
    return peers.addresses();
  }

  /** The trusted node an address belongs to, or null. */
  String peerOf(IpAddress ip) {
    for (Map.Entry<String, List<IpAddress>> e : peers.peers().entrySet()) {
      if (e.getValue().contains(ip)) {
        return e.getKey();
      }
    }
    return null;
  }

  @Override
  public List<IpAddress> hostAddresses() {
    Firewalls f = firewalls;
    return f == null ? List.of() : f.hostAddresses();
  }

  @Override
  public synchronized void peers(io.portcullis.fleet.FleetPeers.Read now) throws Exception {
    peers = now;
    List<IpAddress> all = peerAddresses();
    Firewalls f = firewalls;
    if (f == null || f == pushedTo && all.equals(pushed)) {
      return; // the kernel has them (a new backend takes them from peerAddresses at its creation)
    }
    f.fleetPeers(all);
    pushedTo = f;
    pushed = all;
  }

  @Override
  public List<BanKey> remoteBans() {
    List<BanKey> out = new ArrayList<>();
    for (Key k : origins.keySet()) {
      IpAddress ip = IpAddress.parseOrNull(k.fid());
      if (ip != null) {
        out.add(new BanKey(k.jail(), ip));
      }
    }
    return out;
  }
}
