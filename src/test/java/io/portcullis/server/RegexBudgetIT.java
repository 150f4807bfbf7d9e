package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.Client;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filter whose regex backtracks catastrophically on crafted lines: the jail counts the lines that
 * used up the step budget, shows them in status, says so in the log at most once a minute, and
 * keeps detecting the lines after them.
 */
class RegexBudgetIT {
  @TempDir Path dir;
  private final TestClock clock = new TestClock(Instant.parse("2024-05-01T10:00:00Z"));
  private Path log;
  private Server server;
  private Client client;

  @BeforeEach
  void setUp() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    // eight a* before a word that is not there try every split of the a's (40^8 ways);
    // java.util.regex remembers what it tried inside (a|aa)+ and the like, not across a*a*
    Files.writeString(
        conf.resolve("filter.d/slow.conf"),
        "[Definition]\nfailregex = ^Login a*a*a*a*a*a*a*a* failed from <HOST>$\n"
            + "datepattern = {NONE}\n");
    log = Files.createFile(dir.resolve("app.log"));
    Files.writeString(conf.resolve("portcullis.conf"), ServerProcess.settings(dir));
    Files.writeString(
        conf.resolve("jail.conf"),
        "[slow]\nenabled = true\nfilter = slow\nignoreself = false\nmaxretry = 100\nlogpath = "
            + log
            + "\n");
    server = Server.start(conf, clock, null);
    client = new Client(dir.resolve("s.sock"));
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
  }

  private void write(String lines) throws IOException {
    Files.writeString(log, lines, StandardOpenOption.APPEND);
  }

  private static String crafted(int i) {
    return "Login " + "a".repeat(40) + "b failed from 192.0.2." + i + "\n";
  }

  private long budgetMessages() throws IOException {
    return Files.readAllLines(dir.resolve("server.log")).stream()
        .filter(l -> l.contains("made a regex of filter slow give up"))
        .count();
  }

  @Test
  void craftedLines_areCountedInStatus_loggedOncePerMinute_andDetectionGoesOn() throws Exception {
    // regression (issue #12 probe): budget hits were shown neither in status nor in the log
    write(crafted(1) + crafted(2) + crafted(3) + crafted(4) + crafted(5));
    write("Login aa failed from 198.51.100.9\n");
    Await.until(
        "the line after the crafted ones to count",
        Duration.ofSeconds(60),
        Await.quietly(() -> client.status("slow").failures().total() == 1));
    assertThat(client.status("slow").regexBudgetHits()).isEqualTo(5);
    // the server log is buffered: its line may come a moment after status counts the hits
    Await.until(
        "the budget message in the server log",
        Duration.ofSeconds(10),
        Await.quietly(() -> budgetMessages() >= 1));
    assertThat(budgetMessages()).isEqualTo(1);

    write(crafted(6));
    Await.until(
        "the sixth crafted line",
        Duration.ofSeconds(60),
        Await.quietly(() -> client.status("slow").regexBudgetHits() == 6));
    assertThat(budgetMessages()).isEqualTo(1); // within the minute: counted, not logged

    clock.advance(Duration.ofSeconds(61));
    write(crafted(7));
    Await.until(
        "a second message a minute later",
        Duration.ofSeconds(60),
        Await.quietly(() -> budgetMessages() == 2));
    assertThat(Files.readString(dir.resolve("server.log")))
        .contains("7 since start")
        .contains("[slow] 2 line(s) made a regex of filter slow give up after 2000000 steps");
  }
}
