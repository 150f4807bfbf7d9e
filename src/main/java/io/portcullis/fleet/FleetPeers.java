package io.portcullis.fleet;

import io.portcullis.net.IpAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses the nodes of a fleet publish about themselves, and the limits on what this node
 * takes from them: the addresses of trusted nodes pass this node's shields (rate limits, country
 * rules, network bans), so whoever can write into Redis must not be able to open them for arbitrary
 * addresses through it.
 *
 * <p>A node publishes its own addresses as one Redis value: single addresses separated by spaces.
 * This node takes a node's value only when it trusts the node's name ({@link
 * FleetSettings#trusts}), and only as a whole: at most {@link #MAX_ADDRESSES} single addresses,
 * none a network, loopback, unspecified, multicast or link-local, each written strictly. Anything
 * else is refused with the node name and the reason.
 */
public final class FleetPeers {
  /** The most addresses one node may publish. */
  public static final int MAX_ADDRESSES = 8;

  /** The most node names one read looks at. */
  public static final int MAX_NODES = 1_000;

  /** A node whose publication was refused, and why. */
  public record Refusal(String node, String reason) {}

  /** The trusted nodes' addresses, and what was refused. */
  public record Read(Map<String, List<IpAddress>> peers, List<Refusal> refused) {
    public Read {
      peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
      refused = List.copyOf(refused);
    }

    /** Every accepted address once, in node order. */
    public List<IpAddress> addresses() {
      List<IpAddress> out = new ArrayList<>();
      for (List<IpAddress> a : peers.values()) {
        for (IpAddress ip : a) {
          if (!out.contains(ip)) {
            out.add(ip);
          }
        }
      }
      return out;
    }
  }

  private FleetPeers() {}

  /** The value a node publishes: its addresses separated by spaces. */
  public static String value(List<IpAddress> addresses) {
    return String.join(" ", addresses.stream().map(IpAddress::toString).toList());
  }

  /**
   * What this node publishes: {@code override} when written, else those of its interfaces' {@code
   * host} addresses a peer can use (no loopback, link-local, unspecified or multicast), the first
   * {@link #MAX_ADDRESSES}.
   */
  public static List<IpAddress> publishable(List<IpAddress> override, List<IpAddress> host) {
    if (!override.isEmpty()) {
      return List.copyOf(override);
    }
    List<IpAddress> out = new ArrayList<>();
    for (IpAddress ip : host) {
      if (out.size() < MAX_ADDRESSES && problem(ip.toString()) == null && !out.contains(ip)) {
        out.add(ip);
      }
    }
    return out;
  }

  /**
   * Reads the published values of nodes (a null value: nothing published, or it expired) against
   * this node's trust. Nodes this node does not trust are refused when they published something;
   * this node's own name is skipped.
   */
  public static Read read(Map<String, String> published, FleetSettings settings) {
    Map<String, List<IpAddress>> peers = new LinkedHashMap<>();
    List<Refusal> refused = new ArrayList<>();
    for (Map.Entry<String, String> e : published.entrySet()) {
      String node = e.getKey();
      String value = e.getValue();
      if (value == null || node.equals(settings.node())) {
        continue;
      }
      if (!FleetSettings.NAME.matcher(node).matches()) {
        refused.add(new Refusal(shown(node), "not a node name"));
        continue;
      }
      if (!settings.trusts(node)) {
        refused.add(new Refusal(node, "not trusted here (trust = " + trustShown(settings) + ")"));
        continue;
      }
      String[] words = value.strip().isEmpty() ? new String[0] : value.strip().split("\\s+");
      if (words.length > MAX_ADDRESSES) {
        refused.add(
            new Refusal(
                node, words.length + " addresses published, at most " + MAX_ADDRESSES + " taken"));
        continue;
      }
      List<IpAddress> mine = new ArrayList<>();
      String bad = null;
      for (String w : words) {
        String problem = problem(w);
        if (problem != null) {
          bad = "'" + shown(w) + "' " + problem;
          break;
        }
        IpAddress ip = IpAddress.parse(w);
        if (!mine.contains(ip)) {
          mine.add(ip);
        }
      }
      if (bad != null) {
        refused.add(new Refusal(node, bad));
      } else if (!mine.isEmpty()) {
        peers.put(node, List.copyOf(mine));
      }
    }
    return new Read(peers, refused);
  }

  /**
   * What is wrong with one published word as a peer's address, or null when it is a single address
   * a peer can have.
   */
  public static String problem(String word) {
    if (word.indexOf('/') >= 0) {
      return "is a network: only single addresses are taken";
    }
    IpAddress ip = IpAddress.parseOrNull(word);
    if (ip == null || !ip.toString().equalsIgnoreCase(word.strip())) {
      return "is not an IP address written in its short form";
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(ip.toString()); // a literal: no name is looked up
    } catch (UnknownHostException e) {
      return "is not an IP address";
    }
    if (a.isLoopbackAddress()) {
      return "is a loopback address";
    }
    if (a.isAnyLocalAddress()) {
      return "is the unspecified address";
    }
    if (a.isMulticastAddress()) {
      return "is a multicast address";
    }
    if (a.isLinkLocalAddress()) {
      return "is a link-local address";
    }
    return null;
  }

  private static String trustShown(FleetSettings s) {
    return s.trustAll() ? "all" : s.trust().isEmpty() ? "none" : String.join(" ", s.trust());
  }

  /** A name or word from Redis, cut short and stripped of control characters, for a log line. */
  private static String shown(String text) {
    String t = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
