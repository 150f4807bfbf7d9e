package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.ActionReader;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * fail2ban's own action.d files (from Debian's package, unpacked at test time), run unchanged by
 * {@link CommandAction} inside network namespaces this test creates, against the real kernel.
 */
class Fail2banActionsNetnsIT {
  private static Netns net;
  private static final Path FAIL2BAN =
      Path.of(System.getProperty("portcullis.reference.dir", "target/reference"), "etc/fail2ban");
  private static final List<String> LOG = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    net = new Netns();
    net.startEcho();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (net != null) {
      net.close();
    }
  }

  private static CommandAction action(String name, Map<String, String> options) {
    Map<String, String> jail = Map.of("port", "0:65535", "protocol", "tcp", "chain", "INPUT");
    return new CommandAction(
        name,
        "asterisk",
        ActionReader.read(FAIL2BAN, name, options, jail, "asterisk"),
        List.of("ip", "netns", "exec", net.pbx),
        LOG::add);
  }

  private static BanDecision ban(String ip) {
    return new BanDecision(
        "asterisk",
        ip,
        IpAddress.parse(ip),
        Instant.now(),
        Duration.ofMinutes(10),
        1,
        5,
        List.of("x"));
  }

  private static void awaitProbe(String source, String target, int expected) throws Exception {
    net.awaitProbe(source, target, expected, LOG);
  }

  private static void exercise(CommandAction a, int whenBanned) throws Exception {
    a.start();
    try {
      awaitProbe(Netns.ATTACKER, Netns.PBX, 0);
      a.ban(ban(Netns.ATTACKER));
      awaitProbe(Netns.ATTACKER, Netns.PBX, whenBanned);
      assertThat(net.probe(Netns.PHONE, Netns.PBX)).isZero();
      a.unban(ban(Netns.ATTACKER));
      awaitProbe(Netns.ATTACKER, Netns.PBX, 0);
    } finally {
      a.stop();
    }
  }

  @Test
  void iptablesAllports_bansEverything_andUnbans() throws Exception {
    exercise(action("iptables-allports", Map.of("protocol", "all")), 1);
  }

  @Test
  void iptablesMultiport_bansOnlyItsProtocolAndPort() throws Exception {
    // tcp/5060 only: the probe's UDP still gets through (2 = mixed)
    exercise(action("iptables-multiport", Map.of("port", "5060", "protocol", "tcp")), 2);
  }

  @Test
  void nftables_bansOnlyItsProtocolAndPort() throws Exception {
    // fail2ban's nftables.conf (multiport type): tcp/5060 only, the probe's UDP still passes
    exercise(action("nftables", Map.of("port", "5060", "protocol", "tcp")), 2);
  }

  @Test
  void nftablesAllports_bansEverything_andUnbans() throws Exception {
    exercise(action("nftables-allports", Map.of("protocol", "tcp")), 2);
  }
}
