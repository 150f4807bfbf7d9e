package io.portcullis.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.Origin;
import io.portcullis.net.IpAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The trust limits on the addresses other nodes publish: a writer into Redis must not be able to
 * open this node's shields for arbitrary addresses.
 */
class FleetPeersTest {
  private static FleetSettings trusting(Set<String> trust, boolean all) {
    return new FleetSettings(
        URI.create("redis://127.0.0.1:6379/0"),
        "pbx-1",
        Set.of(),
        Set.of(),
        "portcullis",
        1_000,
        100,
        trust,
        all,
        List.of(),
        Duration.ofSeconds(10),
        Origin.NONE);
  }

  private static FleetPeers.Read read(FleetSettings s, String... nodeValue) {
    Map<String, String> published = new LinkedHashMap<>();
    for (int i = 0; i < nodeValue.length; i += 2) {
      published.put(nodeValue[i], nodeValue[i + 1]);
    }
    return FleetPeers.read(published, s);
  }

  private static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  @Test
  void trustedNode_singleAddresses_areTaken() {
    FleetPeers.Read r =
        read(trusting(Set.of("pbx-2"), false), "pbx-2", "198.51.100.2 2001:db8::2 198.51.100.2");
    assertThat(r.peers()).containsOnlyKeys("pbx-2");
    assertThat(r.peers().get("pbx-2")).containsExactly(ip("198.51.100.2"), ip("2001:db8::2"));
    assertThat(r.addresses()).containsExactly(ip("198.51.100.2"), ip("2001:db8::2"));
    assertThat(r.refused()).isEmpty();
  }

  @Test
  void untrustedNodeName_isRefused_withItsNameAndReason() {
    FleetPeers.Read r =
        read(trusting(Set.of("pbx-2"), false), "pbx-2", "198.51.100.2", "pbx-9", "198.51.100.9");
    assertThat(r.peers()).containsOnlyKeys("pbx-2");
    assertThat(r.refused())
        .containsExactly(new FleetPeers.Refusal("pbx-9", "not trusted here (trust = pbx-2)"));
  }

  @Test
  void trustAll_takesEveryWellFormedNode_butNeverItsOwnName() {
    FleetPeers.Read r =
        read(trusting(Set.of(), true), "pbx-1", "198.51.100.1", "pbx-3", "198.51.100.3");
    assertThat(r.peers()).containsOnlyKeys("pbx-3");
    assertThat(r.refused()).isEmpty();
  }

  @Test
  void network_isRefused_evenAHostRoute() {
    FleetSettings s = trusting(Set.of("a", "b"), false);
    FleetPeers.Read r = read(s, "a", "198.51.100.2 0.0.0.0/0", "b", "198.51.100.3/32");
    assertThat(r.peers()).isEmpty();
    assertThat(r.refused())
        .containsExactly(
            new FleetPeers.Refusal(
                "a", "'0.0.0.0/0' is a network: only single addresses are taken"),
            new FleetPeers.Refusal(
                "b", "'198.51.100.3/32' is a network: only single addresses are taken"));
  }

  @Test
  void moreThanEightAddresses_refusesTheWholeNode() {
    StringBuilder nine = new StringBuilder();
    for (int i = 1; i <= 9; i++) {
      nine.append("198.51.100.").append(i).append(' ');
    }
    FleetPeers.Read r = read(trusting(Set.of("a"), false), "a", nine.toString());
    assertThat(r.peers()).isEmpty();
    assertThat(r.refused())
        .containsExactly(new FleetPeers.Refusal("a", "9 addresses published, at most 8 taken"));
    StringBuilder eight = new StringBuilder();
    for (int i = 1; i <= 8; i++) {
      eight.append("198.51.100.").append(i).append(' ');
    }
    assertThat(read(trusting(Set.of("a"), false), "a", eight.toString()).peers().get("a"))
        .hasSize(8);
  }

  @Test
  void loopbackUnspecifiedMulticastLinkLocal_andBadWords_areRefused() {
    FleetSettings s = trusting(Set.of(), true);
    Map<String, String> cases =
        Map.of(
            "127.0.0.1", "is a loopback address",
            "::1", "is a loopback address",
            "0.0.0.0", "is the unspecified address",
            "::", "is the unspecified address",
            "224.0.0.1", "is a multicast address",
            "ff02::1", "is a multicast address",
            "169.254.1.1", "is a link-local address",
            "fe80::1", "is a link-local address",
            "pbx.example", "is not an IP address written in its short form",
            "2001:0db8::1", "is not an IP address written in its short form");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      FleetPeers.Read r = read(s, "n", "198.51.100.2 " + c.getKey());
      assertThat(r.peers()).as(c.getKey()).isEmpty();
      assertThat(r.refused())
          .as(c.getKey())
          .containsExactly(new FleetPeers.Refusal("n", "'" + c.getKey() + "' " + c.getValue()));
    }
  }

  @Test
  void badNodeName_isRefused_andShownWithoutControlCharacters() {
    FleetPeers.Read r = read(trusting(Set.of(), true), "a\nb c", "198.51.100.2");
    assertThat(r.peers()).isEmpty();
    assertThat(r.refused()).containsExactly(new FleetPeers.Refusal("a?b c", "not a node name"));
  }

  @Test
  void expiredOrEmpty_isNeitherTakenNorRefused() {
    Map<String, String> published = new LinkedHashMap<>();
    published.put("a", null);
    published.put("b", "");
    FleetPeers.Read r = FleetPeers.read(published, trusting(Set.of("a", "b"), false));
    assertThat(r.peers()).isEmpty();
    assertThat(r.refused()).isEmpty();
  }

  @Test
  void publishable_dropsLoopbackAndLinkLocal_keepsEight_orTheOverride() {
    List<IpAddress> host =
        List.of(ip("127.0.0.1"), ip("::1"), ip("fe80::5"), ip("198.51.100.2"), ip("2001:db8::2"));
    assertThat(FleetPeers.publishable(List.of(), host))
        .containsExactly(ip("198.51.100.2"), ip("2001:db8::2"));
    assertThat(FleetPeers.publishable(List.of(ip("203.0.113.7")), host))
        .containsExactly(ip("203.0.113.7"));
    List<IpAddress> many = new java.util.ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      many.add(ip("198.51.100." + i));
    }
    assertThat(FleetPeers.publishable(List.of(), many)).hasSize(8);
    assertThat(FleetPeers.value(List.of(ip("198.51.100.2"), ip("2001:db8::2"))))
        .isEqualTo("198.51.100.2 2001:db8::2");
  }
}
