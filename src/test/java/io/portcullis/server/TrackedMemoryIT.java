package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.control.ControlClient;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.BufferedWriter;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A million distinct failing addresses within a minute, against a server with a heap too small to
 * hold them all: it keeps its tracked failures within maxtrackedmemory, drops the oldest with a
 * count in status and a warning in its log, never runs out of memory, and still bans.
 */
class TrackedMemoryIT {
  private static final Duration LIMIT = Duration.ofMinutes(5);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @TempDir Path dir;

  private static String failure(String ip) {
    return "["
        + TIME.format(Instant.now())
        + "] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '"
        + ip
        + "' - Wrong password\n";
  }

  private JsonNode status() throws IOException {
    try {
      return ControlClient.call(dir.resolve("s.sock"), "status", List.of("asterisk"));
    } catch (io.portcullis.control.Protocol.CommandException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static long rssKb(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  @Test
  void aMillionDistinctAddresses_stayWithinTheCap_oldestDropped_andTheJailStillBans()
      throws Exception {
    // regression: ~510,000 distinct failing addresses within findtime ran the server out of
    // memory (OutOfMemoryError in the tailer, reconcile and control threads; the process lived on)
    Path log = dir.resolve("messages");
    Files.createFile(log);
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Files.writeString(
        conf.resolve("portcullis.conf"), ServerProcess.settings(dir) + "loglevel = NOTICE\n");
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\nlogtimezone = UTC\n"
            + "ignoreself = false\nignoreip =\nallowtime = 0\nmaxtrackedmemory = 16M\n"
            + "action = log[file="
            + dir.resolve("actions.log")
            + "]\n");
    // a heap that a million tracked addresses would overflow (they took ~780 bytes each)
    List<String> jvm = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
    try (ServerProcess server =
        new ServerProcess(List.of(), jvm, conf, dir.resolve("s.sock"), dir.resolve("out.txt"))) {
      server.start();
      Await.until(
          "the jail to follow the log",
          LIMIT,
          Await.quietly(() -> status().path("files").size() > 0));
      int n = 1_000_000;
      try (BufferedWriter w =
          Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
        for (int i = 0; i < n; i++) {
          w.write(failure(String.format("2001:db8:%x:%x::7", 0x100 + (i >> 16), i & 0xffff)));
        }
      }
      Await.until(
          "a million lines read",
          LIMIT,
          Await.quietly(
              () -> {
                assertThat(server.process().isAlive()).as("server alive").isTrue();
                return status().path("lines").asLong() >= n;
              }));
      JsonNode failures = status().path("failures");
      assertThat(failures.path("total").asLong()).isEqualTo(n);
      long dropped = failures.path("dropped").asLong();
      long current = failures.path("current").asLong();
      // 16M holds roughly a hundred thousand of these; the rest were dropped, and counted
      assertThat(current).isBetween(20_000L, 200_000L);
      assertThat(dropped + current).isEqualTo(n);
      assertThat(Files.readString(dir.resolve("server.log")))
          .contains("[asterisk] Dropped the failures of")
          .contains("maxtrackedmemory = 16M");
      assertThat(server.cli("status", "asterisk"))
          .contains("address(es) dropped, the oldest first");
      long rss = rssKb(server.process().pid());
      System.out.printf(
          "tracked memory: %d failing addresses, %d tracked at the end, %d dropped (oldest"
              + " first), RSS %d MB (heap -Xmx96m, maxtrackedmemory = 16M)%n",
          n, current, dropped, rss / 1024);
      assertThat(rss).isLessThan(250_000);
      // and the jail still does its job
      String attacker = "203.0.113.77";
      Files.writeString(log, failure(attacker).repeat(5), StandardOpenOption.APPEND);
      Path actions = dir.resolve("actions.log");
      Await.until(
          "the ban of " + attacker,
          LIMIT,
          Await.quietly(
              () -> Files.exists(actions) && Files.readString(actions).contains(attacker)));
      assertThat(server.process().isAlive()).isTrue();
    }
  }
}
