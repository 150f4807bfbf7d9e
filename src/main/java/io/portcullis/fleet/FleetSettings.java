package io.portcullis.fleet;

import io.portcullis.config.ConfigException;
import io.portcullis.config.Durations;
import io.portcullis.config.IniConfig;
import io.portcullis.config.Origin;
import io.portcullis.net.IpAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code [fleet]} section of {@code portcullis.conf}: which Redis the nodes share bans through,
 * this node's name, which jails' bans it publishes and whose bans it applies. Off unless {@code
 * redis} is written.
 *
 * <pre>
 * [fleet]
 * redis = redis://127.0.0.1:6379/0
 * node = pbx-1
 * share = asterisk sshd
 * accept = all
 * trust = pbx-2 pbx-3
 * address = 192.0.2.7
 * refresh = 10s
 * </pre>
 *
 * @param redis {@code redis://} or {@code rediss://} (TLS), with {@code user:password@} if needed
 * @param share jails whose bans are published; empty: all
 * @param accept jail or node names whose bans are applied here; empty: all
 * @param prefix the start of every Redis key this fleet uses (several fleets can share one Redis)
 * @param maxlen the stream keeps about this many events (XADD MAXLEN ~)
 * @param queue events kept while Redis cannot be reached; beyond it the oldest go (counted)
 * @param trust node names whose published addresses pass this node's shields (rate limits, country
 *     rules, network bans); empty: none (unless {@code trustAll})
 * @param trustAll {@code trust = all}: every node that publishes, within {@link FleetPeers}' limits
 * @param address the addresses this node publishes instead of its interfaces' (a node behind NAT);
 *     empty: its interfaces' own
 * @param refresh how often this node publishes its addresses and reads the others'; a node's
 *     publication lives three times as long
 */
