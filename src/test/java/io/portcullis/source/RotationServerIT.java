package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.control.ControlClient;
import io.portcullis.control.Protocol;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A running {@code portcullis server} whose asterisk jail reads a log rotated every 0.3 s while
 * failure lines are written at 25,000 lines/s: the jail counts every failure exactly once.
 */
class RotationServerIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @org.junit.jupiter.api.io.TempDir Path dir;

  /** The server's config dir: the shipped asterisk filter, one jail reading {@code logpath}. */
  static Path config(Path dir, String logpath, String extra) throws IOException {
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Files.writeString(
        conf.resolve("portcullis.conf"), ServerProcess.settings(dir) + "loglevel = NOTICE\n");
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + logpath
            + "\nmaxretry = 1000000\nfindtime = 10m\nbantime = 1h\nlogtimezone = UTC\n"
            + "ignoreself = false\nignoreip =\nallowtime = 0\naction = log[file="
            + dir.resolve("actions.log")
            + "]\n"
            + extra);
    return conf;
  }

  /** The asterisk jail's status (through the control socket, without a JVM per call). */
  static JsonNode status(Path dir) throws IOException {
    try {
      return ControlClient.call(dir.resolve("s.sock"), "status", List.of("asterisk"));
    } catch (Protocol.CommandException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The jail's whole status, for a failure's message: the tailer's counters tell a loss apart. */
  static String statusText(Path dir) {
    try {
      return status(dir).toString();
    } catch (IOException e) {
      return "unavailable: " + e.getMessage();
    }
  }

  /**
   * Writes the server's threads and log to target/ when a run does not count everything, so a stall
   * can be told from a loss; returns where they are.
   */
  private String keepForDiagnosis(ServerProcess server, RotatingWriter.Mode mode) {
    Path out = Path.of("target", "RotationServerIT-" + mode + "-" + server.pid() + ".txt");
    try {
      Process jcmd =
          new ProcessBuilder("jcmd", Long.toString(server.pid()), "Thread.print")
              .redirectErrorStream(true)
              .start();
      byte[] threads = jcmd.getInputStream().readAllBytes();
      jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      Path log = dir.resolve("server.log");
      Files.write(out, threads);
      if (Files.exists(log)) {
        Files.write(out, Files.readAllBytes(log), StandardOpenOption.APPEND);
      }
      return "threads and log in " + out;
    } catch (IOException | InterruptedException e) {
      return "threads not kept: " + e;
    }
  }

  static long failures(Path dir) {
    try {
      return status(dir).path("failures").path("total").asLong(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  @ParameterizedTest
  @EnumSource(RotatingWriter.Mode.class)
  void rotationEvery300ms_at25000LinesPerSecond_theJailCountsEveryFailureOnce(
      RotatingWriter.Mode mode) throws Exception {
    int total = 75_000;
    RotatingWriter w =
        new RotatingWriter(
            dir, mode, 25_000, Duration.ofMillis(300), written -> failures(dir) >= written);
    w.prepare();
    Path conf = config(dir, w.logpath(), "");
    try (ServerProcess server =
        new ServerProcess(List.of(), conf, dir.resolve("s.sock"), dir.resolve("out.txt"))) {
      server.start();
      Await.until(
          "the jail to follow the log",
          LIMIT,
          Await.quietly(() -> status(dir).path("files").size() > 0));
      int rotations = w.write(total);
      Await.until(
          "every failure counted",
          LIMIT,
          () -> failures(dir) >= total,
          () ->
              failures(dir)
                  + " of "
                  + total
                  + " counted; status "
                  + statusText(dir)
                  + "; "
                  + keepForDiagnosis(server, mode));
      // one more line after the rest: what arrives twice arrives before it
      Path current = dir.resolve("messages");
      Files.writeString(
          current,
          RotatingWriter.line(total, Instant.now()),
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      Await.until("the last line counted", LIMIT, () -> failures(dir) >= total + 1);
      long counted = failures(dir) - 1;
      System.out.printf(
          "server, rotation %s: %d failures written at %.0f lines/s, %d rotations, %d late"
              + " writes, %d ms paused for the reader: %d counted by the jail%n",
          mode, total, w.achievedRate(), rotations, w.lateLines(), w.paused().toMillis(), counted);
      assertThat(counted).as("failures counted; status %s", statusText(dir)).isEqualTo(total);
      assertThat(w.achievedRate()).isGreaterThanOrEqualTo(25_000 * 0.95);
      assertThat(status(dir).path("problems").size()).isZero();
      server.stop();
    }
  }
}
