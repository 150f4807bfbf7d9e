package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code backend = systemd} for real: journal files written by Debian's systemd-journal-remote
 * (export format on its input), followed by the server through journalctl, as a directory ({@code
 * journalpath}) and as named files ({@code journalfiles}); bans from them, after a journal file
 * rotation, and after a restart from the saved cursor without reading anything twice.
 */
class JournalIT {
  private static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");

  @TempDir Path dir;
  private Path conf;
  private Path journals;
  private Path actions;
  private Server server;
  private int pid = 4000;

  @BeforeEach
  void setUp() throws IOException {
    assertThat(JOURNAL_REMOTE)
        .as("systemd-journal-remote (apt-get install systemd-journal-remote)")
        .isExecutable();
    conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/sshd.conf"), conf.resolve("filter.d/sshd.conf"));
    journals = Files.createDirectories(dir.resolve("journal"));
    actions = dir.resolve("actions.log");
    Files.writeString(
        conf.resolve("portcullis.conf"),
        io.portcullis.testing.ServerProcess.settings(dir) + "loglevel = INFO\n");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private void jail(String backend) throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[sshd]\nenabled = true\nfilter = sshd\nbackend = "
            + backend
            + "\nmaxretry = 3\nfindtime = 10m\nbantime = 1h\nignoreself = false\n"
            + "action = log[file="
            + actions
            + "]\n");
  }

  /** One journal entry in the export format, as sshd on host pbx would have logged it. */
  private String sshdEntry(String message) {
    Instant now = Instant.now();
    long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    return "__REALTIME_TIMESTAMP="
        + micros
        + "\n_HOSTNAME=pbx\nSYSLOG_IDENTIFIER=sshd\n_PID="
        + (pid++)
        + "\n_SYSTEMD_UNIT=ssh.service\nMESSAGE="
        + message
        + "\n\n";
  }

  private String failure(String ip) {
    return sshdEntry("Failed password for root from " + ip + " port 50022 ssh2");
  }

  /** Writes entries into the journal file with systemd-journal-remote. */
  private void write(String export) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                JOURNAL_REMOTE.toString(), "--output=" + journals.resolve("remote.journal"), "-")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("journal-remote.out").toFile())
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(export.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("systemd-journal-remote did not finish");
    }
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("journal-remote.out"))).isZero();
  }

  /**
   * Fills the journal file with entries of another program until systemd-journal-remote rotates it
   * (renames it to remote@....journal and starts a new remote.journal), as journald does.
   */
  private void rotate() throws IOException, InterruptedException {
    for (int round = 0; round < 20 && rotated().isEmpty(); round++) {
      StringBuilder filler = new StringBuilder();
      long t = Instant.now().getEpochSecond() * 1_000_000;
      for (int i = 0; i < 10_000; i++) {
        String n = round + "-" + i;
        filler
            .append("__REALTIME_TIMESTAMP=")
            .append(t + i)
            .append("\nSYSLOG_IDENTIFIER=filler\nMESSAGE=filler ")
            .append(n)
            .append("\nFILLER_A=a")
            .append(n)
            .append("\nFILLER_B=b")
            .append(n)
            .append("\nFILLER_C=c")
            .append(n)
            .append("\n\n");
      }
      write(filler.toString());
    }
    assertThat(rotated()).as("a rotated journal file").isNotEmpty();
  }

  private List<Path> rotated() throws IOException {
    try (Stream<Path> s = Files.list(journals)) {
      return s.filter(p -> p.getFileName().toString().startsWith("remote@")).toList();
    }
  }

  private List<String> actionLines() {
    try {
      return Files.exists(actions) ? Files.readAllLines(actions) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private String serverLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static void await(String what, BooleanSupplier ok) throws InterruptedException {
    Await.until(what, Duration.ofSeconds(60), ok);
  }

  private BooleanSupplier banned(String ip) {
    return () -> actionLines().stream().anyMatch(l -> l.startsWith("ban sshd " + ip + " "));
  }

  private long count(String text) {
    String log = serverLog();
    long n = 0;
    for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + 1)) {
      n++;
    }
    return n;
  }

  @ParameterizedTest
  @ValueSource(strings = {"journalpath", "journalfiles"})
  void bansFromRealJournalFiles_afterARotation_andAfterARestartFromTheSavedCursor(String option)
      throws Exception {
    jail(
        option.equals("journalpath")
            ? "systemd[journalpath=" + journals + "]"
            : "systemd[journalfiles=" + journals.resolve("remote.journal") + "]");
    write(sshdEntry("Server listening on 0.0.0.0 port 22."));
    server = Server.start(conf, Clock.systemUTC(), null);
    // the log is written out within 100 ms
    await(
        "the jail started on the journal",
        () -> serverLog().contains("[sshd] Jail started: filter sshd, the journal"));

    write(failure("203.0.113.50") + failure("203.0.113.50") + failure("203.0.113.50"));
    await("a ban from the journal", banned("203.0.113.50"));
    assertThat(actionLines()).contains("ban sshd 203.0.113.50 3600 3 1");

    rotate();
    write(failure("203.0.113.51") + failure("203.0.113.51") + failure("203.0.113.51"));
    await("a ban from the journal file that followed the rotation", banned("203.0.113.51"));

    // stopped: entries written meanwhile are read at the next start, the others not again
    server.close();
    server = null;
    write(failure("203.0.113.52") + failure("203.0.113.52") + failure("203.0.113.52"));
    server = Server.start(conf, Clock.systemUTC(), null);
    await("a ban from what was written while the server was down", banned("203.0.113.52"));
    assertThat(count("Found 203.0.113.50 ")).isEqualTo(2);
    assertThat(count("Found 203.0.113.51 ")).isEqualTo(2);
    assertThat(actionLines()).filteredOn(l -> l.startsWith("ban sshd 203.0.113.50 ")).hasSize(2);
  }
}
