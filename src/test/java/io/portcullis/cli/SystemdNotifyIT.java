package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ready signal of the Type=notify unit, with systemd's own systemd-notify. */
class SystemdNotifyIT {
  private static final String JAR = Path.of("target/portcullis.jar").toAbsolutePath().toString();

  @TempDir Path dir;

  @Test
  void serverUnderSystemd_saysReadyOnceItsControlSocketAnswers() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("portcullis.conf"), ServerProcess.settings(dir));
    Files.writeString(conf.resolve("jail.conf"), "[DEFAULT]\nbantime = 1h\n");
    Path notify = dir.resolve("notify.sock");
    Path control = dir.resolve("s.sock");
    Path heard = dir.resolve("heard.txt");
    Process receiver =
        new ProcessBuilder(
                "python3",
                Path.of("src/test/resources/systemd/notify-receiver.py")
                    .toAbsolutePath()
                    .toString(),
                notify.toString(),
                control.toString(),
                "60")
            .redirectErrorStream(true)
            .redirectOutput(heard.toFile())
            .start();
    Process server = null;
    try {
      Await.until(
          "the stand-in notify socket", Duration.ofSeconds(10), () -> contains(heard, "listening"));
      ProcessBuilder pb =
          new ProcessBuilder("java", "-jar", JAR, "server", "--config", conf.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("server.out").toFile());
      pb.environment().put("NOTIFY_SOCKET", notify.toString());
      server = pb.start();
      Await.until(
          "READY=1 from the server", Duration.ofSeconds(30), () -> contains(heard, "READY"));
      List<String> lines = Files.readAllLines(heard);
      assertThat(lines)
          .last()
          .asString()
          .contains("READY=1", "STATUS=ready; control socket " + control, "control-socket-accepts");
      // the barrier was answered: systemd-notify did not fail, so the server said nothing about it
      Process s = server;
      Await.until("the server to keep running", Duration.ofSeconds(5), s::isAlive);
      assertThat(Files.readString(dir.resolve("server.out")))
          .doesNotContain("systemd-notify")
          // no terminal: no start summary either, the journal gets the log
          .doesNotContain("portcullis: ready");
    } finally {
      if (server != null) {
        server.destroy();
        server.waitFor(20, TimeUnit.SECONDS);
        server.destroyForcibly();
      }
      receiver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverOutsideSystemd_runsNoSystemdNotify() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(conf.resolve("portcullis.conf"), ServerProcess.settings(dir));
    Files.writeString(conf.resolve("jail.conf"), "[DEFAULT]\nbantime = 1h\n");
    ProcessBuilder pb =
        new ProcessBuilder("java", "-jar", JAR, "server", "--config", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.out").toFile());
    pb.environment().remove("NOTIFY_SOCKET");
    // an environment where systemd-notify would fail loudly if it ran: no socket to send to
    pb.environment().put("PATH", "/nonexistent");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.command().set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    try (ServerProcess client =
        new ServerProcess(List.of(), conf, dir.resolve("s.sock"), dir.resolve("x"))) {
      Process server = pb.start();
      try {
        Await.until("the server to answer", Duration.ofSeconds(30), client::answers);
        assertThat(Files.readString(dir.resolve("server.out"))).doesNotContain("systemd-notify");
      } finally {
        server.destroy();
        server.waitFor(20, TimeUnit.SECONDS);
        server.destroyForcibly();
      }
    }
  }

  private static boolean contains(Path file, String text) {
    try {
      return Files.isRegularFile(file) && Files.readString(file).contains(text);
    } catch (IOException e) {
      return false;
    }
  }
}
