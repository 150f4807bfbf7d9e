package io.portcullis.geo;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One network, IPv4 or IPv6, as nftables writes it ({@code 198.51.100.0/24}). */
public record Cidr(boolean ipv4, BigInteger start, int prefix) {
  public int bits() {
    return ipv4 ? 32 : 128;
  }

  /** The last address of the network. */
  public BigInteger end() {
    return start.add(BigInteger.ONE.shiftLeft(bits() - prefix)).subtract(BigInteger.ONE);
  }

  public static Cidr of(InetAddress address, int prefix) {
    boolean v4 = address.getAddress().length == 4;
    BigInteger a = new BigInteger(1, address.getAddress());
    if (v4 && prefix > 32) {
      // Java reads ::ffff:a.b.c.d as an IPv4 address; the prefix says it was the IPv6 alias
      v4 = false;
      a = a.or(BigInteger.valueOf(0xffffL).shiftLeft(32));
    }
    int bits = v4 ? 32 : 128;
    BigInteger mask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE).not();
    return new Cidr(v4, a.and(mask), prefix);
  }

  @Override
  public String toString() {
    return address() + "/" + prefix;
  }

  /** The network's first address, as nftables writes it ({@code 198.51.100.0}). */
  public String address() {
    return text(ipv4, start);
  }

  /** The netmask of a prefix length ({@code 255.255.254.0} for a /23, {@code ffff:ff00::}). */
  public static String mask(boolean ipv4, int prefix) {
    int bits = ipv4 ? 32 : 128;
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix " + prefix + " is not in 0.." + bits);
    }
    BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    return text(ipv4, all.xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE)));
  }

  private static String text(boolean ipv4, BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[ipv4 ? 4 : 16];
    int n = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - n, out, out.length - n, n);
    try {
      return InetAddress.getByAddress(out).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The fewest networks covering exactly the union of {@code networks} (one family): overlapping
   * and adjacent networks are merged, the result sorted.
   */
  public static List<Cidr> merge(List<Cidr> networks) {
    List<Cidr> sorted = new ArrayList<>(networks);
    sorted.sort(Comparator.comparing(Cidr::start));
    List<Cidr> out = new ArrayList<>();
    BigInteger runStart = null;
    BigInteger runEnd = null;
    boolean v4 = true;
    for (Cidr c : sorted) {
      v4 = c.ipv4();
      if (runStart != null && c.start().compareTo(runEnd.add(BigInteger.ONE)) <= 0) {
        runEnd = runEnd.max(c.end());
        continue;
      }
      if (runStart != null) {
        cover(v4, runStart, runEnd, out);
      }
      runStart = c.start();
      runEnd = c.end();
    }
    if (runStart != null) {
      cover(v4, runStart, runEnd, out);
    }
    return out;
  }

  /** Splits the range [from, to] into the fewest aligned networks. */
  private static void cover(boolean v4, BigInteger from, BigInteger to, List<Cidr> out) {
    int bits = v4 ? 32 : 128;
    BigInteger at = from;
    while (at.compareTo(to) <= 0) {
      int size = at.signum() == 0 ? bits : at.getLowestSetBit();
      size = Math.min(size, bits);
      while (size > 0
          && at.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(to) > 0) {
        size--;
      }
      out.add(new Cidr(v4, at, bits - size));
      at = at.add(BigInteger.ONE.shiftLeft(size));
    }
  }
}
