package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.ban.BanStore;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Await;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Ready" means protected: a server started on a store of 60,000 bans (two of the firewall's
 * batches), its nftables in a namespace of the test's own, has every one of them in the kernel set
 * at the moment its control socket first accepts, and at the moment systemd would hear READY=1
 * (NOTIFY_SOCKET points at the test's own datagram socket, which counts the set before it lets
 * systemd-notify return).
 */
class RestoreReadyIT {
  private static final String JAR = Path.of("target/portcullis.jar").toAbsolutePath().toString();
  private static final String JAIL = "ready";
  private static final int BANS = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  // regression: the server answered and said READY=1 while its restored bans were still queued
  // for the firewall (JailSet handed them to the action and went on)
  @Test
  void start_withManyStoredBans_readyOnlyWhenAllAreInTheKernel() throws Exception {
    String ns = "pc-rr-" + ProcessHandle.current().pid();
    Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
    Path socket = dir.resolve("s.sock");
    Path db = dir.resolve("db.sqlite3");
    Files.writeString(dir.resolve("messages"), "");
    Files.writeString(
        dir.resolve("conf/portcullis.conf"),
        "[Definition]\nlogtarget = "
            + dir.resolve("server.log")
            + "\nsocket = "
            + socket
            + "\npidfile = "
            + dir.resolve("p.pid")
            + "\ndbfile = "
            + db
            + "\nloglevel = INFO\nnetns = "
            + ns
            + "\nreconcileinterval = 1h\n");
    Files.writeString(
        dir.resolve("conf/jail.conf"),
        "["
            + JAIL
            + "]\nenabled = true\nfilter = asterisk\nlogpath = "
            + dir.resolve("messages")
            + "\nbantime = 1d\nlogtimezone = UTC\nignoreself = false\n"
            + "action = firewall[backend=nftables]\n");
    fillStore(db);
    Path notify = dir.resolve("notify.sock");
    Path heard = dir.resolve("heard.txt");
    Shell.sh("ip netns add " + ns);
    Process receiver = null;
    Process server = null;
    try {
      Shell.sh("ip -n " + ns + " link set lo up");
      receiver =
          new ProcessBuilder(
                  "python3",
                  Path.of("src/test/resources/systemd/notify-count.py").toAbsolutePath().toString(),
                  notify.toString(),
                  ns,
                  JAIL + "-v6",
                  "120")
              .redirectErrorStream(true)
              .redirectOutput(heard.toFile())
              .start();
      Await.until(
          "the stand-in notify socket", Duration.ofSeconds(10), () -> contains(heard, "listening"));
      ProcessBuilder pb =
          new ProcessBuilder("java", "-jar", JAR, "server", "--config", conf.getParent().toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("server.out").toFile());
      pb.environment().put("NOTIFY_SOCKET", notify.toString());
      server = pb.start();
      // the first moment the control socket accepts: polled tightly, then the set is read at once
      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!accepts(socket)) {
        assertThat(server.isAlive()).as("the server runs (see server.out)").isTrue();
        assertThat(System.nanoTime()).as("the control socket answers within 90 s").isLessThan(end);
        Thread.sleep(2);
      }
      int atSocket = kernelCount(ns);
      Await.until(
          "READY=1 from the server", Duration.ofSeconds(60), () -> contains(heard, "ready"));
      assertThat(atSocket).as("bans in the kernel when the socket first accepted").isEqualTo(BANS);
      assertThat(Files.readString(heard))
          .as("bans in the kernel when READY=1 arrived")
          .contains("ready elements=" + BANS);
      String log = Files.readString(dir.resolve("server.log"));
      assertThat(log).containsPattern("restored " + BANS + " bans for " + JAIL + " in \\d+ ms");
      // the readiness wait comes before the ready line
      assertThat(log.indexOf("restored " + BANS + " bans")).isLessThan(log.indexOf("Server ready"));
    } finally {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
          server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      if (receiver != null) {
        receiver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  // the start listed the 100,000 elements the kernel still held and compared them with the bans
  // before it was ready (seconds); now the restore re-adds them and the strays are settled after
  @Test
  void restart_ontoSetsTheKernelStillHolds_readyWithAll_straysSettledAfterReady() throws Exception {
    String ns = "pc-rs-" + ProcessHandle.current().pid();
    Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
    Path socket = dir.resolve("s.sock");
    Path db = dir.resolve("db.sqlite3");
    Path log = dir.resolve("server.log");
    Files.writeString(dir.resolve("messages"), "");
    Files.writeString(
        dir.resolve("conf/portcullis.conf"),
        "[Definition]\nlogtarget = "
            + log
            + "\nsocket = "
            + socket
            + "\npidfile = "
            + dir.resolve("p.pid")
            + "\ndbfile = "
            + db
            + "\nloglevel = INFO\nnetns = "
            + ns
            + "\nreconcileinterval = 1h\n");
    Files.writeString(
        dir.resolve("conf/jail.conf"),
        "["
            + JAIL
            + "]\nenabled = true\nfilter = asterisk\nlogpath = "
            + dir.resolve("messages")
            + "\nbantime = 1d\nlogtimezone = UTC\nignoreself = false\n"
            + "action = firewall[backend=nftables]\n");
    fillStore(db);
    String stray = "2001:db8:ffff::7";
    Shell.sh("ip netns add " + ns);
    Process server = null;
    try {
      Shell.sh("ip -n " + ns + " link set lo up");
      server = startServer(conf, socket);
      stop(server);
      assertThat(kernelCount(ns))
          .as("the kernel keeps the sets while the server is down")
          .isEqualTo(BANS);
      // an element the store does not know (a ban it had not written when the server died)
      Shell.sh(
          "ip netns exec "
              + ns
              + " nft add element inet portcullis "
              + JAIL
              + "-v6 '{ "
              + stray
              + " timeout 1h }'");
      long before = Files.size(log);
      server = startServer(conf, socket);
      assertThat(kernelCount(ns))
          .as("bans in the kernel when the socket first accepted")
          .isEqualTo(BANS + 1);
      Await.until(
          "the stray settled after ready",
          Duration.ofSeconds(60),
          () -> second(log, before).contains("kernel settled against the bans in force"));
      String second = second(log, before);
      assertThat(second).containsPattern("restored " + BANS + " bans for " + JAIL + " in \\d+ ms");
      assertThat(second.indexOf("Server ready"))
          .as("the kernel is listed only after ready")
          .isLessThan(second.indexOf("kernel settled against the bans in force"))
          .isGreaterThan(second.indexOf("restored " + BANS + " bans"));
      assertThat(second).contains("1 element(s) no ban in force explained: adopted as bans");
      assertThat(kernelCount(ns)).isEqualTo(BANS + 1);
    } finally {
      if (server != null) {
        stop(server);
      }
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process startServer(Path conf, Path socket) throws Exception {
    Files.deleteIfExists(socket);
    Process server =
        new ProcessBuilder("java", "-jar", JAR, "server", "--config", conf.getParent().toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile()))
            .start();
    Process running = server;
    Await.until(
        "the control socket answers (see server.out)",
        Duration.ofSeconds(90),
        () -> {
          assertThat(running.isAlive()).as("the server runs (see server.out)").isTrue();
          return accepts(socket);
        });
    return server;
  }

  private static void stop(Process server) throws InterruptedException {
    server.destroy();
    if (!server.waitFor(30, TimeUnit.SECONDS)) {
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The log written since {@code from} bytes. */
  private static String second(Path log, long from) {
    try {
      String all = Files.readString(log);
      return all.substring((int) Math.min(from, all.length()));
    } catch (IOException e) {
      return "";
    }
  }

  /** BANS active bans of a day, addresses in 2001:db8::/32. */
  private static void fillStore(Path db) throws Exception {
    Instant now = Instant.now();
    try (BanStore s = BanStore.open(db)) {
      s.inTransaction(
          () -> {
            for (int i = 0; i < BANS; i++) {
              IpAddress ip =
                  IpAddress.parse(String.format("2001:db8:%x:%x::1", 0x100 + i / 65536, i % 65536));
              s.addBan(
                  new BanDecision(
                      JAIL, ip.toString(), ip, now, Duration.ofDays(1), 1, 5, List.of()));
            }
          });
    }
  }

  private static boolean accepts(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      return c.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  private static int kernelCount(String ns) throws IOException, InterruptedException {
    String json =
        Shell.sh("ip netns exec " + ns + " nft -j list set inet portcullis " + JAIL + "-v6");
    int n = 0;
    for (JsonNode item : JSON.readTree(json).path("nftables")) {
      n += item.path("set").path("elem").size();
    }
    return n;
  }

  private static boolean contains(Path file, String text) {
    try {
      return Files.isRegularFile(file) && Files.readString(file).contains(text);
    } catch (IOException e) {
      return false;
    }
  }
}
