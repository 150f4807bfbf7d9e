package io.portcullis.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14's acceptance: three servers, each a real process in its own network namespace, share
 * bans through Debian's redis-server in a fourth. A ban on A reaches B's and C's kernel sets; C's
 * ignoreip keeps its address out; an unban on A lifts it everywhere; bans A makes while Redis is
 * down are queued and arrive once Redis is back; a node that was stopped catches up on start,
 * including an unban made while it was away.
 */
class FleetNetnsIT {
  private static final String JAIL = "asterisk";
  private static final String X1 = "203.0.113.10";
  private static final String IGNORED_BY_C = "203.0.113.20";
  private static final String X3 = "203.0.113.30";
  private static final String X4 = "203.0.113.40";
  private static final String X5 = "203.0.113.50";
  private static final Duration QUICKLY = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final List<ServerProcess> servers = new ArrayList<>();

  private ServerProcess node(FleetNetns net, int i) throws IOException {
    return net.server(
        dir,
        i,
        "",
        "maxretry = 3\nbantime = 1h\n" + (i == 2 ? "ignoreip = " + IGNORED_BY_C + "\n" : ""));
  }

  private void awaitInKernel(FleetNetns net, int node, String ip) throws InterruptedException {
    Await.until(
        ip + " in node " + node + "'s kernel set",
        QUICKLY,
        Await.quietly(() -> net.kernelSet(node, JAIL).contains(ip)),
        () -> serverLog(node));
  }

  private void awaitNotInKernel(FleetNetns net, int node, String ip) throws InterruptedException {
    Await.until(
        ip + " out of node " + node + "'s kernel set",
        QUICKLY,
        Await.quietly(() -> !net.kernelSet(node, JAIL).contains(ip)),
        () -> serverLog(node));
  }

