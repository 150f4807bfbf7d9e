package io.portcullis.action;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A port of a firewall rule: a number, a range ({@code 10000-20000}, also written {@code
 * 10000:20000}) or a service name ({@code sip}, {@code ssh}) known to the machine.
 *
 * @param service the name, or null for a number or range
 */
public record Port(int from, int to, String service) {
  private static final Pattern RANGE = Pattern.compile("(\\d+)\\s*[-:]\\s*(\\d+)");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._+-]*");
  private static final String TRY = "try 5060,5061 or 10000-20000 or a service name such as sip";

  public Port {
    if (service == null && (from < 0 || to > 65_535 || from > to)) {
      throw new IllegalArgumentException("not a port range: " + from + "-" + to);
    }
  }

  /**
   * The ports of a {@code port} option, comma or space separated; empty for every port ({@code
   * 0:65535}, {@code all} or nothing).
   *
   * @param service whether a name is a known service
   * @throws IllegalArgumentException saying which part is wrong and what would be valid
   */
  public static List<Port> parseList(String text, Predicate<String> service) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (t.isEmpty() || t.equals("all") || t.equals("0:65535") || t.equals("0-65535")) {
      return List.of();
    }
    List<Port> out = new ArrayList<>();
    for (String item : t.split("\\s*,\\s*|\\s+")) {
      if (!item.isEmpty()) {
        out.add(parse(item, service));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no port given (" + TRY + ")");
    }
    return List.copyOf(out);
  }

  private static Port parse(String item, Predicate<String> service) {
    Matcher range = RANGE.matcher(item);
    if (range.matches()) {
      int from = number(range.group(1));
      int to = number(range.group(2));
      if (from > to) {
        throw new IllegalArgumentException(
            "the range " + item + " ends before it starts (" + TRY + ")");
      }
      return new Port(from, to, null);
    }
    if (NUMBER.matcher(item).matches()) {
      int n = number(item);
      return new Port(n, n, null);
    }
    if (NAME.matcher(item).matches()) {
      if (!service.test(item)) {
        throw new IllegalArgumentException(
            "'" + item + "' is not a service name known here (/etc/services; " + TRY + ")");
      }
      return new Port(0, 0, item);
    }
    throw new IllegalArgumentException(
        "'" + item + "' is not a port, a range or a service name (" + TRY + ")");
  }

  private static int number(String digits) {
    try {
      int n = Integer.parseInt(digits);
      if (n <= 65_535) {
        return n;
      }
    } catch (NumberFormatException tooLong) {
      // falls through
    }
    throw new IllegalArgumentException(digits + " is not a port number (0 to 65535)");
  }

  /** As nftables writes it: {@code 5060}, {@code 10000-20000}, {@code sip}. */
  public String nft() {
    return service != null ? service : from == to ? Integer.toString(from) : from + "-" + to;
  }

  /** As iptables' multiport writes it: {@code 5060}, {@code 10000:20000}, {@code sip}. */
  public String iptables() {
    return service != null ? service : from == to ? Integer.toString(from) : from + ":" + to;
  }
}
