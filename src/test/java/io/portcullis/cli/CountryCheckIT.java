package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.geo.CountryDatabaseIT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis check} on country rules, with a real .mmdb written by MaxMind's Perl writer.
 */
class CountryCheckIT {
  @TempDir Path dir;
  private Path conf;
  private Path log;

  @BeforeEach
  void setUp() throws IOException {
    conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    log = Files.createFile(dir.resolve("messages"));
  }

  private void settings(String countrydb) throws IOException {
    Files.writeString(
        conf.resolve("portcullis.conf"),
        "[Definition]\ndbfile = none\n" + (countrydb == null ? "" : "countrydb = " + countrydb));
  }

  private void jail(String countries, String action) throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\ncountries = "
            + countries
            + "\naction = "
            + action
            + "\n");
  }

  private String[] check() {
    return io.portcullis.testing.InProcessCli.run("check", "--config", conf.toString());
  }

  private Path database() throws Exception {
    return CountryDatabaseIT.write(
        dir.resolve("c.mmdb"), "198.51.100.0/24=DE", "203.0.113.0/24=CN", "2001:db8:1::/48=FR");
  }

  @Test
  void badCountryCode_isAConfigError_withFileLineAndWhatWouldBeValid() throws Exception {
    settings(database().toString());
    jail("deny CN QQ", "firewall");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            conf.resolve("jail.conf")
                + ":5: countries: 'QQ' is not an ISO 3166 alpha-2 country code (like DE, FR,"
                + " US)");
  }

  @Test
  void allowAndDeny_inOneRule_isAConfigError() throws Exception {
    settings(database().toString());
    jail("allow DE deny CN", "firewall");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains(conf.resolve("jail.conf") + ":5: countries: both allow and deny");
  }

  @Test
  void countriesWithoutADatabase_isAConfigError_sayingWhatToSet() throws Exception {
    settings(null);
    jail("deny CN", "firewall");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            conf.resolve("jail.conf")
                + ":5: countries = deny CN: no country database; set countrydb =");
  }

  @Test
  void missingDatabase_isAConfigError_namingTheFileAndTheSettingsLine() throws Exception {
    Path gone = dir.resolve("gone.mmdb");
    settings(gone.toString());
    jail("deny CN", "firewall");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            conf.resolve("portcullis.conf")
                + ":3: countrydb: "
                + gone
                + ": no such file (jail asterisk has countries = deny CN)");
  }

  @Test
  void notAMaxMindDatabase_isAConfigError_namingTheFile() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.mmdb"), "not a database\n");
    settings(bad.toString());
    jail("allow DE", "firewall");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            conf.resolve("portcullis.conf")
                + ":3: countrydb: "
                + bad
                + ": not a readable MaxMind country database");
  }

  @Test
  void goodRule_passes_andTheIpsetBackendSaysItIsNotApplied() throws Exception {
    settings(database().toString());
    jail("deny cn", "firewall[backend=ipset]");
    String[] r = check();
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1])
        .contains(
            "countries: the ipset backend does not support country rules; 'deny CN' is not"
                + " applied");
  }

  @Test
  void largeRule_checkSaysItsNetworksPerFamily_andTheLoadTimeToExpect() throws Exception {
    // 50,001 IPv6 /64 networks of 2001:db8::/32, every other one (so none merge), all CN
    StringBuilder networks = new StringBuilder();
    for (int i = 0; i <= io.portcullis.geo.CountryShield.COSTLY; i++) {
      networks.append(String.format("2001:db8:%x:%x::/64=CN%n", i / 32768, (i % 32768) * 2));
    }
    Path db = dir.resolve("big.mmdb");
    Process p =
        new ProcessBuilder(
                "perl",
                Path.of("src/test/resources/geo/write-mmdb.pl").toAbsolutePath().toString(),
                db.toString(),
                "-")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream()
        .write(networks.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String said = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(said).isZero();
    settings(db.toString());
    jail("deny CN", "firewall");
    String[] r = check();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1])
        .contains(
            "note: countries deny CN: 0 IPv4 networks (0 prefix lengths, a set each) and 50,001"
                + " IPv6 (1); expect about 1 s to load them");
  }
}
