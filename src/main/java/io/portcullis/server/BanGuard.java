package io.portcullis.server;

import io.portcullis.net.IpAddress;
import java.util.List;

/**
 * What a ban by command must not shut out without {@code --force}: every address (a /0), loopback,
 * the addresses of this host (the firewall's namespace), and the jail's ignore list. A ban is
 * refused when its address or network and one of those overlap.
 */
final class BanGuard {
  private static final List<IpAddress> LOOPBACK =
      List.of(IpAddress.parse("127.0.0.0/8"), IpAddress.parse("::1"));

  private BanGuard() {}

  /** Why banning {@code net} would shut out what must never be, or null when it would not. */
  static String refusal(IpAddress net, List<IpAddress> ignore, List<IpAddress> host) {
    if (net.prefix() == 0) {
      return net + " is every " + (net.isV4() ? "IPv4" : "IPv6") + " address";
    }
    for (IpAddress l : LOOPBACK) {
      if (overlap(net, l)) {
        return net + " covers loopback (" + l + ")";
      }
    }
    for (IpAddress h : host) {
      if (overlap(net, h)) {
        return net + " covers " + h + ", an address of this host";
      }
    }
    for (IpAddress i : ignore) {
      if (overlap(net, i)) {
        return net + " covers " + i + ", on the jail's ignore list";
      }
    }
    return null;
  }

  private static boolean overlap(IpAddress a, IpAddress b) {
    return a.contains(b) || b.contains(a);
  }
}