  private static String quietCli(ServerProcess s, String... args) {
    try {
      return s.cli(args);
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  private String serverLog(int node) {
    return FleetNetns.serverLog(dir, node);
  }

  /**
   * From A's decision (the time of its "Ban" log line) to the address in B's kernel set ({@code nft
   * monitor}), over {@code fleet.latency.bans} bans (20 here; bench/fleet.sh asks for more and the
   * issue's bound, p99 <= {@code fleet.latency.p99} ms; the test's bound is loose for a loaded
   * machine).
   */
  private void latency(FleetNetns net, ServerProcess a) throws Exception {
    int n = Integer.getInteger("fleet.latency.bans", 20);
    long bound = Long.getLong("fleet.latency.p99", 1_000);
    java.util.Map<String, Long> inB = net.monitor(1);
    List<String> ips = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String ip = "2001:db8:f::" + Integer.toHexString(i);
      ips.add(ip);
      a.cli("ban", JAIL, ip);
    }
    Await.until(
        n + " bans in B's kernel",
        Duration.ofSeconds(10 + n),
        () -> inB.keySet().containsAll(ips),
        () -> inB.size() + " of " + n);
    java.util.Map<String, Long> decided = new java.util.HashMap<>();
    Await.until(
        "A's log to show the " + n + " bans",
        QUICKLY,
        () -> {
          decided.putAll(banTimes(serverLog(0)));
          return decided.keySet().containsAll(ips);
        });
    long[] ms = ips.stream().mapToLong(ip -> inB.get(ip) - decided.get(ip)).sorted().toArray();
    long p50 = ms[(ms.length - 1) / 2];
    long p99 = ms[(int) Math.ceil(ms.length * 0.99) - 1];
    System.out.printf(
        "FleetNetnsIT latency: %d bans, from A's decision to B's kernel set: p50 %d ms, p99 %d ms,"
            + " max %d ms%n",
        n, p50, p99, ms[ms.length - 1]);
    assertThat(p99)
        .as("p99 of %d bans, ms (all: %s)", n, java.util.Arrays.toString(ms))
        .isLessThanOrEqualTo(bound);
  }

  private static final java.util.regex.Pattern BAN_LINE =
      java.util.regex.Pattern.compile(
          "^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}) .*\\[asterisk] Ban (\\S+) for ",
          java.util.regex.Pattern.MULTILINE);

  /** When A's log says each address was banned (epoch ms). */
  private static java.util.Map<String, Long> banTimes(String log) {
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    java.util.regex.Matcher m = BAN_LINE.matcher(log);
    java.time.format.DateTimeFormatter f =
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    while (m.find()) {
      out.put(
          m.group(2),
          java.time.LocalDateTime.parse(m.group(1), f)
              .atZone(java.time.ZoneId.systemDefault())
              .toInstant()
              .toEpochMilli());
    }
    return out;
  }

  @Test
  void banOnA_reachesBAndC_respectsIgnoreip_unbanPropagates_survivesRedisRestart_andCatchUp()
      throws Exception {
    try (FleetNetns net = new FleetNetns(3, Files.createDirectories(dir.resolve("redis")))) {
      net.startRedis();
      for (int i = 0; i < 3; i++) {
        servers.add(node(net, i));
      }
      for (ServerProcess s : servers) {
        s.start();
      }
      ServerProcess a = servers.get(0);
      ServerProcess b = servers.get(1);
      ServerProcess c = servers.get(2);
      for (ServerProcess s : servers) {
        Await.until(
            "every node connected to Redis",
            QUICKLY,
            Await.quietly(() -> s.cli("status").contains(", connected to redis://")),
            () -> quietCli(s, "status") + serverLog(servers.indexOf(s)));
      }

      // a ban on A is in B's and C's kernel sets, shown there as remote from node a
      assertThat(a.cli("ban", JAIL, X1)).doesNotContain("error");
      awaitInKernel(net, 1, X1);
      awaitInKernel(net, 2, X1);
      assertThat(b.cli("banned", X1)).contains("remote, from node a");
      assertThat(a.cli("banned", X1)).doesNotContain("remote");

      // C ignores an address: B bans it, C does not
      a.cli("ban", JAIL, IGNORED_BY_C);
      awaitInKernel(net, 1, IGNORED_BY_C);
      Await.until(
          "C to refuse the ban of its ignored address",
          QUICKLY,
          () -> serverLog(2).contains("Ignore the ban of " + IGNORED_BY_C + " from node a"));
      assertThat(net.kernelSet(2, JAIL)).doesNotContain(IGNORED_BY_C);
      assertThat(c.cli("banned", IGNORED_BY_C)).contains("is not banned");

      // an unban on A lifts the ban on B and C
      a.cli("unban", X1);
      awaitNotInKernel(net, 1, X1);
      awaitNotInKernel(net, 2, X1);

      // Redis stops: A bans on, queues the event and says so; Redis back, the ban arrives
      net.stopRedis();
      a.cli("ban", JAIL, X3);
      Await.until(
          "A's status to say Redis is unreachable and the event is queued",
          QUICKLY,
          Await.quietly(
              () -> {
                String st = a.cli("status");
                return st.contains("NOT CONNECTED") && st.contains("1 event(s) queued");
              }));
      assertThat(net.kernelSet(0, JAIL)).contains(X3);
      net.startRedis();
      awaitInKernel(net, 1, X3);
      awaitInKernel(net, 2, X3);
      Await.until(
          "A's queue to empty",
          QUICKLY,
          Await.quietly(() -> a.cli("status").contains("0 event(s) queued")));

      // C stops (a shortened "minute": catching up reads the keys, however long it was away);
      // meanwhile A bans X4 and lifts X3; C catches up on start
      c.stop();
      a.cli("ban", JAIL, X4);
      a.cli("unban", X3);
      awaitInKernel(net, 1, X4);
      awaitNotInKernel(net, 1, X3);
      c.start();
      awaitInKernel(net, 2, X4);
      awaitNotInKernel(net, 2, X3);
      assertThat(net.kernelSet(2, JAIL)).doesNotContain(IGNORED_BY_C);
      assertThat(c.cli("banned", X4)).contains("remote, from node a");

      // and a ban that C decides goes the other way, once (no echo back to C)
      c.cli("ban", JAIL, X5);
      awaitInKernel(net, 0, X5);
      awaitInKernel(net, 1, X5);
      assertThat(a.cli("banned", X5)).contains("remote, from node c");
      assertThat(net.redisCli("XLEN portcullis:events").strip())
          .as("one event per ban and unban, none echoed")
          .isEqualTo("7");
      latency(net, a);
      for (ServerProcess s : servers) {
        s.stop();
      }
    } finally {
      servers.forEach(ServerProcess::close);
    }
  }
}
