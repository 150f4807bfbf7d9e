package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.geo.CountryDatabase;
import io.portcullis.geo.CountryDatabaseIT;
import io.portcullis.geo.CountryDatabases;
import io.portcullis.geo.CountryRule;
import io.portcullis.geo.CountryShield;
import io.portcullis.geo.CountryWatch;
import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import io.portcullis.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Country rules in the kernel: the nftables backend fills a jail's country sets from a real .mmdb
 * (written by MaxMind's Perl writer) and drops the jail's ports for sources of denied countries, or
 * outside the allowed ones, from the first packet; ignored addresses and loopback pass.
 *
 * <p>Test database: 203.0.113.0/24 (the attacker) and 192.0.2.0/24 (the phone) are CN,
 * 2001:db8:66::/48 (the attacker's IPv6) is DE.
 */
class CountryNetnsIT {
  @TempDir Path dir;
  private final List<String> log = new ArrayList<>();

  private CountryDatabase database(String name, String... networks) throws Exception {
    return CountryDatabase.load(CountryDatabaseIT.write(dir.resolve(name), networks));
  }

  private CountryDatabase standard() throws Exception {
    return database("c.mmdb", "203.0.113.0/24=CN", "192.0.2.0/24=CN", "2001:db8:66::/48=DE");
  }

  /** An nftables backend in the PBX namespace with one jail, asterisk, on port 5060. */
  private NftablesBackend backend(Netns net, CountryShield countries) {
    ProcessRunner r =
        new ProcessRunner(List.of("ip", "netns", "exec", net.pbx), Duration.ofSeconds(30));
    NftablesBackend fw = new NftablesBackend(r, Clock.systemUTC(), log::add);
    fw.addJail(
        new FirewallBackend.JailRule(
            "asterisk",
            List.of(new Port(Netns.PORT, Netns.PORT, null)),
            List.of(Protocol.TCP, Protocol.UDP),
            false));
    // the phone is in ignoreip: it passes whatever its country
    fw.exempt("asterisk", List.of(IpAddress.parse(Netns.PHONE)));
    fw.countries("asterisk", countries);
    return fw;
  }

  @Test
  void deny_dropsTheDeniedCountryFromTheFirstPacket_othersAndIgnoredPass() throws Exception {
    CountryShield shield = CountryShield.of(CountryRule.parse("deny CN"), standard());
    try (Netns net = new Netns()) {
      net.startEcho();
      NftablesBackend fw = backend(net, shield);
      fw.start();
      try {
        // no wait: the set is full once start returns
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).as("CN, denied").isEqualTo(1);
        assertThat(net.probe(Netns.ATTACKER6, Netns.PBX6)).as("DE").isZero();
        assertThat(net.probe(Netns.PHONE, Netns.PBX)).as("CN but ignored").isZero();
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-cc-24"))
            .contains("203.0.113.0")
            .contains("192.0.2.0");
        assertNoIntervalCountrySet(net);
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
    }
  }

  @Test
  void allow_dropsEveryOtherCountry_theAllowedIgnoredAndLoopbackPass() throws Exception {
    CountryShield shield = CountryShield.of(CountryRule.parse("allow de"), standard());
    try (Netns net = new Netns()) {
      net.startEcho();
      NftablesBackend fw = backend(net, shield);
      fw.start();
      try {
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).as("CN, not allowed").isEqualTo(1);
        assertThat(net.probe(Netns.ATTACKER6, Netns.PBX6)).as("DE, allowed").isZero();
        assertThat(net.probe(Netns.PHONE, Netns.PBX)).as("CN but ignored").isZero();
        assertThat(net.probeIn(net.pbx, "127.0.0.1", "127.0.0.1"))
            .as("loopback, no country")
            .isZero();
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
    }
  }

  @Test
  void newNetworks_swapTheSetInOneTransaction_withoutARestart() throws Exception {
    CountryRule rule = CountryRule.parse("deny CN");
    try (Netns net = new Netns()) {
      net.startEcho();
      NftablesBackend fw = backend(net, CountryShield.of(rule, standard()));
      fw.start();
      try {
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isEqualTo(1);
        assertThat(net.probe(Netns.ATTACKER6, Netns.PBX6)).isZero();
        // a new database: the attacker's IPv4 network moved to DE, its IPv6 one to CN
        CountryDatabase changed = database("d.mmdb", "203.0.113.0/24=DE", "2001:db8:66::/48=CN");
        fw.countriesNow("asterisk", CountryShield.of(rule, changed));
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isZero();
        assertThat(net.probe(Netns.ATTACKER6, Netns.PBX6)).isEqualTo(1);
        // CN has no IPv4 network left: the /24 set went; a /48 set came for IPv6
        assertThat(net.inPbx("nft list sets inet"))
            .doesNotContain("asterisk-v4-cc-24")
            .contains("asterisk-v6-cc-48");
        assertNoIntervalCountrySet(net);
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
    }
  }

  @Test
  void changedDatabaseFile_isSwappedIn_aBadOneKeepsTheSetsInForce_andSaysSo() throws Exception {
    CountryRule rule = CountryRule.parse("deny CN");
    Path file =
        CountryDatabaseIT.write(
            dir.resolve("GeoLite2-Country.mmdb"), "203.0.113.0/24=CN", "2001:db8:66::/48=DE");
    List<String> problems = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try (Netns net = new Netns()) {
      net.startEcho();
      NftablesBackend fw = backend(net, CountryShield.of(rule, CountryDatabase.load(file)));
      fw.start();
      CountryWatch watch =
          new CountryWatch(
              file,
              CountryDatabases.Version.of(file),
              List.of(
                  new CountryWatch.Target() {
                    @Override
                    public String jail() {
                      return "asterisk";
                    }

                    @Override
                    public CountryRule rule() {
                      return rule;
                    }

                    @Override
                    public void apply(CountryShield shield) throws IOException {
                      fw.countriesNow("asterisk", shield);
                    }

                    @Override
                    public void problem(String problem) {
                      problems.add(String.valueOf(problem));
                    }
                  }),
              log::add,
              errors::add);
      try {
        assertThat(watch.check()).as("unchanged file: nothing to do").isFalse();
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isEqualTo(1);
        // a file that is not a database (a download cut short): the sets stay as they were
        Path part = java.nio.file.Files.writeString(dir.resolve("part"), "truncated download\n");
        java.nio.file.Files.move(part, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(watch.check()).isFalse();
        assertThat(errors).singleElement().asString().contains(file + ": not a readable MaxMind");
        assertThat(problems).last().asString().contains("the networks read before stay in force");
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).as("still denied").isEqualTo(1);
        // the good new file: the attacker's IPv4 network is DE now, its IPv6 one CN
        Path next =
            CountryDatabaseIT.write(
                dir.resolve("next.mmdb"), "203.0.113.0/24=DE", "2001:db8:66::/48=CN");
        java.nio.file.Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(watch.check()).isTrue();
        assertThat(problems).last().isEqualTo("null");
        assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isZero();
        assertThat(net.probe(Netns.ATTACKER6, Netns.PBX6)).isEqualTo(1);
        assertThat(log).anyMatch(l -> l.contains("swapped in from the changed " + file));
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
    }
  }

  /**
   * Every country set in the namespace's ruleset is a plain set: nft 1.0.6 reads every element of
   * every interval set before each change, so one there would slow every later ban (issue #15).
   */
  private static void assertNoIntervalCountrySet(Netns net) throws Exception {
    com.fasterxml.jackson.databind.JsonNode all =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(net.inPbx("nft -j list ruleset"));
    int countrySets = 0;
    for (com.fasterxml.jackson.databind.JsonNode item : all.path("nftables")) {
      com.fasterxml.jackson.databind.JsonNode set = item.path("set");
      if (set.isMissingNode() || !set.path("name").asText().contains("-cc")) {
        continue;
      }
      countrySets++;
      assertThat(set.path("flags").toString())
          .as("flags of country set " + set.path("name").asText())
          .doesNotContain("interval");
    }
    assertThat(countrySets).as("country sets in the ruleset").isPositive();
  }

  // the networks of the prefix mix: each with addresses just inside (first, last) and just outside
  private static final String[][] MIX = {
    {"203.0.113.128/26", "203.0.113.128", "203.0.113.191", "203.0.113.127", "203.0.113.192"},
    {"192.0.2.32/27", "192.0.2.32", "192.0.2.63", "192.0.2.31", "192.0.2.64"},
    {"192.0.2.100/31", "192.0.2.100", "192.0.2.101", "192.0.2.99", "192.0.2.102"},
    {"192.0.2.200/32", "192.0.2.200", "192.0.2.199", "192.0.2.201"},
    {
      "2001:db8:4000::/40",
      "2001:db8:4000::",
      "2001:db8:40ff:ffff:ffff:ffff:ffff:ffff",
      "2001:db8:3fff:ffff:ffff:ffff:ffff:ffff",
      "2001:db8:4100::"
    },
    {
      "2001:db8:77::/48",
      "2001:db8:77::1",
      "2001:db8:77:ffff:ffff:ffff:ffff:ffff",
      "2001:db8:76:ffff:ffff:ffff:ffff:ffff",
      "2001:db8:78::"
    },
    {
      "2001:db8:88:1::/64",
      "2001:db8:88:1::",
      "2001:db8:88:1:ffff:ffff:ffff:ffff",
      "2001:db8:88:0:ffff:ffff:ffff:ffff",
      "2001:db8:88:2::"
    },
    {"2001:db8:99::9/128", "2001:db8:99::9", "2001:db8:99::8", "2001:db8:99::a"},
  };

  /** Whether {@code address} is one of the mix's "just inside" addresses. */
  private static boolean inside(String[] row, String address) {
    String net = row[0];
    int prefix = Integer.parseInt(net.substring(net.indexOf('/') + 1));
    int bits = net.contains(":") ? 128 : 32;
    // a /32 or /128 has one inside address; the others have two (first and last)
    int insiders = prefix == bits ? 1 : 2;
    for (int i = 1; i <= insiders; i++) {
      if (row[i].equals(address)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void prefixMix_eachLengthMatchesExactly_inDenyAndInAllow() throws Exception {
    List<String> networks = new ArrayList<>();
    for (String[] row : MIX) {
      networks.add(row[0] + "=CN");
    }
    // the phone's and the attacker's networks: of no listed country
    CountryDatabase db = database("mix.mmdb", networks.toArray(String[]::new));
    try (Netns net = new Netns()) {
      net.startEcho();
      for (String[] row : MIX) {
        for (int i = 1; i < row.length; i++) {
          net.addSource(row[i]);
        }
      }
      NftablesBackend fw = backend(net, CountryShield.of(CountryRule.parse("deny CN"), db));
      fw.start();
      try {
        assertThat(net.inPbx("nft list sets inet"))
            .contains("asterisk-v4-cc-26", "asterisk-v4-cc-27", "asterisk-v4-cc-31")
            .contains("asterisk-v4-cc-32", "asterisk-v6-cc-40", "asterisk-v6-cc-48")
            .contains("asterisk-v6-cc-64", "asterisk-v6-cc-128");
        assertNoIntervalCountrySet(net);
        for (String mode : List.of("deny", "allow")) {
          if (mode.equals("allow")) {
            fw.countriesNow("asterisk", CountryShield.of(CountryRule.parse("allow CN"), db));
          }
          // the probes run side by side (a dropped one waits for its timeouts), each bounded
          var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
          try {
            List<java.util.concurrent.Future<Integer>> outcomes = new ArrayList<>();
            for (String[] row : MIX) {
              for (int i = 1; i < row.length; i++) {
                String source = row[i];
                String target = source.contains(":") ? Netns.PBX6 : Netns.PBX;
                outcomes.add(pool.submit(() -> net.probe(source, target)));
              }
            }
            int k = 0;
            for (String[] row : MIX) {
              for (int i = 1; i < row.length; i++) {
                boolean dropped = inside(row, row[i]) == mode.equals("deny");
                String where = (inside(row, row[i]) ? " in " : " outside ") + row[0];
                assertThat(outcomes.get(k++).get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .as(mode + " CN, " + row[i] + where)
                    .isEqualTo(dropped ? 1 : 0);
              }
            }
          } finally {
            pool.shutdownNow();
          }
        }
        assertThat(fw.lastError()).isNull();
      } finally {
        fw.close();
      }
    }
  }

  @Test
  void reconcile_withCountrySets_readsOnlyTheBanSets_adoptsAndRemovesStrays_remakesAWipedTable()
      throws Exception {
    // the reconcile listed the whole table every minute: with GeoLite2-sized country sets, 1-3 s
    // of nft each time; it now lists the ban sets only, and must still see everything it did
    CountryShield shield = CountryShield.of(CountryRule.parse("deny CN"), standard());
    try (Netns net = new Netns()) {
      NftablesBackend fw = backend(net, shield);
      fw.start();
      try {
        net.inPbx("nft add element inet portcullis asterisk-v4 { 198.51.100.7 timeout 600s }");
        net.inPbx("nft add element inet portcullis asterisk-v6-net { 2001:db8:77::/64 }");
        List<String> asked = new ArrayList<>();
        List<String> removed = new java.util.concurrent.CopyOnWriteArrayList<>();
        String said =
            fw.reconcile(
                List::of,
                new FirewallBackend.Strays() {
                  @Override
                  public boolean adopt(String jail, IpAddress ip, Duration remaining) {
                    asked.add(jail + " " + ip);
                    return !ip.isV4(); // the v4 one was unbanned
                  }

                  @Override
                  public void removed(String jail, IpAddress ip) {
                    removed.add(ip.toString());
                  }
                },
                true);
        assertThat(asked)
            .as("both strays found, no country network taken for one")
            .containsExactlyInAnyOrder("asterisk 198.51.100.7", "asterisk 2001:db8:77::/64");
        assertThat(said).contains("1 element(s) no ban in force explained: adopted as bans");
        Await.until("the unbanned stray removed", Duration.ofSeconds(10), () -> !removed.isEmpty());
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4"))
            .doesNotContain("198.51.100.7");
        // somebody wipes the table: the reconcile makes it again, country sets included
        net.inPbx("nft delete table inet portcullis");
        assertThat(fw.reconcile(List::of, (jail, ip, left) -> true, true)).contains("re-created");
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-cc-24"))
            .contains("203.0.113.0");
        assertThat(fw.reconcile(List::of, (jail, ip, left) -> true, true))
            .as("nothing left to repair")
            .isEmpty();
      } finally {
        fw.close();
      }
    }
  }

  @Test
  void jailWithoutCountryRule_getsCleanupOnlyWhenTheKernelHasItsCountryChain() throws Exception {
    // regression: each jail without a country rule got about 650 cleanup statements (every prefix
    // length's set added and deleted) at every start and reload, ~16 ms of nft a jail
    CountryShield shield = CountryShield.of(CountryRule.parse("deny CN"), standard());
    try (Netns net = new Netns()) {
      NftablesBackend withRule = backend(net, shield);
      withRule.start();
      withRule.close();
      assertThat(net.inPbx("nft list chains inet")).contains("asterisk-v4-cc");
      // the next start has no rule: the kernel holds one from before, so it goes
      NftablesBackend without = backend(net, CountryShield.OFF);
      assertThat(without.update()).contains("delete chain inet portcullis asterisk-v4-cc\n");
      without.start();
      without.close();
      assertThat(net.inPbx("nft list chains inet")).doesNotContain("asterisk-v4-cc");
      assertThat(net.inPbx("nft list ruleset")).doesNotContain("-cc-");
      // and the start after that has nothing to remove: a few statements, not hundreds
      NftablesBackend again = backend(net, CountryShield.OFF);
      String script = again.update();
      assertThat(script).doesNotContain("asterisk-v4-cc-24").doesNotContain("delete chain");
      assertThat(script.lines().count()).as(script).isLessThan(60);
      again.start();
      again.close();
    }
  }
}
