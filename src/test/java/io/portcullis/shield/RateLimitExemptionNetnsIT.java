package io.portcullis.shield;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.action.FirewallBackend;
import io.portcullis.action.NftablesBackend;
import io.portcullis.action.Port;
import io.portcullis.action.Protocol;
import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import io.portcullis.testing.Await;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #15, part 1, "Exempt": in the kernel, with the nftables backend in a network namespace, the
 * same UDP flood to a jail's port is limited from an ordinary source and passes from an ignored
 * address (ignoreip), an allowed one (after a login, or a registered phone: the allowed set) and a
 * trusted fleet node's address; an IPv6 source is limited as its /64.
 */
class RateLimitExemptionNetnsIT {
  private static final String PBX = "198.51.100.1";
  private static final String OTHER = "203.0.113.1";
  private static final String IGNORED = "203.0.113.2";
  private static final String ALLOWED = "203.0.113.3";
  private static final String FLEET_NODE = "203.0.113.4";
  private static final String JAIL = "asterisk";
  private static final String PBX6 = "2001:db8:1::1";
  private static final String SOURCE6 = "2001:db8:66::7";

  private final String id = Long.toString(ProcessHandle.current().pid());
  private final String pbx = "pc-rlp-" + id;
  private final String client = "pc-rlc-" + id;

  private void network() throws IOException, InterruptedException {
    String a = "prp" + id;
    String b = "prc" + id;
    Shell.sh("ip netns add " + pbx);
    Shell.sh("ip netns add " + client);
    Shell.sh(
        "ip link add " + a + " netns " + pbx + " type veth peer name " + b + " netns " + client);
    Shell.sh("ip -n " + pbx + " link set lo up");
    Shell.sh("ip -n " + client + " link set lo up");
    Shell.sh("ip -n " + pbx + " addr add " + PBX + "/24 dev " + a);
    Shell.sh("ip -n " + pbx + " addr add " + PBX6 + "/64 dev " + a + " nodad");
    Shell.sh("ip -n " + pbx + " link set " + a + " up");
    Shell.sh("ip -n " + pbx + " route add 203.0.113.0/24 dev " + a);
    for (String ip : List.of(OTHER, IGNORED, ALLOWED, FLEET_NODE)) {
      Shell.sh("ip -n " + client + " addr add " + ip + "/24 dev " + b);
    }
    Shell.sh("ip -n " + client + " addr add " + SOURCE6 + "/64 dev " + b + " nodad");
    Shell.sh("ip -n " + client + " link set " + b + " up");
    Shell.sh("ip -n " + pbx + " route add 2001:db8:66::/64 dev " + a);
    Shell.sh("ip -n " + client + " route add 2001:db8:1::/64 dev " + b);
    Shell.sh("ip -n " + client + " route add 198.51.100.0/24 dev " + b);
  }

  private void cleanUp() {
    for (String ns : List.of(pbx, client)) {
      try {
        new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
      } catch (IOException e) {
        // best effort: the names carry the PID
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** 40 UDP packets to the PBX's port 5060 from one of the client's addresses. */
  private void flood(String from) throws IOException, InterruptedException {
    boolean v6 = from.contains(":");
    Shell.sh(
        "ip netns exec "
            + client
            + " python3 -c 'import socket\n"
            + "s = socket.socket(socket.AF_INET"
            + (v6 ? "6" : "")
            + ", socket.SOCK_DGRAM)\n"
            + "s.bind((\""
            + from
            + "\", 0))\n"
            + "for i in range(40): s.sendto(b\"OPTIONS\", (\""
            + (v6 ? PBX6 : PBX)
            + "\", 5060))'");
  }

  private String limited() {
    try {
      return Shell.sh(
          "ip netns exec " + pbx + " nft list set inet portcullis " + JAIL + "-v4-rl0-over");
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  @Test
  void sameFlood_isLimitedFromAnOrdinarySource_passesFromIgnoredAllowedAndFleetAddresses()
      throws Exception {
    List<String> log = new ArrayList<>();
    try {
      network();
      NftablesBackend fw =
          new NftablesBackend(
              new ProcessRunner(List.of("ip", "netns", "exec", pbx), Duration.ofSeconds(30)),
              Clock.systemUTC(),
              log::add);
      fw.addJail(
          new FirewallBackend.JailRule(
              JAIL, List.of(new Port(5060, 5060, null)), List.of(Protocol.UDP), false));
      fw.exempt(JAIL, List.of(IpAddress.parse(IGNORED)));
      fw.rateLimit(JAIL, RateLimit.parse("5/10s drop"));
      fw.start();
      try {
        fw.allow(JAIL, IpAddress.parse(ALLOWED), Clock.systemUTC().instant().plusSeconds(3600));
        // the fleet's trusted nodes arrive while the jail runs, as the fleet reads them
        fw.peersNow(List.of(IpAddress.parse(FLEET_NODE)));
        for (String from : List.of(IGNORED, ALLOWED, FLEET_NODE, OTHER)) {
          flood(from);
        }
        Await.until(
            "the ordinary source over the limit",
            Duration.ofSeconds(15),
            () -> limited().contains(OTHER),
            () -> limited() + log);
        assertThat(limited())
            .as("ignored, allowed and fleet addresses are never limited")
            .doesNotContain(IGNORED)
            .doesNotContain(ALLOWED)
            .doesNotContain(FLEET_NODE);
        // the fleet node leaves: its next flood is limited like any other
        fw.peersNow(List.of());
        flood(FLEET_NODE);
        Await.until(
            "the former fleet node over the limit",
            Duration.ofSeconds(15),
            () -> limited().contains(FLEET_NODE),
            () -> limited() + log);
        assertThat(limited()).doesNotContain(IGNORED).doesNotContain(ALLOWED);
        // an IPv6 source is its /64: the kernel keys the bucket by the network
        flood(SOURCE6);
        Await.until(
            "the IPv6 source's /64 over the limit",
            Duration.ofSeconds(15),
            Await.quietly(() -> fw.limitedNow(JAIL).contains(IpAddress.parse("2001:db8:66::/64"))),
            () -> log.toString());
        assertThat(
                Shell.sh(
                    "ip netns exec "
                        + pbx
                        + " nft list set inet portcullis "
                        + JAIL
                        + "-v6-rl0-over"))
            .contains("2001:db8:66::")
            .doesNotContain(SOURCE6);
      } finally {
        fw.close();
      }
    } finally {
      cleanUp();
    }
  }
}
