package io.portcullis.action;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A transport protocol a firewall rule can match ports of. */
public enum Protocol {
  TCP,
  UDP,
  UDPLITE,
  SCTP,
  DCCP;

  /** As nft and iptables write it. */
  public String tool() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The protocols of a {@code protocol} option ({@code tcp}, {@code udp,tcp}); tcp and udp when it
   * is empty.
   *
   * @throws IllegalArgumentException saying what would be valid
   */
  public static List<Protocol> parseList(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      return List.of(TCP, UDP);
    }
    List<Protocol> out = new ArrayList<>();
    for (String item : t.split("\\s*,\\s*|\\s+")) {
      if (item.isEmpty()) {
        continue;
      }
      Protocol p = null;
      for (Protocol v : values()) {
        if (v.tool().equals(item)) {
          p = v;
        }
      }
      if (p == null) {
        throw new IllegalArgumentException(
            "'" + item + "' is not a protocol (try tcp, udp or tcp,udp)");
      }
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }
}
