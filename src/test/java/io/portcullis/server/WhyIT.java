package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.ProtocolMapper;
import io.portcullis.control.Replies;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import io.portcullis.plan.Assembler;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis why}: a real server, a real log file and SQLite file, the command line client;
 * the lines the server read are what {@code why} shows, with their file, filter and regex.
 */
class WhyIT {
  @TempDir Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2024-05-01T10:00:00Z"));
  private Path conf;
  private Path log;
  private Server server;

  @BeforeEach
  void setUp() throws Exception {
    conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    log = Files.createFile(dir.resolve("messages"));
    Files.writeString(
        conf.resolve("portcullis.conf"), ServerProcess.settings(dir) + "dbpurgeage = 1h\n");
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nbantime = 1h\nfindtime = 10m\nmaxretry = 3\nlogtimezone = UTC\n"
            + "ignoreself = false\naction = log\n");
    server = Server.start(conf, clock, null);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private String line(String message) {
    String ts =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC)
            .format(clock.instant());
    return "[" + ts + "] " + message;
  }

  private String failure(String user, String ip) {
    return line(
        "NOTICE[1] chan_sip.c: Registration from '<sip:"
            + user
            + "@x>' failed for '"
            + ip
            + ":5060' - Wrong password");
  }

  private void write(String line) throws IOException {
    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
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

  /** The failregex of the shipped filter that matches a line, as the filter file writes it. */
  private static String regexOf(String line) throws Exception {
    Filter f =
        Assembler.forThisHost().assemble(Path.of("config")).plans().stream()
            .filter(p -> p.name().equals("asterisk"))
            .findFirst()
            .orElseThrow()
            .newFilter();
    List<FilterMatch> m =
        f.process(
                line,
                new io.portcullis.date.DateContext(
                    ZoneOffset.UTC, Instant.parse("2024-05-01T10:00:00Z")))
            .matches();
    assertThat(m).hasSize(1);
    return f.failRegexSources().get(m.get(0).regex());
  }

  @Test
  void why_showsTheBan_withTheLinesThatCausedIt_theirFileFilterAndRegex() throws Exception {
    String attacker = "203.0.113.7";
    List<String> lines =
        List.of(
            failure("100", attacker), failure("101", attacker), failure("\u001b[2J102", attacker));
    write(failure("100", "198.51.100.9")); // somebody else's failure: not in this history
    for (String l : lines) {
      write(l);
    }
    Await.until(
        "the ban and its evidence",
        Duration.ofSeconds(15),
        Await.quietly(() -> why(attacker).events().size() == 1));
    Replies.History h = why(attacker);
    assertThat(h.banned()).hasSize(1);
    Replies.Event ban = h.events().get(0);
    assertThat(ban.kind()).isEqualTo(Replies.EventKind.BAN);
    assertThat(ban.failures()).isEqualTo(3);
    assertThat(ban.bantime()).isEqualTo(3600L);
    assertThat(ban.causes()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      Replies.Event c = ban.causes().get(i);
      assertThat(c.kind()).isEqualTo(Replies.EventKind.FAILURE);
      assertThat(c.count()).isEqualTo(i + 1);
      assertThat(c.evidence().lines()).containsExactly(lines.get(i));
      assertThat(c.evidence().file()).isEqualTo(log.toString());
      assertThat(c.evidence().filter()).isEqualTo("asterisk");
      assertThat(c.evidence().regex()).isEqualTo(regexOf(lines.get(i)));
    }
    String[] human = cli("why", attacker);
    assertThat(human[0]).isEqualTo("0");
    assertThat(human[1])
        .contains(attacker + " is banned in asterisk since 2024-05-01T10:00:00Z")
        .contains("BAN #1 for 1h after 3 failure(s)")
        .contains("from " + log + ":")
        .contains("      " + lines.get(0))
        .contains("matched by asterisk: " + regexOf(lines.get(0)))
        // the escape a client put in its user name does not reach the terminal
        .contains("<sip:\\x1b[2J102@x>")
        .doesNotContain("\u001b");
  }

  @Test
  void why_tellsUnbansAndAllowsAfterASuccessfulLogin_andForgetsThemAfterDbpurgeage()
      throws Exception {
    String phone = "192.0.2.10";
    write(failure("100", phone));
    String success =
        line(
            "SECURITY[1] res_security_log.c: SecurityEvent=\"SuccessfulAuth\",EventTV=\"x\","
                + "Severity=\"Informational\",Service=\"PJSIP\",EventVersion=\"1\","
                + "AccountID=\"100\",SessionID=\"s\",LocalAddress=\"IPV4/UDP/198.51.100.1/5060\","
                + "RemoteAddress=\"IPV4/UDP/"
                + phone
                + "/5060\",UsingPassword=\"1\"");
    write(success);
    Await.until(
        "the failure and the allow",
        Duration.ofSeconds(15),
        Await.quietly(() -> why(phone).events().size() == 2));
    // issue #16: why says the phone is trusted, why and until when (the login's allowtime, 1 day)
    List<Replies.Trusted> trust = why(phone).trusted().get("asterisk");
    assertThat(trust).hasSize(1);
    assertThat(trust.get(0).until())
        .isEqualTo(clock.instant().plus(Duration.ofDays(1)).getEpochSecond());
    assertThat(trust.get(0).reason()).isEqualTo("login");
    assertThat(cli("why", phone)[1])
        .contains(phone + " is trusted in asterisk until 2024-05-02T10:00:00Z (login");
    assertThat(cli("ban", "asterisk", phone)[0]).isEqualTo("0");
    assertThat(cli("unban", phone)[0]).isEqualTo("0");
    Await.until(
        "the ban and the unban",
        Duration.ofSeconds(15),
        Await.quietly(() -> why(phone).events().size() == 4));
    List<Replies.Event> events = why(phone).events();
    assertThat(events)
        .extracting(Replies.Event::kind)
        .containsExactly(
            Replies.EventKind.UNBAN,
            Replies.EventKind.BAN,
            Replies.EventKind.ALLOW,
            Replies.EventKind.FAILURE);
    assertThat(events.get(0).reason()).isEqualTo("by command");
    assertThat(events.get(1).failures()).isZero();
    assertThat(events.get(1).causes()).isEmpty();
    Replies.Event allow = events.get(2);
    assertThat(allow.reason()).isEqualTo("successful login");
    assertThat(allow.evidence().lines()).containsExactly(success);
    assertThat(allow.until()).isEqualTo(clock.instant().plus(Duration.ofDays(1)).getEpochSecond());
    assertThat(cli("why", phone)[1])
        .contains(phone + " is not banned now")
        .contains("unban (by command)")
        .contains("BAN #1 for 1h by command")
        .contains("allowed until 2024-05-02T10:00:00Z (successful login)")
        .contains("failure #1 in " + log);
    // the purge runs once an hour and forgets what is older than dbpurgeage (1h here)
    clock.advance(Duration.ofMinutes(121));
    Await.until(
        "the purge", Duration.ofSeconds(15), Await.quietly(() -> why(phone).events().isEmpty()));
    assertThat(cli("why", phone)[1]).contains("nothing is known about " + phone);
  }

  @Test
  void why_ofSomethingThatIsNoAddress_isAUsageError() {
    String[] r = cli("why", "not-an-ip");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("'not-an-ip' is not an IP address");
  }
}
