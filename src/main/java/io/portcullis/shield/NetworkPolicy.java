package io.portcullis.shield;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When a jail bans whole networks: per family, steps from the narrowest network to the widest. The
 * first step of a family counts banned addresses of one network; each further step counts networks
 * of the step before it that were banned. Written {@code netban6 = 64:5 48:3} (the /64 when 5 of
 * its addresses are banned within findtime, the /48 when 3 of its /64 are) and {@code netban4 =
 * 24:10}; {@code off} for none.
 */
public record NetworkPolicy(List<Step> v4, List<Step> v6) {
  /** Ban the network of {@code prefix} bits when {@code count} of its members are banned. */
  public record Step(int prefix, int count) {
    @Override
    public String toString() {
      return prefix + ":" + count;
    }
  }

  /** IPv6 /64 after 5 addresses, /48 after 3 of its /64; IPv4 never. */
  public static final NetworkPolicy DEFAULT =
      new NetworkPolicy(List.of(), List.of(new Step(64, 5), new Step(48, 3)));

  public static final String DEFAULT_V4 = "off";
  public static final String DEFAULT_V6 = "64:5 48:3";

  /** No network bans at all. */
  public static final NetworkPolicy OFF = new NetworkPolicy(List.of(), List.of());

  public NetworkPolicy {
    v4 = List.copyOf(v4);
    v6 = List.copyOf(v6);
  }

  public List<Step> steps(boolean ipv4) {
    return ipv4 ? v4 : v6;
  }

  /**
   * Parses one family's steps.
   *
   * @throws IllegalArgumentException saying what is wrong and what would be valid
   */
  public static List<Step> parse(String text, boolean ipv4) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    String example = ipv4 ? "24:10" : "64:5 48:3";
    if (t.isEmpty() || t.equals("off") || t.equals("false") || t.equals("no")) {
      return List.of();
    }
    int bits = ipv4 ? 32 : 128;
    int min = ipv4 ? 8 : 16;
    List<Step> out = new ArrayList<>();
    for (String part : t.split("[,\\s]+")) {
      if (part.isEmpty()) {
        continue;
      }
      String p = part.startsWith("/") ? part.substring(1) : part;
      int colon = p.indexOf(':');
      Step s = null;
      if (colon > 0) {
        try {
          s =
              new Step(
                  Integer.parseInt(p.substring(0, colon)),
                  Integer.parseInt(p.substring(colon + 1)));
        } catch (NumberFormatException e) {
          s = null;
        }
      }
      if (s == null) {
        throw new IllegalArgumentException(
            "'" + part + "' is not PREFIX:COUNT (try " + example + ", or off)");
      }
      if (s.prefix() < min || s.prefix() >= bits) {
        throw new IllegalArgumentException(
            "'"
                + part
                + "': the prefix must be from "
                + min
                + " to "
                + (bits - 1)
                + " (try "
                + example
                + ")");
      }
      if (s.count() < 2) {
        throw new IllegalArgumentException(
            "'" + part + "': the count must be at least 2 (try " + example + ")");
      }
      if (!out.isEmpty() && out.get(out.size() - 1).prefix() <= s.prefix()) {
        throw new IllegalArgumentException(
            "'"
                + part
                + "': each step must be a wider network (a smaller prefix) than the one before"
                + " (try "
                + example
                + ")");
      }
      out.add(s);
    }
    return out;
  }

  /** The policy as {@code netban4}/{@code netban6} would write it. */
  public static String format(List<Step> steps) {
    return steps.isEmpty() ? "off" : String.join(" ", steps.stream().map(Step::toString).toList());
  }
}
