package io.portcullis.filter;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands fail2ban's tags in a (Python-syntax) filter regex: address tags such as {@code <HOST>}
 * become named groups ({@code ip4}, {@code ip6}, {@code dns}, ...), {@code <F-NAME>...</F-NAME>}
 * captures into group {@code name} ({@code F-ID} into {@code fid}, {@code F-PORT} into {@code
 * fport}), and {@code <SKIPLINES>} skips whole lines in a multi-line buffer.
 */
public final class FailTags {
  /** A dotted quad; a value above 255 is rejected later when the address is parsed. */
  static final String IP4 = "(?:\\d{1,3}\\.){3}\\d{1,3}";

  /** Hex groups with at most one "::" elision (checked when parsed). */
  static final String IP6 = "(?:[0-9a-fA-F]{1,4}::?|::?){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)";

  private static final String G_IP4 = "(?:::[fF]{4,6}:)?(?P<ip4>" + IP4 + ")";
  private static final String G_IP6 = "(?P<ip6>" + IP6 + ")";
  private static final String G_DNS = "(?P<dns>[\\w\\-.^_]*\\w)";
  private static final String G_CIDR = "(?P<cidr>\\d+)";
  private static final String G_ADDR = "\\[?(?:" + G_IP4 + "|" + G_IP6 + ")\\]?";
  private static final String G_HOST = "(?:" + G_ADDR + "|" + G_DNS + ")";
  private static final String G_SUBNET =
      "\\[?(?:" + G_IP4 + "|" + G_IP6 + ")(?:/" + G_CIDR + ")?\\]?";

  private static final Map<String, String> SIMPLE =
      Map.ofEntries(
          Map.entry("IP4", G_IP4),
          Map.entry("F-IP4/", G_IP4),
          Map.entry("IP6", G_IP6),
          Map.entry("F-IP6/", G_IP6),
          Map.entry("ADDR", G_ADDR),
          Map.entry("F-ADDR/", G_ADDR),
          Map.entry("CIDR", G_CIDR),
          Map.entry("F-CIDR/", G_CIDR),
          Map.entry("SUBNET", G_SUBNET),
          Map.entry("F-SUBNET/", G_SUBNET),
          Map.entry("DNS", G_DNS),
          Map.entry("F-DNS/", G_DNS),
          Map.entry("F-ID/", "(?P<fid>\\S+)"),
          Map.entry("F-PORT/", "(?P<fport>\\w+)"));

  private static final Pattern TAG = Pattern.compile("</?[\\w\\-]+/?>");
  private static final Pattern CUSTOM = Pattern.compile("^(/?)F-([A-Z0-9_\\-]+)$");

  private FailTags() {}

  /**
   * @param useDns false makes {@code <HOST>} accept addresses only (fail2ban's {@code usedns = no})
   */
  public static String expand(String regex, boolean useDns) {
    Set<String> open = new HashSet<>();
    int[] skipLines = {0};
    Matcher m = TAG.matcher(regex);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String tag = m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(replace(tag, useDns, open, skipLines)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String replace(String tag, boolean useDns, Set<String> open, int[] skipLines) {
    String name = tag.substring(1, tag.length() - 1);
    if (name.equals("HOST")) {
      return useDns ? G_HOST : G_ADDR;
    }
    if (name.equals("SKIPLINES")) {
      return "\\n(?P<skiplines" + skipLines[0]++ + ">(?:(?:.*\\n)*?))";
    }
    String simple = SIMPLE.get(name);
    if (simple != null) {
      return simple;
    }
    Matcher c = CUSTOM.matcher(name);
    if (!c.matches()) {
      return tag;
    }
    String field = c.group(2);
    if (!c.group(1).isEmpty()) {
      return open.contains(field) ? ")" : tag;
    }
    open.add(field);
    return "(?P<" + groupName(field) + ">";
  }

  /** The group a {@code <F-NAME>} tag captures into. */
  static String groupName(String field) {
    String lower = field.toLowerCase(Locale.ROOT);
    return switch (lower) {
      case "id" -> "fid";
      case "port" -> "fport";
      default -> lower;
    };
  }
}
