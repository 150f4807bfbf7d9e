package io.portcullis.shield;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkEscalationTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Duration FINDTIME = Duration.ofMinutes(10);

  private static List<NetworkEscalation.Earned> ban(NetworkEscalation n, String ip, int seconds) {
    return n.banned(IpAddress.parse(ip), T0.plusSeconds(seconds), FINDTIME);
  }

  @Test
  void fiveAddressesOfOneSlash64_withinFindtime_earnTheSlash64_namingThem() {
    NetworkEscalation n = new NetworkEscalation(NetworkPolicy.DEFAULT);
    for (int i = 1; i <= 4; i++) {
      assertThat(ban(n, "2001:db8:5:1::" + i, i)).isEmpty();
    }
    List<NetworkEscalation.Earned> e = ban(n, "2001:db8:5:1::5", 5);
    assertThat(e).hasSize(1);
    assertThat(e.get(0).network()).isEqualTo(IpAddress.parse("2001:db8:5:1::/64"));
    assertThat(e.get(0).by())
        .extracting(IpAddress::toString)
        .containsExactly(
            "2001:db8:5:1::1",
            "2001:db8:5:1::2",
            "2001:db8:5:1::3",
            "2001:db8:5:1::4",
            "2001:db8:5:1::5");
    // counted afresh after the network earned its ban: the /64 now counts once for its /48
    assertThat(n.tracked()).isEqualTo(1);
    assertThat(ban(n, "2001:db8:5:1::6", 6)).isEmpty();
  }

  @Test
  void bansOlderThanFindtime_doNotCount() {
    NetworkEscalation n = new NetworkEscalation(NetworkPolicy.DEFAULT);
    ban(n, "2001:db8:5:1::1", 0);
    for (int i = 2; i <= 5; i++) {
      assertThat(ban(n, "2001:db8:5:1::" + i, 601 + i)).isEmpty();
    }
    assertThat(ban(n, "2001:db8:5:1::6", 700)).hasSize(1);
  }

  @Test
  void addressesOfDifferentSlash64_andTheSameAddressAgain_doNotAddUp() {
    NetworkEscalation n = new NetworkEscalation(NetworkPolicy.DEFAULT);
    for (int i = 1; i <= 5; i++) {
      assertThat(ban(n, "2001:db8:5:" + i + "::1", i)).isEmpty();
      assertThat(ban(n, "2001:db8:6:1::1", 10 + i)).isEmpty();
    }
  }

  @Test
  void threeSlash64OfOneSlash48_earnTheSlash48_inTheSameCall() {
    NetworkEscalation n = new NetworkEscalation(NetworkPolicy.DEFAULT);
    List<NetworkEscalation.Earned> last = List.of();
    for (int net = 1; net <= 3; net++) {
      for (int i = 1; i <= 5; i++) {
        last = ban(n, "2001:db8:7:" + net + "::" + i, net * 10 + i);
      }
    }
    assertThat(last)
        .extracting(e -> e.network().toString())
        .containsExactly("2001:db8:7:3::/64", "2001:db8:7::/48");
    assertThat(last.get(1).by())
        .extracting(IpAddress::toString)
        .containsExactly("2001:db8:7:1::/64", "2001:db8:7:2::/64", "2001:db8:7:3::/64");
  }

  @Test
  void aNetworkBannedByHand_countsForTheNextStep_andOtherPrefixesNot() {
    NetworkEscalation n = new NetworkEscalation(NetworkPolicy.DEFAULT);
    ban(n, "2001:db8:8:1::/64", 0);
    ban(n, "2001:db8:8:2::/64", 1);
    assertThat(ban(n, "2001:db8:8::/56", 2)).isEmpty();
    assertThat(ban(n, "2001:db8:8:3::/64", 3))
        .extracting(e -> e.network().toString())
        .containsExactly("2001:db8:8::/48");
  }

  @Test
  void ipv4_isOffByDefault_andBansTheSlash24WhenAsked() {
    NetworkEscalation off = new NetworkEscalation(NetworkPolicy.DEFAULT);
    for (int i = 1; i <= 20; i++) {
      assertThat(ban(off, "203.0.113." + i, i)).isEmpty();
    }
    NetworkEscalation on =
        new NetworkEscalation(
            new NetworkPolicy(NetworkPolicy.parse("24:3", true), NetworkPolicy.DEFAULT.v6()));
    ban(on, "203.0.113.1", 1);
    ban(on, "203.0.113.2", 2);
    assertThat(ban(on, "203.0.113.3", 3))
        .extracting(e -> e.network().toString())
        .containsExactly("203.0.113.0/24");
  }

  @Test
  void forget_afterAnUnbanByHand_startsTheCountAgain() {
    NetworkEscalation n = new NetworkEscalation(NetworkPolicy.DEFAULT);
    for (int i = 1; i <= 4; i++) {
      ban(n, "2001:db8:9:1::" + i, i);
    }
    n.forget(IpAddress.parse("2001:db8:9:1::/64"));
    assertThat(ban(n, "2001:db8:9:1::5", 5)).isEmpty();
  }
}
