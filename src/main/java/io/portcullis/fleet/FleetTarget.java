package io.portcullis.fleet;

import io.portcullis.net.IpAddress;
import java.util.List;

/**
 * What the fleet asks of this node's jails: put a ban from another node into force, lift one, and
 * say which remote bans are in force. The server implements it; each call runs on the jail's own
 * thread and may wait for it.
 */
public interface FleetTarget {
  /** What became of a remote ban here. */
  enum Applied {
    /** in force here now (ban list, kernel) */
    BANNED,
    /** the address was banned in that jail already: nothing done twice */
    ALREADY_BANNED,
    /** the jail ignores the address (ignoreip, ignoreself, registered phones ...) */
    IGNORED,
    /** the jail allows the address (after a successful login, or by command) */
    ALLOWED,
    /** its end has passed */
    ENDED,
    /** no jail of that name runs here */
    NO_SUCH_JAIL
  }

  /** A jail's ban of an address. */
  record BanKey(String jail, IpAddress ip) {}

  Applied ban(FleetEvent e) throws Exception;

  /** Lifts the ban of an address in a jail, when there is one; whether there was. */
  boolean unban(String jail, IpAddress ip) throws Exception;

  /** The remote bans in force here. */
  List<BanKey> remoteBans();

  /** This host's addresses (as its firewall sees them), for {@link FleetPeers#publishable}. */
  default List<IpAddress> hostAddresses() {
    return List.of();
  }

  /**
   * The trusted nodes' addresses now (all of them, each time they are read): they pass the shields
   * of every jail here. Called on the fleet's publisher thread; may run a kernel call.
   */
  default void peers(FleetPeers.Read now) throws Exception {}
}
