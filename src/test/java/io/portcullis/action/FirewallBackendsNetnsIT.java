package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import io.portcullis.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both firewall backends against the real kernel, inside network namespaces each test creates: a
 * banned address's UDP and TCP get no answer, another address still does, unban and the kernel's
 * own timeout let it through again, a port-scoped rule spares other ports, and a wiped firewall is
 * repaired by reconcile.
 */
class FirewallBackendsNetnsIT {
  private final List<String> log = new ArrayList<>();

  private FirewallBackend backend(String kind, Netns net) {
    ProcessRunner r =
        new ProcessRunner(List.of("ip", "netns", "exec", net.pbx), Duration.ofSeconds(30));
    return kind.equals("nftables")
        ? new NftablesBackend(r, Clock.systemUTC(), log::add)
        : new IpsetBackend(r, Clock.systemUTC(), log::add);
  }

  private String setListing(String kind, Netns net, String jail, boolean v4) throws Exception {
    return kind.equals("nftables")
        ? net.inPbx("nft list set inet portcullis " + NftablesBackend.setName(jail, v4))
        : net.inPbx("ipset list " + IpsetBackend.setName(jail, v4));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nftables", "ipset"})
  void ban_dropsThatAddressOnly_unbanAndTimeoutLift_portRulesSpareOtherPorts(String kind)
      throws Exception {
    try (Netns net = new Netns()) {
      net.startEcho();
      FirewallBackend fw = backend(kind, net);
      fw.addJail(
          new FirewallBackend.JailRule(
              "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false));
      fw.addJail(
          new FirewallBackend.JailRule(
              "sshd", List.of(new Port(22, 22, null)), List.of(Protocol.TCP), false));
      fw.start();
      try {
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        fw.ban("asterisk", IpAddress.parse(Netns.ATTACKER), Duration.ofMinutes(5));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        assertThat(net.probe(Netns.PHONE, Netns.PBX)).isZero();
        assertThat(setListing(kind, net, "asterisk", true))
            .contains(Netns.ATTACKER)
            .contains("timeout");
        fw.unban("asterisk", IpAddress.parse(Netns.ATTACKER));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        // unbanning an address that is not banned does not fail the batch
        fw.unban("asterisk", IpAddress.parse("203.0.113.99"));
        fw.ban("asterisk", IpAddress.parse(Netns.ATTACKER6), Duration.ofMinutes(5));
        net.awaitProbe(Netns.ATTACKER6, Netns.PBX6, 1, log);
        fw.unban("asterisk", IpAddress.parse(Netns.ATTACKER6));
        net.awaitProbe(Netns.ATTACKER6, Netns.PBX6, 0, log);
        // a network ban, lifted by the kernel's own timeout
        fw.ban("asterisk", IpAddress.parse("203.0.113.0/24"), Duration.ofSeconds(2));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        if (kind.equals("nftables")) {
          // networks live in their own interval set, single addresses in a plain one
          assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-net"))
              .contains("203.0.113.0/24");
          assertThat(net.inPbx("nft list set inet portcullis asterisk-v4"))
              .doesNotContain("203.0.113.0");
        }
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        // the sshd jail's rule covers tcp/22 only: SIP on 5060 still answers
        fw.ban("sshd", IpAddress.parse(Netns.ATTACKER), Duration.ofMinutes(5));
        fw.awaitQueue(Duration.ofSeconds(5));
        Thread.sleep(200);
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isZero();
        assertThat(setListing(kind, net, "sshd", true)).contains(Netns.ATTACKER);
        assertThat(fw.lastError()).isNull();
        assertThat(fw.inPlace()).isTrue();
      } finally {
        fw.close();
      }
    }
  }

  @Test
  void nftSession_reportsFailedStatements_andABrokenSessionCostsNoBan() throws Exception {
    try (Netns net = new Netns()) {
      ProcessRunner r =
          new ProcessRunner(List.of("ip", "netns", "exec", net.pbx), Duration.ofSeconds(30));
      try (NftSession session = new NftSession(r, Duration.ofSeconds(10))) {
        session.run(
            List.of(
                "add table inet t",
                "add set inet t s { type ipv4_addr; flags interval, timeout; }",
                "add element inet t s { 203.0.113.1 timeout 60s }"));
        assertThatThrownBy(
                () ->
                    session.run(
                        List.of(
                            "add element inet t nosuch { 203.0.113.2 }",
                            "add element inet t s { 203.0.113.3 timeout 60s }")))
            .isInstanceOf(java.io.IOException.class)
            .hasMessageContaining("No such file or directory")
            .hasMessageContaining("nosuch");
        // the statements around a failed one took effect, and the session goes on
        session.run(List.of("add element inet t s { 203.0.113.4 timeout 60s }"));
        assertThat(net.inPbx("nft list set inet t s"))
            .contains("203.0.113.1 ")
            .doesNotContain("203.0.113.2 ")
            .contains("203.0.113.3 ")
            .contains("203.0.113.4 ");
      }
      // the backend's session dies under it: it is started again, the ban still reaches the kernel
      FirewallBackend fw = backend("nftables", net);
      fw.addJail(
          new FirewallBackend.JailRule(
              "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false));
      fw.start();
      try {
        fw.ban("asterisk", IpAddress.parse("203.0.113.5"), Duration.ofMinutes(5));
        fw.awaitQueue(Duration.ofSeconds(5));
        Await.until(
            "the first ban",
            Duration.ofSeconds(10),
            Await.quietly(
                () -> setListing("nftables", net, "asterisk", true).contains("203.0.113.5")));
        Netns.sh("for p in $(ip netns pids " + net.pbx + "); do kill -9 $p; done");
        fw.ban("asterisk", IpAddress.parse("203.0.113.6"), Duration.ofMinutes(5));
        Await.until(
            "the ban after the session died",
            Duration.ofSeconds(10),
            Await.quietly(
                () -> setListing("nftables", net, "asterisk", true).contains("203.0.113.6")));
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
      // an nft -i that never answers (nft -f works): said once, and every ban still goes in
      ProcessRunner odd =
          new ProcessRunner(
              List.of(
                  "sh",
                  "-c",
                  "if [ \"$2\" = -i ]; then exec cat > /dev/null; fi; exec ip netns exec "
                      + net.pbx
                      + " \"$@\"",
                  "sh"),
              Duration.ofSeconds(30));
      FirewallBackend fw2 = new NftablesBackend(odd, Clock.systemUTC(), log::add);
      fw2.addJail(
          new FirewallBackend.JailRule(
              "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false));
      fw2.start();
      try {
        for (String ip : List.of("203.0.113.7", "203.0.113.8")) {
          fw2.ban("asterisk", IpAddress.parse(ip), Duration.ofMinutes(5));
          Await.until(
              ip + " through nft -f",
              Duration.ofSeconds(20),
              Await.quietly(() -> setListing("nftables", net, "asterisk", true).contains(ip)));
        }
        // (the killed session above may have left a line of its own: it raced the restart)
        assertThat(log.stream().filter(l -> l.contains("nft -i does not answer as expected")))
            .singleElement()
            .asString()
            .contains("the change went through nft -f");
        assertThat(fw2.lastError()).isNull();
      } finally {
        fw2.close();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"nftables", "ipset"})
  void wipedFirewall_isRepairedByReconcile_andStrayElementsRemoved(String kind) throws Exception {
    try (Netns net = new Netns()) {
      net.startEcho();
      FirewallBackend fw = backend(kind, net);
      fw.addJail(
          new FirewallBackend.JailRule(
              "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false));
      fw.start();
      try {
        BanDecision ban =
            new BanDecision(
                "asterisk",
                Netns.ATTACKER,
                IpAddress.parse(Netns.ATTACKER),
                Instant.now(),
                Duration.ofMinutes(10),
                1,
                5,
                List.of());
        BanDecision netBan =
            new BanDecision(
                "asterisk",
                "192.0.2.128/25",
                IpAddress.parse("192.0.2.128/25"),
                Instant.now(),
                Duration.ofMinutes(10),
                1,
                5,
                List.of());
        List<BanDecision> active = List.of(ban, netBan);
        fw.ban("asterisk", ban.ip(), Duration.ofMinutes(10));
        fw.ban("asterisk", netBan.ip(), Duration.ofMinutes(10));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        if (kind.equals("nftables")) {
          net.inPbx("nft flush ruleset");
        } else {
          net.inPbx("iptables -w -t raw -F PREROUTING");
          net.inPbx("ipset flush " + IpsetBackend.setName("asterisk", true));
        }
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        assertThat(fw.inPlace()).isFalse();
        assertThat(fw.reconcile(() -> active)).contains("were missing: re-created with 2 ban(s)");
        assertThat(fw.inPlace()).isTrue();
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        String stray = "203.0.113.77";
        if (kind.equals("nftables")) {
          net.inPbx("nft add element inet portcullis asterisk-v4 { " + stray + " timeout 10m }");
        } else {
          net.inPbx(
              "ipset add " + IpsetBackend.setName("asterisk", true) + " " + stray + " timeout 600");
        }
        // the network ban is found in its set: only the stray element is reported
        assertThat(fw.reconcile(() -> active)).contains("0 ban(s) missing").contains("1 stray");
        fw.awaitQueue(Duration.ofSeconds(5));
        Thread.sleep(200);
        assertThat(setListing(kind, net, "asterisk", true))
            .doesNotContain(stray)
            .contains(Netns.ATTACKER);
      } finally {
        fw.close();
      }
    }
  }
}
