package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis server} started by a person on a terminal (a pseudo-terminal made by {@code
 * script}, in a network namespace for the firewall): one summary of what runs, then silence.
 */
class StartSummaryIT {
  private static final String JAR = Path.of("target/portcullis.jar").toAbsolutePath().toString();

  @TempDir Path dir;

  @Test
  void serverOnATerminal_saysOnceWhatRuns_thenLeavesItToTheLog() throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.writeString(
        conf.resolve("filter.d/t.conf"), "[Definition]\nfailregex = ^login failed from <HOST>$\n");
    Path present = Files.createFile(dir.resolve("present.log"));
    Path later = dir.resolve("later.log");
    Files.writeString(conf.resolve("portcullis.conf"), ServerProcess.settings(dir));
    Files.writeString(
        conf.resolve("jail.conf"),
        "[DEFAULT]\nignoreself = false\nmaxretry = 2\naction = firewall\n\n"
            + "[t]\nenabled = true\nfilter = t\nlogpath = "
            + present
            + "\n          "
            + later
            + "\n\n[broken]\nenabled = true\nfilter = nosuch\nlogpath = "
            + present
            + "\n");
    Path terminal = dir.resolve("terminal.txt");
    String ns = "pc-sum-" + ProcessHandle.current().pid();
    Shell.sh("ip netns add " + ns);
    Process server = null;
    try (ServerProcess client =
        new ServerProcess(List.of(), conf, dir.resolve("s.sock"), dir.resolve("client.out"))) {
      Shell.sh("ip -n " + ns + " link set lo up");
      server =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  ns,
                  "script",
                  "-qefc",
                  "java -jar " + JAR + " server --config " + conf,
                  terminal.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("script.out").toFile())
              .start();
      Await.until(
          "the summary on the terminal",
          Duration.ofSeconds(60),
          () -> read(terminal).contains("log: "));
      String summary = read(terminal);
      assertThat(summary)
          .contains("portcullis: ready with " + conf + ": 1 jail(s) running, 1 not")
          .contains(
              "  jail t: " + present + ", " + later + " (not there yet: followed once it appears)")
          .contains("  jail broken NOT RUNNING: ")
          .contains("  firewall: nftables (table inet portcullis), sets t-v4 t-v6")
          .contains("  control socket: " + dir.resolve("s.sock"))
          .contains("  HTTP: off ([http] listen in portcullis.conf turns on")
          .contains("  log: " + dir.resolve("server.log") + "; nothing more is said here");

      // a ban later is in the log, not on the terminal
      Files.writeString(
          present,
          "login failed from 203.0.113.9\nlogin failed from 203.0.113.9\n",
          StandardOpenOption.APPEND);
      Await.until(
          "the ban in the server log",
          Duration.ofSeconds(20),
          () -> read(dir.resolve("server.log")).contains("Ban 203.0.113.9"));
      assertThat(read(terminal)).isEqualTo(summary);
      client.cli("stop");
      Process s = server;
      Await.until("the server to stop", Duration.ofSeconds(30), () -> !s.isAlive());
    } finally {
      if (server != null) {
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String read(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
