package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.Client;
import io.portcullis.control.Replies;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code portcullis server} process and the signals an admin or systemd sends it. */
class ServerSignalsIT {
  @TempDir Path dir;
  private Path conf;
  private ServerProcess server;

  @BeforeEach
  void setUp(org.junit.jupiter.api.TestInfo test) throws Exception {
    conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    for (String f : List.of("asterisk.conf", "sshd.conf")) {
      Files.copy(Path.of("config/filter.d", f), conf.resolve("filter.d").resolve(f));
    }
    Files.createFile(dir.resolve("messages"));
    Files.createFile(dir.resolve("auth.log"));
    Files.writeString(conf.resolve("portcullis.conf"), ServerProcess.settings(dir));
    Files.writeString(
        conf.resolve("jail.conf"),
        "[DEFAULT]\nignoreself = false\n[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + dir.resolve("messages")
            + "\n");
    server = new ServerProcess(List.of(), conf, dir.resolve("s.sock"), dir.resolve("server.out"));
    if (test.getTags().contains("launchOnly")) {
      server.launch();
    } else {
      server.start();
    }
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(server.pid())).start();
    assertThat(kill.waitFor()).isZero();
  }

  private String log() {
    Path p = dir.resolve("server.log");
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return ""; // read again at the next poll
    }
  }

  private void append(String text) throws IOException {
    Files.writeString(conf.resolve("jail.conf"), text, StandardOpenOption.APPEND);
  }

  @Test
  void sighup_reloads_keepsBans_andABrokenConfigChangesNothing() throws Exception {
    // regression (issue #12 probe): SIGHUP stopped the server (exit 129)
    Client client = new Client(dir.resolve("s.sock"));
    assertThat(client.ban("asterisk", List.of("192.0.2.7"), false).count()).isEqualTo(1);
    append("[sshd]\nenabled = true\nfilter = sshd\nlogpath = " + dir.resolve("auth.log") + "\n");
    signal("HUP");
    Await.until(
        "the sshd jail after SIGHUP",
        Duration.ofSeconds(30),
        Await.quietly(() -> client.status().jails().contains("sshd")));
    // the new jail answers in status a moment before the reload logs that it is done
    Await.until(
        "the reload's message",
        Duration.ofSeconds(30),
        Await.quietly(() -> log().contains("Reloaded: 2 jail(s)")));
    assertThat(log()).contains("Reload requested (SIGHUP)");
    assertThat(client.banned(null)).extracting(Replies.BanEntry::ip).containsExactly("192.0.2.7");

    append("[broken]\nenabled = true\nfilter = sshd\nlogpath = /x\nbantime = 10x\n");
    signal("HUP");
    Await.until(
        "the refused reload in the log",
        Duration.ofSeconds(30),
        Await.quietly(() -> log().contains("Reload refused, nothing changed")));
    assertThat(log()).contains("bantime: '10x' is not a duration");
    assertThat(client.status().jails()).containsExactly("asterisk", "sshd");
  }

  @Test
  void sigterm_stopsCleanly_andRemovesTheSocket() throws Exception {
    signal("TERM");
    assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
    assertThat(dir.resolve("s.sock")).doesNotExist();
    assertThat(log()).contains("Server stopped");
  }

  @Test
  @Tag("launchOnly")
  void sigterm_whileStarting_stopsCleanlyOnceStarted() throws Exception {
    // regression: the shutdown hook was added only after the start returned, so a stop signal
    // during the start (systemd's stop during a long restore) ended the JVM without closing the
    // server; once the socket was open, it and the pid file were left behind (9 of 10 at load 11)
    Path sock = dir.resolve("s.sock");
    Await.until(
        "the start to be under way", Duration.ofSeconds(60), () -> log().contains("Start: config"));
    signal("TERM");
    assertThat(server.awaitExit(Duration.ofSeconds(60))).isEqualTo(143);
    assertThat(sock).doesNotExist();
    assertThat(dir.resolve("p.pid")).doesNotExist();
    assertThat(log()).contains("Server stopped");
  }

  @Test
  void sigint_stopsCleanly_too() throws Exception {
    signal("INT");
    assertThat(server.awaitExit(Duration.ofSeconds(30))).isEqualTo(130);
    assertThat(dir.resolve("s.sock")).doesNotExist();
    assertThat(log()).contains("Server stopped");
  }
}
