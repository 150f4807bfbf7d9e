package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The nftables backend against the real kernel, inside network namespaces this test creates: a
 * banned address's UDP and TCP get no answer, another address still does, unban and the kernel's
 * own timeout let it through again, and a flushed ruleset is repaired.
 */
class NftablesNetnsIT {
  private static Netns net;
  private static NftablesBackend fw;
  private static final List<String> LOG = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    net = new Netns();
    net.startEcho();
    fw =
        new NftablesBackend(
            new ProcessRunner(List.of("ip", "netns", "exec", net.pbx), Duration.ofSeconds(30)),
            Clock.systemUTC(),
            LOG::add);
    fw.addJail(new NftablesBackend.JailRule("asterisk", null, null, false));
    fw.addJail(new NftablesBackend.JailRule("sshd", "22", "tcp", false));
    fw.start();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (fw != null) {
      fw.close();
    }
    if (net != null) {
      net.close();
    }
  }

  private static void awaitProbe(String source, String target, int expected) throws Exception {
    net.awaitProbe(source, target, expected, LOG);
  }

  @Test
  void ban_dropsUdpAndTcpOfThatAddressOnly_andUnbanLetsItBackIn() throws Exception {
    awaitProbe(Netns.ATTACKER, Netns.PBX, 0);
    fw.ban("asterisk", IpAddress.parse(Netns.ATTACKER), Duration.ofMinutes(5));
    awaitProbe(Netns.ATTACKER, Netns.PBX, 1);
    assertThat(net.probe(Netns.PHONE, Netns.PBX)).isZero();
    String set = net.inPbx("nft list set inet portcullis asterisk-v4");
    assertThat(set).contains(Netns.ATTACKER).contains("timeout 5m").contains("expires");
    fw.unban("asterisk", IpAddress.parse(Netns.ATTACKER));
    awaitProbe(Netns.ATTACKER, Netns.PBX, 0);
    // unbanning an address that is not banned does not fail the batch
    fw.unban("asterisk", IpAddress.parse("203.0.113.99"));
    fw.ban("asterisk", IpAddress.parse(Netns.ATTACKER6), Duration.ofMinutes(5));
    awaitProbe(Netns.ATTACKER6, Netns.PBX6, 1);
    fw.unban("asterisk", IpAddress.parse(Netns.ATTACKER6));
    awaitProbe(Netns.ATTACKER6, Netns.PBX6, 0);
    assertThat(fw.lastError()).isNull();
  }

  @Test
  void kernelTimeout_endsABan_withoutTheDaemon() throws Exception {
    fw.ban("asterisk", IpAddress.parse("203.0.113.0/24"), Duration.ofSeconds(2));
    awaitProbe(Netns.ATTACKER, Netns.PBX, 1);
    // nobody calls unban: the element's timeout lifts it
    awaitProbe(Netns.ATTACKER, Netns.PBX, 0);
  }

  @Test
  void portRule_blocksOnlyThosePorts() throws Exception {
    fw.ban("sshd", IpAddress.parse(Netns.ATTACKER), Duration.ofMinutes(5));
    fw.awaitQueue(Duration.ofSeconds(5));
    Thread.sleep(200);
    // the sshd jail's rule covers tcp/22 only: SIP on 5060 still answers
    assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isZero();
    assertThat(net.inPbx("nft list set inet portcullis sshd-v4")).contains(Netns.ATTACKER);
    fw.unban("sshd", IpAddress.parse(Netns.ATTACKER));
  }

  @Test
  void flushedRuleset_isRepairedByReconcile() throws Exception {
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
    fw.ban("asterisk", ban.ip(), Duration.ofMinutes(10));
    awaitProbe(Netns.ATTACKER, Netns.PBX, 1);
    net.inPbx("nft flush ruleset");
    awaitProbe(Netns.ATTACKER, Netns.PBX, 0);
    String drift = fw.reconcile(() -> List.of(ban));
    assertThat(drift).contains("was missing");
    awaitProbe(Netns.ATTACKER, Netns.PBX, 1);
    // a stray element (no ban behind it) is removed, a missing one added back
    net.inPbx("nft add element inet portcullis asterisk-v4 { 203.0.113.77 timeout 10m }");
    assertThat(fw.reconcile(() -> List.of(ban))).contains("1 stray");
    fw.awaitQueue(Duration.ofSeconds(5));
    Thread.sleep(200);
    assertThat(net.inPbx("nft list set inet portcullis asterisk-v4"))
        .doesNotContain("203.0.113.77")
        .contains(Netns.ATTACKER);
    fw.unban("asterisk", ban.ip());
    awaitProbe(Netns.ATTACKER, Netns.PBX, 0);
  }
}
