package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.geo.CountryDatabaseIT;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.plan.ActionPlan;
import io.portcullis.plan.ActionRuntime;
import io.portcullis.plan.Assembler;
import io.portcullis.plan.JailPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mail action's country comes from countrydb when one is configured (the database {@code why}
 * and {@code banned} read, a real .mmdb written by MaxMind's Perl writer), not from geoiplookup.
 */
class CountryMailIT {
  @TempDir Path dir;

  private static BanDecision ban(String ip) {
    return new BanDecision(
        "asterisk",
        ip,
        IpAddress.parse(ip),
        Instant.ofEpochSecond(1714557600),
        Duration.ofHours(1),
        1,
        5,
        List.of("failed for '" + ip + "'"));
  }

  /** The mail action of a config dir's asterisk jail, made as the server makes it. */
  private MailAction mailOf(String countrydb) throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Path log = Files.createFile(dir.resolve("messages"));
    Files.writeString(
        conf.resolve("portcullis.conf"),
        "[Definition]\ndbfile = none\n" + (countrydb == null ? "" : "countrydb = " + countrydb));
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\naction = mail[dest=admin@example.org, country=yes, batch=1]\n");
    JailPlan plan = Assembler.forThisHost().assemble(conf).plans().get(0);
    ActionPlan mail =
        plan.actions().stream().filter(a -> a.name().equals("mail")).findFirst().orElseThrow();
    List<String> errors = new ArrayList<>();
    return (MailAction)
        mail.create(
            new ActionRuntime() {
              @Override
              public Clock clock() {
                return Clock.systemUTC();
              }

              @Override
              public Consumer<String> errors() {
                return errors::add;
              }

              @Override
              public Consumer<String> info() {
                return errors::add;
              }

              @Override
              public List<String> commandPrefix() {
                return List.of();
              }

              @Override
              public FirewallBackend firewall(FirewallKind kind) {
                throw new UnsupportedOperationException("no firewall in this test");
              }
            });
  }

  @Test
  void countrydbConfigured_mailShowsItsCountry_andSaysWhenTheAddressIsNotInIt() throws Exception {
    Path db = CountryDatabaseIT.write(dir.resolve("c.mmdb"), "203.0.113.0/24=CN");
    MailAction a = mailOf(db.toString());
    try {
      assertThat(a.body(List.of(ban("203.0.113.7")))).contains("country: CN\n");
      assertThat(a.body(List.of(ban("198.51.100.7"))))
          .contains("country: unknown (not in countrydb)\n");
    } finally {
      a.stop();
    }
  }

  @Test
  void noCountrydb_mailDoesNotSayCountrydb() throws Exception {
    MailAction a = mailOf(null);
    try {
      // geoiplookup's answer (or that it is missing): whatever it is, not the database's words
      assertThat(a.body(List.of(ban("203.0.113.7"))))
          .contains("country: ")
          .doesNotContain("not in countrydb");
    } finally {
      a.stop();
    }
  }
}
