package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.ProtocolMapper;
import io.portcullis.control.Replies;
import io.portcullis.geo.CountryDatabaseIT;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code why} and {@code banned} show the country of an address when countrydb is configured (a
 * real server, a real .mmdb from MaxMind's Perl writer), and nothing, without an error, when not.
 */
class CountryWhyIT {
  @TempDir Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2024-05-01T10:00:00Z"));
  private Path log;
  private Server server;

  private void start(String countrydb) throws Exception {
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    log = Files.createFile(dir.resolve("messages"));
    Files.writeString(
        conf.resolve("portcullis.conf"),
        ServerProcess.settings(dir) + (countrydb == null ? "" : "countrydb = " + countrydb + "\n"));
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nbantime = 1h\nfindtime = 10m\nmaxretry = 2\nlogtimezone = UTC\n"
            + "ignoreself = false\naction = log\n");
    server = Server.start(conf, clock, null);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private void ban(String ip) throws IOException {
    for (String user : List.of("100", "101")) {
      Files.writeString(
          log,
          "[2024-05-01 10:00:00] NOTICE[1] chan_sip.c: Registration from '<sip:"
              + user
              + "@x>' failed for '"
              + ip
              + ":5060' - Wrong password\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    }
  }

  private String[] cli(String... args) {
    return io.portcullis.testing.InProcessCli.run(
        Stream.concat(Stream.of(args), Stream.of("--socket", dir.resolve("s.sock").toString()))
            .toArray(String[]::new));
  }

  private Replies.History why(String ip) throws IOException {
    String[] r = cli("why", ip, "--json");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    return ProtocolMapper.JSON.readValue(r[1], Replies.History.class);
  }

  @Test
  void withCountrydb_whyAndBanned_showTheCountry() throws Exception {
    Path db =
        CountryDatabaseIT.write(dir.resolve("c.mmdb"), "203.0.113.0/24=CN", "2001:db8:66::/48=DE");
    start(db.toString());
    ban("203.0.113.7");
    Await.until(
        "the ban",
        Duration.ofSeconds(15),
        Await.quietly(() -> why("203.0.113.7").banned().size() == 1));
    Replies.History h = why("203.0.113.7");
    assertThat(h.country()).isEqualTo("CN");
    assertThat(h.banned().get(0).country()).isEqualTo("CN");
    assertThat(why("2001:db8:66::9").country()).isEqualTo("DE");
    assertThat(why("192.0.2.1").country()).as("not in the database").isNull();
    assertThat(cli("why", "203.0.113.7")[1]).contains("203.0.113.7 is in country CN");
    String[] banned = cli("banned");
    assertThat(banned[0]).isEqualTo("0");
    assertThat(banned[1]).contains("203.0.113.7 CN");
  }

  @Test
  void withoutCountrydb_noCountry_noError() throws Exception {
    start(null);
    ban("203.0.113.7");
    Await.until(
        "the ban",
        Duration.ofSeconds(15),
        Await.quietly(() -> why("203.0.113.7").banned().size() == 1));
    Replies.History h = why("203.0.113.7");
    assertThat(h.country()).isNull();
    assertThat(h.banned().get(0).country()).isNull();
    assertThat(cli("why", "203.0.113.7")[1]).doesNotContain("country");
  }
}
