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
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-cc"))
            .contains("203.0.113.0/24")
            .contains("192.0.2.0/24");
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
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v4-cc"))
            .doesNotContain("203.0.113.0/24");
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
}
