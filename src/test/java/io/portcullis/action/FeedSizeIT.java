package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a large feed costs the kernel side: 100,000 entries (IPv6 documentation addresses, so that
 * the test stays inside 2001:db8::/32) loaded into a jail's set in one transaction, renewed (all
 * removed and added again with a fresh timeout), and replaced with 1% churn. Prints the figures
 * docs/feeds.md quotes; fails when the set does not hold them or a step takes over a minute.
 */
class FeedSizeIT {
  private static final int N = 100_000;

  private static List<IpAddress> addresses(int from, int n) {
    List<IpAddress> out = new ArrayList<>(n);
    for (int i = from; i < from + n; i++) {
      out.add(
          IpAddress.parse(
              "2001:db8:f::"
                  + Integer.toHexString(i >> 16)
                  + ":"
                  + Integer.toHexString(i & 0xffff)));
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"nftables", "ipset"})
  void hundredThousandEntries_loadRenewAndChurn_inOneTransactionEach(String kind) throws Exception {
    List<String> log = new ArrayList<>();
    try (Netns net = new Netns()) {
      ProcessRunner r =
          new ProcessRunner(List.of("ip", "netns", "exec", net.pbx), Duration.ofSeconds(120));
      FirewallBackend fw =
          kind.equals("nftables")
              ? new NftablesBackend(r, Clock.systemUTC(), log::add)
              : new IpsetBackend(r, Clock.systemUTC(), log::add);
      fw.addJail(
          new FirewallBackend.JailRule(
              "asterisk", List.of(), List.of(Protocol.TCP, Protocol.UDP), false));
      fw.start();
      try {
        List<IpAddress> all = addresses(0, N);
        long t0 = System.nanoTime();
        fw.replaceFeed("asterisk", List.of(), List.of(), all, Duration.ofHours(3));
        long load = ms(t0);
        assertThat(count(kind, net)).isEqualTo(N);
        t0 = System.nanoTime();
        fw.replaceFeed("asterisk", List.of(), all, List.of(), Duration.ofHours(3));
        long renew = ms(t0);
        assertThat(count(kind, net)).isEqualTo(N);
        List<IpAddress> leaving = all.subList(0, N / 100);
        List<IpAddress> staying = all.subList(N / 100, N);
        List<IpAddress> coming = addresses(N, N / 100);
        t0 = System.nanoTime();
        fw.replaceFeed("asterisk", leaving, staying, coming, Duration.ofHours(3));
        long churn = ms(t0);
        assertThat(count(kind, net)).isEqualTo(N);
        System.out.printf(
            "FeedSizeIT %s: %d entries: load %d ms, renew %d ms, 1%% churn %d ms%n",
            kind, N, load, renew, churn);
        assertThat(List.of(load, renew, churn)).allMatch(t -> t < 60_000);
      } finally {
        fw.close();
      }
    }
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static int count(String kind, Netns net) throws Exception {
    String listing =
        kind.equals("nftables")
            ? net.inPbx(
                "nft list set inet portcullis " + NftablesBackend.setName("asterisk", false))
            : net.inPbx("ipset list " + IpsetBackend.setName("asterisk", false));
    int n = 0;
    for (String part : listing.split("[\\s,{}]+")) {
      if (part.startsWith("2001:db8:f::")) {
        n++;
      }
    }
    return n;
  }
}
