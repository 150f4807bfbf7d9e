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
import java.util.concurrent.TimeUnit;
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
        // a network ban, lifted by the kernel's own timeout; 6 s, not 2: at load 21 in CI the
        // listing below ran after a 2 s ban had already expired
        fw.ban("asterisk", IpAddress.parse("203.0.113.0/24"), Duration.ofSeconds(6));
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
        // (the killed session above may have left a line of its own: it raced the restart); the
        // session is opened by the firewall's start, so that is where it is said
        assertThat(log.stream().filter(l -> l.contains("nft -i does not answer as expected")))
            .singleElement()
            .asString()
            .contains("through nft -f");
        assertThat(fw2.lastError()).isNull();
      } finally {
        fw2.close();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"nftables", "ipset"})
  void wipedFirewall_isRepairedByReconcile_liftedElementsRemoved_unknownOnesAdopted(String kind)
      throws Exception {
    try (Netns net = new Netns()) {
      net.startEcho();
      FirewallBackend fw = backend(kind, net);
      fw.addJail(
          new FirewallBackend.JailRule(
              "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false));
      fw.start();
      String lifted = "203.0.113.77";
      String unknown = "203.0.113.78";
      List<String> adopted = new ArrayList<>();
      List<String> removed = new ArrayList<>();
      FirewallBackend.Strays strays =
          new FirewallBackend.Strays() {
            @Override
            public boolean adopt(String jail, IpAddress ip, Duration remaining) {
              if (ip.toString().equals(lifted)) {
                return false;
              }
              adopted.add(jail + " " + ip + " " + remaining.toSeconds());
              return true;
            }

            @Override
            public void removed(String jail, IpAddress ip) {
              removed.add(jail + " " + ip);
            }
          };
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
        fw.ban("asterisk", ban.ip(), Duration.ofMinutes(10)).get(10, TimeUnit.SECONDS);
        fw.ban("asterisk", netBan.ip(), Duration.ofMinutes(10)).get(10, TimeUnit.SECONDS);
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        if (kind.equals("nftables")) {
          net.inPbx("nft flush ruleset");
        } else {
          net.inPbx("iptables -w -t raw -F PREROUTING");
          net.inPbx("ipset flush " + IpsetBackend.setName("asterisk", true));
        }
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        assertThat(fw.inPlace()).isFalse();
        assertThat(fw.reconcile(() -> active, strays, true))
            .contains("were missing: re-created with 2 ban(s)");
        assertThat(fw.inPlace()).isTrue();
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        for (String ip : List.of(lifted, unknown)) {
          if (kind.equals("nftables")) {
            net.inPbx("nft add element inet portcullis asterisk-v4 { " + ip + " timeout 10m }");
          } else {
            net.inPbx(
                "ipset add " + IpsetBackend.setName("asterisk", true) + " " + ip + " timeout 600");
          }
        }
        // the network ban is found in its set; an element of a lifted ban goes, an unknown one is
        // adopted with the time the kernel gives it (it may be a ban the store never got)
        assertThat(fw.reconcile(() -> active, strays, true))
            .isEqualTo(
                "1 element(s) no ban in force explained: adopted as bans; 1 element(s) of lifted"
                    + " bans or of feeds no longer configured: removed");
        assertThat(adopted).singleElement().asString().startsWith("asterisk " + unknown + " 5");
        Await.until("the lifted element removed", Duration.ofSeconds(10), () -> !removed.isEmpty());
        assertThat(removed).containsExactly("asterisk " + lifted);
        assertThat(setListing(kind, net, "asterisk", true))
            .doesNotContain(lifted)
            .contains(unknown)
            .contains(Netns.ATTACKER);
      } finally {
        fw.close();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"nftables", "ipset"})
  void startingAgain_keepsWhatTheSetsHold_andFlushEmptiesOneJailsSets(String kind)
      throws Exception {
    // regression: creating the sets at start emptied them, so every ban the store did not have
    // (acknowledged but not yet written when the server was killed) left the kernel
    try (Netns net = new Netns()) {
      FirewallBackend first = backend(kind, net);
      for (FirewallBackend.JailRule r : rules()) {
        first.addJail(r);
      }
      first.start();
      try {
        first.ban("asterisk", IpAddress.parse("203.0.113.5"), null).get(10, TimeUnit.SECONDS);
        first
            .ban("sshd", IpAddress.parse("203.0.113.6"), Duration.ofHours(1))
            .get(10, TimeUnit.SECONDS);
      } finally {
        first.close();
      }
      FirewallBackend second = backend(kind, net);
      for (FirewallBackend.JailRule r : rules()) {
        second.addJail(r);
      }
      second.start();
      try {
        assertThat(setListing(kind, net, "asterisk", true)).contains("203.0.113.5");
        assertThat(setListing(kind, net, "sshd", true)).contains("203.0.113.6");
        second.flush("asterisk").get(10, TimeUnit.SECONDS);
        assertThat(setListing(kind, net, "asterisk", true)).doesNotContain("203.0.113.5");
        assertThat(setListing(kind, net, "sshd", true)).contains("203.0.113.6");
      } finally {
        second.close();
      }
    }
  }

  @Test
  void changeThatTheKernelRefuses_failsItsFuture_withTheReason() throws Exception {
    try (Netns net = new Netns()) {
      FirewallBackend fw = backend("nftables", net);
      for (FirewallBackend.JailRule r : rules()) {
        fw.addJail(r);
      }
      fw.start();
      try {
        // the ruleset is flushed under the server: the ban re-creates the sets at once
        net.inPbx("nft flush ruleset");
        fw.ban("asterisk", IpAddress.parse("203.0.113.7"), Duration.ofHours(1))
            .get(10, TimeUnit.SECONDS);
        assertThat(setListing("nftables", net, "asterisk", true)).contains("203.0.113.7");
        assertThat(log).anyMatch(l -> l.contains("created again with every ban in force"));
      } finally {
        fw.close();
      }
      // nft cannot run at all: the future says why
      ProcessRunner broken =
          new ProcessRunner(
              List.of("ip", "netns", "exec", "pc-none-" + ProcessHandle.current().pid()),
              Duration.ofSeconds(30));
      FirewallBackend none = new NftablesBackend(broken, Clock.systemUTC(), log::add);
      for (FirewallBackend.JailRule r : rules()) {
        none.addJail(r);
      }
      assertThatThrownBy(none::start).isInstanceOf(java.io.IOException.class);
      try {
        assertThatThrownBy(
                () ->
                    none.ban("asterisk", IpAddress.parse("203.0.113.8"), Duration.ofHours(1))
                        .get(10, TimeUnit.SECONDS))
            .hasRootCauseInstanceOf(java.io.IOException.class)
            .hasMessageContaining("sets and rules missing");
      } finally {
        none.close();
      }
    }
  }

  private static List<FirewallBackend.JailRule> rules() {
    return List.of(
        new FirewallBackend.JailRule(
            "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false),
        new FirewallBackend.JailRule(
            "sshd", List.of(new Port(22, 22, null)), List.of(Protocol.TCP), false));
  }
}
