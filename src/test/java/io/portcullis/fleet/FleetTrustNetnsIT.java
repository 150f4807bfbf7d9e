package io.portcullis.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15, part 1, "fleet-trusted nodes": two servers, each a real process in its own network
 * namespace, share Debian's redis-server in a third. A's jail limits each source to 5 packets in 10
 * s; A trusts node B. A UDP flood from B's address is not limited, while the same flood from a
 * third namespace's address (no fleet node) is. B stops: once its published addresses expired, its
 * flood is limited again.
 */
class FleetTrustNetnsIT {
  private static final String JAIL = "asterisk";
  private static final String A_IP = "198.51.100.1";
  private static final String B_IP = "198.51.100.2";
  private static final String C_IP = "198.51.100.3";
  private static final Duration QUICKLY = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final List<ServerProcess> servers = new ArrayList<>();

  private ServerProcess node(FleetNetns net, int i, String fleetExtra, String jailExtra)
      throws IOException {
    return net.server(
        dir,
        i,
        "refresh = 1s\n" + fleetExtra,
        "maxretry = 100000\nbantime = 1h\nport = 5060\nprotocol = udp\n" + jailExtra);
  }

  /** 40 UDP packets to A's SIP port from a namespace, as fast as bash sends them. */
  private static void flood(FleetNetns net, int from) throws IOException, InterruptedException {
    Shell.sh(
        "ip netns exec "
            + net.nodes.get(from)
            + " bash -c 'for i in $(seq 1 40); do echo OPTIONS >/dev/udp/"
            + A_IP
            + "/5060; done'");
  }

  /** The sources A's first rate-limit rule found over its limit (the kernel's own set). */
  private static String limitedOnA(FleetNetns net) {
    try {
      return Shell.sh(
          "ip netns exec "
              + net.nodes.get(0)
              + " nft list set inet portcullis "
              + JAIL
              + "-v4-rl0-over");
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  private static String shieldExemptionOnA(FleetNetns net) throws Exception {
    return Shell.sh(
        "ip netns exec "
            + net.nodes.get(0)
            + " nft list set inet portcullis "
            + JAIL
            + "-v4-allow");
  }

  private String serverLog(int node) {
    return FleetNetns.serverLog(dir, node);
  }

  @Test
  void floodFromTrustedNode_isNotLimited_fromOtherAddress_is_andAgainOnceTheNodeExpired()
      throws Exception {
    try (FleetNetns net = new FleetNetns(3, Files.createDirectories(dir.resolve("redis")))) {
      net.startRedis();
      ServerProcess a =
          node(net, 0, "trust = b\n", "ratelimit = 5/10s drop\nratelimitfailure = no\n");
      ServerProcess b = node(net, 1, "", "");
      servers.add(a);
      servers.add(b);
      for (ServerProcess s : servers) {
        s.start();
      }
      // a writer into Redis names a node A does not trust: refused, said with its name
      net.redisCli("SET portcullis:node:mallory 203.0.113.66 PX 600000");
      net.redisCli("ZADD portcullis:nodes 99999999999999 mallory");
      Await.until(
          "A trusts node b's address, refuses mallory",
          QUICKLY,
          Await.quietly(
              () -> {
                String st = a.cli("status");
                return st.contains("trusted nodes (pass the shields): b (" + B_IP + ")")
                    && st.contains("mallory: not trusted here (trust = b)");
              }),
          () -> serverLog(0) + serverLog(1));
      assertThat(shieldExemptionOnA(net)).contains(B_IP).doesNotContain("203.0.113.66");
      assertThat(a.cli("why", B_IP)).contains("address of trusted node b");
      assertThat(a.cli("why", C_IP)).doesNotContain("trusted node");
      assertThat(serverLog(0))
          .contains("Fleet: the addresses of node mallory are refused: not trusted here");

      // the same flood from B (trusted) and from C (no fleet node): only C is limited
      flood(net, 1);
      flood(net, 2);
      Await.until(
          "C's flood over A's limit",
          QUICKLY,
          () -> limitedOnA(net).contains(C_IP),
          () -> limitedOnA(net) + serverLog(0));
      assertThat(limitedOnA(net)).as("the trusted node's flood").doesNotContain(B_IP);

      // B stops: its publication expires (3 refreshes of 1 s), A drops it, its flood is limited
      b.stop();
      Await.until(
          "B's address out of A's exemption",
          QUICKLY,
          Await.quietly(() -> !shieldExemptionOnA(net).contains(B_IP)),
          () -> serverLog(0));
      assertThat(a.cli("status")).doesNotContain("b (" + B_IP + ")");
      flood(net, 1);
      Await.until(
          "B's flood over A's limit once B expired",
          QUICKLY,
          () -> limitedOnA(net).contains(B_IP),
          () -> limitedOnA(net) + serverLog(0));
    } finally {
      servers.forEach(ServerProcess::close);
    }
  }
}
