package io.portcullis.net;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address or network, parsed strictly from untrusted text. Only its canonical form
 * ({@link #toString()}: dotted quad, RFC 5952 for IPv6, "/prefix" for networks) is ever passed on.
 */
public final class IpAddress {
  private final byte[] bytes;
  private final int prefix;
  private String text;

  private IpAddress(byte[] bytes, int prefix) {
    this.bytes = bytes;
    this.prefix = prefix;
  }

  /** Parses "192.0.2.1", "2001:db8::1", "[2001:db8::1]", "::ffff:192.0.2.1", "192.0.2.0/24". */
  public static IpAddress parse(String text) {
    IpAddress a = parseOrNull(text);
    if (a == null) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }
    return a;
  }

  /** Like {@link #parse} but null for anything that is not an address. */
  public static IpAddress parseOrNull(String text) {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    int prefix = -1;
    int slash = t.indexOf('/');
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        return null;
      }
      t = t.substring(0, slash);
    }
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    byte[] b = t.indexOf(':') >= 0 ? parse6(t) : parse4(t);
    if (b == null) {
      return null;
    }
    if (b.length == 16 && isV4Mapped(b)) {
      b = Arrays.copyOfRange(b, 12, 16);
      if (prefix >= 96) {
        prefix -= 96;
      }
    }
    int bits = b.length * 8;
    if (prefix > bits || prefix < -1) {
      return null;
    }
    if (prefix == bits) {
      prefix = -1;
    }
    return new IpAddress(mask(b, prefix), prefix);
  }

  /** The network of {@code width} bits that holds this address. */
  public IpAddress network(int width) {
    int bits = bytes.length * 8;
    if (width < 0 || width > bits) {
      throw new IllegalArgumentException("prefix " + width + " out of range 0-" + bits);
    }
    return new IpAddress(
        mask(bytes.clone(), width == bits ? -1 : width), width == bits ? -1 : width);
  }

  public boolean isV4() {
    return bytes.length == 4;
  }

  /** The prefix length of a network, or -1 for a single address. */
  public int prefix() {
    return prefix;
  }

  /** Whether this network contains the other address (or equals it). */
  public boolean contains(IpAddress other) {
    if (other.bytes.length != bytes.length) {
      return false;
    }
    int bits = prefix < 0 ? bytes.length * 8 : prefix;
    if (other.prefix >= 0 && other.prefix < bits) {
      return false;
    }
    // byte by byte, no copy: a ban by command checks each address against loopback, the host's
    // addresses and the ignore list
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      if ((byte) (other.bytes[i] & (0xff << (8 - keep))) != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  private static byte[] mask(byte[] b, int prefix) {
    if (prefix < 0) {
      return b;
    }
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] = (byte) (b[i] & (0xff << (8 - keep)));
    }
    return b;
  }

  private static byte[] parse4(String t) {
    String[] parts = t.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      b[i] = (byte) v;
    }
    return b;
  }

  private static byte[] parse6(String t) {
    int zone = t.indexOf('%');
    if (zone >= 0) {
      t = t.substring(0, zone);
    }
    byte[] tail4 = null;
    int lastColon = t.lastIndexOf(':');
    if (t.indexOf('.', lastColon) >= 0) {
      tail4 = parse4(t.substring(lastColon + 1));
      if (tail4 == null) {
        return null;
      }
      t = t.substring(0, lastColon + 1) + "0:0";
    }
    int dbl = t.indexOf("::");
    if (dbl >= 0 && t.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    // groups are read in place, without splitting the text into strings (a restore parses 100,000
    // addresses: the split's arrays and substrings were a quarter of its garbage)
    byte[] b = new byte[16];
    if (dbl >= 0) {
      int head = groups(t, 0, dbl, b, 0, 7);
      int tail = groupCount(t, dbl + 2, t.length());
      if (head < 0 || head + tail > 7 || groups(t, dbl + 2, t.length(), b, 8 - tail, tail) < 0) {
        return null;
      }
    } else if (groups(t, 0, t.length(), b, 0, 8) != 8) {
      return null;
    }
    if (tail4 != null) {
      System.arraycopy(tail4, 0, b, 12, 4);
    }
    return b;
  }

  /** How many groups {@code t[from, to)} has if split at each ':' (0 for an empty range). */
  private static int groupCount(String t, int from, int to) {
    if (from == to) {
      return 0;
    }
    int n = 1;
    for (int i = from; i < to; i++) {
      if (t.charAt(i) == ':') {
        n++;
      }
    }
    return n;
  }

  /**
   * Reads the ':'-separated groups of {@code t[from, to)} (1-4 hex digits each) into {@code b} from
   * group {@code at} on; returns how many there were, or -1 for a bad group or more than {@code
   * max}. An empty range has no groups.
   */
  private static int groups(String t, int from, int to, byte[] b, int at, int max) {
    if (from == to) {
      return 0;
    }
    int n = 0;
    int start = from;
    for (int i = from; i <= to; i++) {
      if (i < to && t.charAt(i) != ':') {
        continue;
      }
      if (n == max || !putGroup(b, at + n, t, start, i)) {
        return -1;
      }
      n++;
      start = i + 1;
    }
    return n;
  }

  private static boolean putGroup(byte[] b, int index, String t, int from, int to) {
    if (to == from || to - from > 4) {
      return false;
    }
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = hexDigit(t.charAt(i));
      if (d < 0) {
        return false;
      }
      v = v * 16 + d;
    }
    b[index * 2] = (byte) (v >> 8);
    b[index * 2 + 1] = (byte) v;
    return true;
  }

  /**
   * The value of an ASCII hex digit, or -1. Not {@link Character#digit}: it takes fullwidth and
   * other scripts' digits too, so a log's {@code 2001:db8::\uff11} was read as {@code 2001:db8::1}.
   */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  @Override
  public String toString() {
    // kept: an address is written into the store, the log, nft and conntrack alike
    String t = text;
    if (t == null) {
      String s = isV4() ? format4() : format6();
      t = prefix < 0 ? s : s + "/" + prefix;
      text = t;
    }
    return t;
  }

  private String format4() {
    return (bytes[0] & 0xff)
        + "."
        + (bytes[1] & 0xff)
        + "."
        + (bytes[2] & 0xff)
        + "."
        + (bytes[3] & 0xff);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private String format6() {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    // written into one array (at most 39 characters), not through a builder and a hex string per
    // group: a restore formats 100,000 addresses for nft
    char[] out = new char[39];
    int n = 0;
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out[n++] = ':';
        out[n++] = ':';
        i += bestLen - 1;
        continue;
      }
      if (n > 0 && out[n - 1] != ':') {
        out[n++] = ':';
      }
      int v = g[i];
      boolean started = false; // leading zeros are not written
      for (int shift = 12; shift >= 0; shift -= 4) {
        int d = (v >>> shift) & 0xf;
        if (d != 0 || started || shift == 0) {
          out[n++] = HEX[d];
          started = true;
        }
      }
    }
    return new String(out, 0, n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress a && a.prefix == prefix && Arrays.equals(a.bytes, bytes);
  }

  @Override
  public int hashCode() {
    // FNV-1a over the bytes: Arrays.hashCode (x31 per byte) gave 2001:db8:X:Y::1 addresses eight
    // to one hash (b6 * 31 + b7 repeats), so 100,000 of them filled HashMap's tree bins and a
    // reconcile's comparison with the bans spent most of its time in equals
    int h = 0x811c9dc5 ^ prefix;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}
