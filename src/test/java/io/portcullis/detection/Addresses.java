package io.portcullis.detection;

import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import java.util.List;

/**
 * The addresses of a generated scene: attackers (the real transport source of a line) come from
 * 203.0.113.0/24 and 2001:db8:66::/64; the victims an attacker would like to get banned are a
 * paying customer's phone and the server's own addresses.
 */
public final class Addresses {
  /** A customer's phone, IPv4. */
  public static final IpAddress VICTIM4 = IpAddress.parse("192.0.2.10");

  /** A customer's phone, IPv6. */
  public static final IpAddress VICTIM6 = IpAddress.parse("2001:db8::10");

  /** The server itself (its LocalAddress in security events), IPv4 and IPv6. */
  public static final IpAddress SERVER4 = IpAddress.parse("198.51.100.1");

  public static final IpAddress SERVER6 = IpAddress.parse("2001:db8:1::1");

  public static final List<IpAddress> VICTIMS = List.of(VICTIM4, VICTIM6, SERVER4, SERVER6);

  private Addresses() {}

  /**
   * Real sources: any attacker address, IPv4 three times in four (edge tries: 203.0.113.1 and .254,
   * 2001:db8:66::0:1 and 2001:db8:66::ffff:ffff).
   */
  public static Gen<IpAddress> sources() {
    Gen<IpAddress> v4 = Gen.ints(1, 254).map(i -> IpAddress.parse("203.0.113." + i));
    Gen<IpAddress> v6 =
        Gen.longs(1, 0xffff_ffffL)
            .map(
                l ->
                    IpAddress.parse(
                        "2001:db8:66::"
                            + Long.toHexString(l >>> 16)
                            + ":"
                            + Long.toHexString(l & 0xffff)));
    return Gen.frequency(Gen.weighted(3, v4), Gen.weighted(1, v6));
  }

  /** Source ports a client may use: a well-known one or any above 1023 (edges: 1024, 65535). */
  public static Gen<Integer> ports() {
    return Gen.oneOf(Gen.of(5060, 5061, 4569, 5038, 8088, 8089, 22), Gen.ints(1024, 65535));
  }
}
