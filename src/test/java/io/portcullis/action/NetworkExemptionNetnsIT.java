package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The nftables backend lets a jail's ignored and allowed addresses through its network bans (and
 * only those bans): the exemption sets are checked in the network rule, and a table created anew
 * (somebody deleted it) gets the allowed addresses back.
 */
class NetworkExemptionNetnsIT {
  private final List<String> log = new ArrayList<>();

  /** An nftables backend in the test's PBX namespace with one jail, asterisk, on every port. */
  private NftablesBackend backend(Netns net) {
    ProcessRunner r =
        new ProcessRunner(List.of("ip", "netns", "exec", net.pbx), Duration.ofSeconds(30));
    NftablesBackend fw = new NftablesBackend(r, Clock.systemUTC(), log::add);
    fw.addJail(
        new FirewallBackend.JailRule(
            "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false));
    return fw;
  }

  @Test
  void ignoredAndAllowedAddresses_getThroughANetworkBan_notThroughTheirOwnBan() throws Exception {
    try (Netns net = new Netns()) {
      net.startEcho();
      NftablesBackend fw = backend(net);
      // the phone's address and a network holding it: nested entries must not fail the set
      fw.exempt(
          "asterisk",
          List.of(
              IpAddress.parse(Netns.PHONE),
              IpAddress.parse("192.0.2.0/28"),
              IpAddress.parse("2001:db8:99::/64")));
      assertThat(fw.exemptsInsideNetworks()).isTrue();
      fw.start();
      try {
        fw.ban("asterisk", IpAddress.parse("192.0.2.0/24"), Duration.ofMinutes(5));
        fw.ban("asterisk", IpAddress.parse("203.0.113.0/24"), Duration.ofMinutes(5));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        assertThat(net.probe(Netns.PHONE, Netns.PBX)).as("ignored inside a banned /24").isZero();
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-allow"))
            .contains("192.0.2.0/28");
        // allowed after a success: through the network's ban, for the allow's time
        fw.allow(
            "asterisk", IpAddress.parse(Netns.ATTACKER), java.time.Instant.now().plusSeconds(60));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-allowed"))
            .contains(Netns.ATTACKER)
            .contains("timeout");
        // the table deleted and made anew: the allowed address is back in its set
        net.inPbx("nft delete table inet portcullis");
        assertThat(fw.reconcile(List::of, (jail, ip, remaining) -> false, true))
            .contains("re-created");
        fw.ban("asterisk", IpAddress.parse("203.0.113.0/24"), Duration.ofMinutes(5));
        fw.awaitQueue(Duration.ofSeconds(5));
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-allowed"))
            .contains(Netns.ATTACKER);
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isZero();
        // a ban of the address itself is not skipped: the admin or the jail meant that one
        fw.ban("asterisk", IpAddress.parse(Netns.ATTACKER), Duration.ofMinutes(5));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
    }
  }

  @Test
  void allowTakenBack_theNetworkBanDropsTheAddressAgain() throws Exception {
    try (Netns net = new Netns()) {
      net.startEcho();
      NftablesBackend fw = backend(net);
      fw.start();
      try {
        fw.ban("asterisk", IpAddress.parse("203.0.113.0/24"), Duration.ofMinutes(5));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        fw.allow(
            "asterisk", IpAddress.parse(Netns.ATTACKER), java.time.Instant.now().plusSeconds(600));
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        // delallow (or trust withdrawn after failures): out of the allowed set at once
        // (it stayed there until its timeout, through the network's ban)
        fw.disallow("asterisk", IpAddress.parse(Netns.ATTACKER));
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-allowed"))
            .doesNotContain(Netns.ATTACKER);
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        // taking back what is not there is no error
        fw.disallow("asterisk", IpAddress.parse(Netns.ATTACKER));
        fw.disallow("asterisk", IpAddress.parse("198.51.100.7"));
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
    }
  }
}
