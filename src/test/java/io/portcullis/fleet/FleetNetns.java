package io.portcullis.fleet;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fleet's network made by a test: a hub namespace with a bridge and Debian's {@code redis-server}
 * on 198.51.100.254, and one namespace per node (198.51.100.1, .2, ...) joined to the bridge by a
 * veth pair. Names carry the test's PID; {@link #close} removes everything, also after a failure.
 * Redis is stopped and started again by its PID.
 */
final class FleetNetns implements AutoCloseable {
  static final String REDIS_IP = "198.51.100.254";
  static final int REDIS_PORT = 6390;

  private final String id = Long.toString(ProcessHandle.current().pid());
  final String hub = "pc-fh-" + id;
  final List<String> nodes = new ArrayList<>();
  private final Path redisDir;
  private Process redis;
  private final List<Process> monitors = new ArrayList<>();

  FleetNetns(int count, Path redisDir) throws IOException, InterruptedException {
    this.redisDir = redisDir;
    try {
      Shell.sh("ip netns add " + hub);
      Shell.sh("ip -n " + hub + " link set lo up");
      Shell.sh("ip -n " + hub + " link add br0 type bridge");
      Shell.sh("ip -n " + hub + " addr add " + REDIS_IP + "/24 dev br0");
      Shell.sh("ip -n " + hub + " link set br0 up");
      for (int i = 0; i < count; i++) {
        String ns = "pc-f" + (char) ('a' + i) + "-" + id;
        String veth = "pf" + (char) ('a' + i) + id;
        Shell.sh("ip netns add " + ns);
        nodes.add(ns);
        Shell.sh("ip -n " + ns + " link set lo up");
        Shell.sh(
            "ip link add "
                + veth
                + " netns "
                + ns
                + " type veth peer name "
                + veth
                + "h netns "
                + hub);
        Shell.sh("ip -n " + hub + " link set " + veth + "h master br0");
        Shell.sh("ip -n " + hub + " link set " + veth + "h up");
        Shell.sh("ip -n " + ns + " addr add 198.51.100." + (i + 1) + "/24 dev " + veth);
        Shell.sh("ip -n " + ns + " link set " + veth + " up");
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The address the nodes reach Redis at. */
  static String redisUri() {
    return "redis://" + REDIS_IP + ":" + REDIS_PORT + "/0";
  }

  /**
   * Starts redis-server in the hub with its own directory (append-only file: a restart keeps what
   * it had) and waits until it answers.
   */
  void startRedis() throws IOException, InterruptedException {
    redis =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                hub,
                "redis-server",
                "--bind",
                REDIS_IP,
                "--port",
                Integer.toString(REDIS_PORT),
                "--dir",
                redisDir.toString(),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--protected-mode",
                "no",
                "--daemonize",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(redisDir.resolve("redis.out").toFile()))
            .start();
    Await.until(
        "redis-server to answer", Duration.ofSeconds(20), Await.quietly(this::redisAnswers));
  }

  private boolean redisAnswers() throws IOException, InterruptedException {
    return redisCli("PING").contains("PONG");
  }

  /** Runs redis-cli against the hub's Redis. */
  String redisCli(String args) throws IOException, InterruptedException {
    return Shell.sh(
        "ip netns exec " + hub + " redis-cli -h " + REDIS_IP + " -p " + REDIS_PORT + " " + args);
  }

  /** Stops redis-server by its PID (SIGTERM) and waits for it to end. */
  void stopRedis() throws InterruptedException {
    if (redis != null && redis.isAlive()) {
      redis.destroy();
      if (!redis.waitFor(10, TimeUnit.SECONDS)) {
        redis.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The addresses in a node's nftables set of a jail (IPv4). */
  String kernelSet(int node, String jail) throws IOException, InterruptedException {
    try {
      return Shell.sh(
          "ip netns exec " + nodes.get(node) + " nft list set inet portcullis " + jail + "-v4");
    } catch (IOException | RuntimeException e) {
      return ""; // no set yet
    }
  }

  /**
   * Starts {@code nft monitor} in a node's namespace: the returned map fills with each address that
   * arrives in one of its kernel sets and when (epoch milliseconds, the wall clock the servers'
   * logs use). Returns once the monitor sees a change made after it started.
   */
  java.util.Map<String, Long> monitor(int node) throws IOException, InterruptedException {
    String ns = nodes.get(node);
    Process p =
        new ProcessBuilder("ip", "netns", "exec", ns, "nft", "monitor", "new")
            .redirectErrorStream(true)
            .start();
    monitors.add(p);
    java.util.Map<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
    Thread reader =
        new Thread(
            () -> {
              try (java.io.BufferedReader in =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(
                          p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  long at = System.currentTimeMillis();
                  if (line.startsWith("add table inet fleet-ready")) {
                    seen.put("ready", at);
                  }
                  int brace = line.indexOf('{');
                  if (line.startsWith("add element ") && brace > 0) {
                    for (String word : line.substring(brace + 1).split("[\\s,{}]+")) {
                      var ip = io.portcullis.net.IpAddress.parseOrNull(word);
                      if (ip != null) {
                        seen.putIfAbsent(ip.toString(), at);
                      }
                    }
                  }
                }
              } catch (IOException e) {
                // the monitor was stopped
              }
            },
            "nft-monitor-" + node);
    reader.setDaemon(true);
    reader.start();
    Await.until(
        "nft monitor in " + ns,
        Duration.ofSeconds(10),
        Await.quietly(
            () -> {
              Shell.sh("ip netns exec " + ns + " nft add table inet fleet-ready");
              Shell.sh("ip netns exec " + ns + " nft delete table inet fleet-ready");
              return seen.remove("ready") != null;
            }));
    return seen;
  }

  /**
   * The server of node {@code i} (named a, b, c ...), not started, in its namespace, its home under
   * {@code dir}: the shipped asterisk filter, one jail reading {@code home/messages} with {@code
   * jailOptions} and the nftables firewall, and a {@code [fleet]} section with {@code fleetExtra}.
   */
  ServerProcess server(Path dir, int i, String fleetExtra, String jailOptions) throws IOException {
    String name = String.valueOf((char) ('a' + i));
    Path home = Files.createDirectories(dir.resolve(name));
    Path conf = Files.createDirectories(home.resolve("conf/filter.d"));
    Files.copy(
        Path.of("config/filter.d/asterisk.conf"),
        conf.resolve("asterisk.conf"),
        StandardCopyOption.REPLACE_EXISTING);
    Path log = home.resolve("messages");
    if (!Files.exists(log)) {
      Files.createFile(log);
    }
    Files.writeString(
        home.resolve("conf/portcullis.conf"),
        ServerProcess.settings(home)
            + "[fleet]\nredis = "
            + redisUri()
            + "\nnode = "
            + name
            + "\n"
            + fleetExtra);
    Files.writeString(
        home.resolve("conf/jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nlogtimezone = UTC\nignoreself = false\n"
            + jailOptions
            + "action = firewall[backend=nftables]\n");
    return new ServerProcess(
        prefix(i),
        List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
        home.resolve("conf"),
        home.resolve("s.sock"),
        home.resolve("server.out"));
  }

  /** The server log of node {@code i} made by {@link #server}, or why there is none. */
  static String serverLog(Path dir, int i) {
    try {
      return Files.readString(dir.resolve((char) ('a' + i) + "/server.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The prefix that runs a command inside a node's namespace. */
  List<String> prefix(int node) {
    return List.of("ip", "netns", "exec", nodes.get(node));
  }

  @Override
  public void close() {
    try {
      for (Process p : monitors) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      stopRedis();
      for (String ns : nodes) {
        new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
      }
      new ProcessBuilder("ip", "netns", "del", hub).start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      // best effort: the names carry the PID, a later run does not meet them
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