public record FleetSettings(
    URI redis,
    String node,
    Set<String> share,
    Set<String> accept,
    String prefix,
    long maxlen,
    int queue,
    Set<String> trust,
    boolean trustAll,
    List<IpAddress> address,
    Duration refresh,
    Origin origin) {
  /** Node names, jail names and the key prefix: what can go into a Redis key and a log line. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  public FleetSettings {
    share = Set.copyOf(share);
    accept = Set.copyOf(accept);
    trust = Set.copyOf(trust);
    address = List.copyOf(address);
    if (!NAME.matcher(node).matches()) {
      throw new IllegalArgumentException("not a node name: " + node);
    }
    if (refresh.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("refresh under 1 s: " + refresh);
    }
  }

  /** A fleet that trusts no node's addresses and publishes its interfaces' every 10 s. */
  public FleetSettings(
      URI redis,
      String node,
      Set<String> share,
      Set<String> accept,
      String prefix,
      long maxlen,
      int queue,
      Origin origin) {
    this(
        redis,
        node,
        share,
        accept,
        prefix,
        maxlen,
        queue,
        Set.of(),
        false,
        List.of(),
        DEFAULT_REFRESH,
        origin);
  }

  /** The default of {@code refresh}. */
  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(10);

  /** How long a node's published addresses live without a refresh: three refreshes. */
  public Duration peerTtl() {
    return refresh.multipliedBy(3);
  }

  /** Whether the addresses {@code fromNode} publishes pass this node's shields. */
  public boolean trusts(String fromNode) {
    return !fromNode.equals(node) && (trustAll || trust.contains(fromNode));
  }

  /** Whether this node reads the other nodes' addresses at all. */
  public boolean trustsAny() {
    return trustAll || !trust.isEmpty();
  }

  /** Whether this node publishes the bans of a jail. */
  public boolean shares(String jail) {
    return share.isEmpty() || share.contains(jail);
  }

  /** Whether this node applies a ban that {@code node} decided in {@code jail}. */
  public boolean accepts(String jail, String fromNode) {
    return accept.isEmpty() || accept.contains(jail) || accept.contains(fromNode);
  }

  /** The Redis address without its password, for status and the log. */
  public String redisShown() {
    String user = redis.getUserInfo();
    String shown = redis.toString();
    if (user != null) {
      int colon = user.indexOf(':');
      String hidden = colon < 0 ? "***" : user.substring(0, colon) + ":***";
      shown = shown.replace(redis.getRawUserInfo() + "@", hidden + "@");
    }
    return shown;
  }

  /**
   * Reads {@code [fleet]} of a config dir's {@code portcullis.conf} (its .local and .d files
   * included); null when there is no such section or no {@code redis}.
   *
   * @throws ConfigException every problem, with file:line
   */
  public static FleetSettings read(Path configDir) {
    if (!Files.isRegularFile(configDir.resolve("portcullis.conf"))
        && !Files.isRegularFile(configDir.resolve("portcullis.local"))) {
      return null;
    }
    IniConfig ini = IniConfig.load(configDir, "portcullis");
    if (!ini.hasSection("fleet")) {
      return null;
    }
    String redis = ini.get("fleet", "redis").map(String::strip).orElse("");
    if (redis.isEmpty()) {
      return null;
    }
    List<ConfigException> problems = new ArrayList<>();
    URI uri = null;
    try {
      uri = redisUri(redis);
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigException(ini.origin("fleet", "redis"), "redis: " + e.getMessage()));
    }
    String node = ini.get("fleet", "node").map(String::strip).orElse("");
    if (node.isEmpty()) {
      node = hostName();
    } else if (!NAME.matcher(node).matches()) {
      problems.add(
          new ConfigException(
              ini.origin("fleet", "node"),
              "node: '"
                  + node
                  + "' is not a node name (letters, digits, '.', '_', '-', '@', up to 64)"));
    }
    Set<String> share = names(ini, "share", problems);
    Set<String> accept = names(ini, "accept", problems);
    String prefix = ini.get("fleet", "prefix").map(String::strip).orElse("portcullis");
    if (!NAME.matcher(prefix).matches()) {
      problems.add(
          new ConfigException(
              ini.origin("fleet", "prefix"),
              "prefix: '" + prefix + "' is not a key prefix (letters, digits, '.', '_', '-')"));
    }
    long maxlen = number(ini, "maxlen", 100_000, 1_000, 100_000_000, problems);
    long queue = number(ini, "queue", 100_000, 100, 10_000_000, problems);
    String trustText = ini.get("fleet", "trust").map(String::strip).orElse("none");
    boolean trustAll = trustText.equals("all");
    Set<String> trust =
        trustAll || trustText.equals("none") ? Set.of() : names(ini, "trust", problems);
    List<IpAddress> address = addresses(ini, problems);
    Duration refresh = DEFAULT_REFRESH;
    String refreshText = ini.get("fleet", "refresh").map(String::strip).orElse(null);
    if (refreshText != null) {
      try {
        refresh = Durations.parse(refreshText);
        if (refresh.compareTo(Duration.ofSeconds(1)) < 0
            || refresh.compareTo(Duration.ofHours(1)) > 0) {
          throw new IllegalArgumentException("out of range");
        }
      } catch (IllegalArgumentException e) {
        problems.add(
            new ConfigException(
                ini.origin("fleet", "refresh"),
                "refresh: '" + refreshText + "' is not a time from 1s to 1h (try 10s)"));
        refresh = DEFAULT_REFRESH;
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigException.of(problems);
    }
    return new FleetSettings(
        uri,
        node,
        share,
        accept,
        prefix,
        maxlen,
        (int) queue,
        trust,
        trustAll,
        address,
        refresh,
        ini.origin("fleet", "redis"));
  }

  /**
   * {@code address}: single addresses peers can reach this node at, at most {@link FleetPeers}'.
   */
  private static List<IpAddress> addresses(IniConfig ini, List<ConfigException> problems) {
    String value = ini.get("fleet", "address").map(String::strip).orElse("");
    List<IpAddress> out = new ArrayList<>();
    if (value.isEmpty()) {
      return out;
    }
    for (String word : value.split("[\\s,]+")) {
      String problem = FleetPeers.problem(word);
      if (problem != null) {
        problems.add(
            new ConfigException(
                ini.origin("fleet", "address"),
                "address: '"
                    + word
                    + "' "
                    + problem
                    + " (write this node's own addresses as its peers see them, such as"
                    + " 192.0.2.7 2001:db8::7)"));
      } else if (!out.contains(IpAddress.parse(word))) {
        out.add(IpAddress.parse(word));
      }
    }
    if (out.size() > FleetPeers.MAX_ADDRESSES) {
      problems.add(
          new ConfigException(
              ini.origin("fleet", "address"),
              "address: "
                  + out.size()
                  + " addresses, at most "
                  + FleetPeers.MAX_ADDRESSES
                  + " (the other nodes refuse more)"));
    }
    return out;
  }

  /** A Redis URI as Jedis takes it; only redis:// and rediss:// with a host. */
  static URI redisUri(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a URI (try redis://127.0.0.1:6379/0)");
    }
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a redis:// or rediss:// (TLS) address (try redis://127.0.0.1:6379/0)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "'" + text + "' has no host (try redis://127.0.0.1:6379/0)");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (!path.isEmpty() && !path.matches("/\\d{0,2}")) {
      throw new IllegalArgumentException(
          "'" + text + "': '" + path + "' is not a database number (try /0)");
    }
    return uri;
  }

  private static Set<String> names(IniConfig ini, String key, List<ConfigException> problems) {
    String value = ini.get("fleet", key).map(String::strip).orElse("all");
    Set<String> out = new LinkedHashSet<>();
    if (value.equals("all")) {
      return out;
    }
    for (String word : value.split("[\\s,]+")) {
      if (word.equals("all")) {
        problems.add(
            new ConfigException(
                ini.origin("fleet", key),
                key + ": 'all' with names makes no sense (write all, or names only)"));
      } else if (!NAME.matcher(word).matches()) {
        problems.add(
            new ConfigException(
                ini.origin("fleet", key), key + ": '" + word + "' is not a jail or node name"));
      } else {
        out.add(word);
      }
    }
    if (out.isEmpty() && problems.isEmpty()) {
      problems.add(
          new ConfigException(
              ini.origin("fleet", key), key + ": empty (write all, or jail names)"));
    }
    return out;
  }

  private static long number(
      IniConfig ini, String key, long dflt, long min, long max, List<ConfigException> problems) {
    String value = ini.get("fleet", key).map(String::strip).orElse(null);
    if (value == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(
        new ConfigException(
            ini.origin("fleet", key),
            key + ": '" + value + "' is not a number from " + min + " to " + max));
    return dflt;
  }

  private static String hostName() {
    try {
      String h = InetAddress.getLocalHost().getHostName();
      return NAME.matcher(h).matches() ? h : "node";
    } catch (UnknownHostException e) {
      return "node";
    }
  }
}
