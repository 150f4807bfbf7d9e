package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The reconcile's reading of {@code nft -j list ...}, on output captured from Debian 12's nft 1.0.6
 * (an address set with timeouts, an interval set with a timed and an untimed network, an interval
 * set with a plain address and a range).
 */
class NftablesListingTest {
  private static final String META =
      "{\"metainfo\": {\"version\": \"1.0.6\", \"release_name\": \"Lester Gooch #5\","
          + " \"json_schema_version\": 1}}";

  private static final String ADDRESSES =
      "{\"set\": {\"family\": \"inet\", \"name\": \"asterisk-v4\", \"table\": \"portcullis\","
          + " \"type\": \"ipv4_addr\", \"handle\": 1, \"flags\": [\"timeout\"], \"elem\":"
          + " [{\"elem\": {\"val\": \"192.0.2.9\", \"timeout\": 3600, \"expires\": 3599}}]}}";

  private static final String NETWORKS =
      "{\"set\": {\"family\": \"inet\", \"name\": \"asterisk-v4-net\", \"table\": \"portcullis\","
          + " \"type\": \"ipv4_addr\", \"handle\": 2, \"flags\": [\"interval\", \"timeout\"],"
          + " \"elem\": [{\"elem\": {\"val\": {\"prefix\": {\"addr\": \"198.51.100.0\", \"len\":"
          + " 24}}, \"timeout\": 3600, \"expires\": 3599}}, {\"prefix\": {\"addr\":"
          + " \"203.0.113.0\", \"len\": 25}}]}}";

  private static final String PLAIN =
      "{\"set\": {\"family\": \"inet\", \"name\": \"plain\", \"table\": \"portcullis\", \"type\":"
          + " \"ipv4_addr\", \"handle\": 514, \"flags\": [\"interval\"], \"elem\": [\"192.0.2.1\","
          + " {\"range\": [\"192.0.2.10\", \"192.0.2.20\"]}]}}";

  @Test
  void elements_ofAddressAndNetworkSets_countUnderTheJailsSetWithTheirTimeLeft() throws Exception {
    var out =
        NftablesBackend.elements(
            "{\"nftables\": [" + META + ", " + ADDRESSES + ", " + NETWORKS + ", " + PLAIN + "]}");
    assertThat(out.keySet()).containsExactly("asterisk-v4", "plain");
    assertThat(out.get("asterisk-v4"))
        .containsExactly(
            new FirewallBackend.Element(IpAddress.parse("192.0.2.9"), Duration.ofSeconds(3599)),
            new FirewallBackend.Element(
                IpAddress.parse("198.51.100.0/24"), Duration.ofSeconds(3599)),
            new FirewallBackend.Element(IpAddress.parse("203.0.113.0/25"), null));
    // a range is no ban of ours: left out
    assertThat(out.get("plain"))
        .containsExactly(new FirewallBackend.Element(IpAddress.parse("192.0.2.1"), null));
  }

  @Test
  void elements_ofAnEmptySetOrNoSet_areNone() throws Exception {
    assertThat(NftablesBackend.elements("{\"nftables\": [" + META + "]}")).isEmpty();
    var empty =
        NftablesBackend.elements(
            "{\"nftables\": ["
                + META
                + ", "
                + ADDRESSES.replaceAll(", \"elem\": \\[.*\\]", "")
                + "]}");
    assertThat(empty).containsEntry("asterisk-v4", List.of());
  }

  @Test
  void elements_ofManyAddresses_allRead() throws Exception {
    StringBuilder json = new StringBuilder("{\"nftables\": [" + META + ", {\"set\": {\"name\":");
    json.append(" \"big-v6\", \"elem\": [");
    for (int i = 0; i < 20_000; i++) {
      json.append(i == 0 ? "" : ", ");
      json.append(String.format("{\"elem\": {\"val\": \"2001:db8:%x::1\", \"timeout\": 86400,", i));
      json.append(" \"expires\": ").append(1000 + i).append("}}");
    }
    json.append("]}}]}");
    Map<String, List<FirewallBackend.Element>> out = NftablesBackend.elements(json.toString());
    assertThat(out.get("big-v6")).hasSize(20_000);
    assertThat(out.get("big-v6").get(19_999))
        .isEqualTo(
            new FirewallBackend.Element(
                IpAddress.parse("2001:db8:4e1f::1"), Duration.ofSeconds(20_999)));
    assertThat(out.get("big-v6").stream().map(e -> e.ip()).collect(Collectors.toSet()))
        .hasSize(20_000);
  }
}
