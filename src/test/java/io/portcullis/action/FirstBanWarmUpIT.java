package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.control.ControlClient;
import io.portcullis.testing.AsteriskLines;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first failures and the first ban after a start run no cold code on the jail's thread, the
 * store's or the log reader's: the JVM's class-load log (each entry stamped with the monotonic
 * clock and the loading thread) shows no class loaded by the threads {@code jail-asterisk}, {@code
 * store-writer} and {@code tail-asterisk} from the first failure line to the ban, for a fresh
 * server whose warm-up ran before it read its log. What the warm-up misses shows up here by name;
 * the time it costs is measured by bench/daemon.sh (b), not by this test. Once with a log action,
 * once with the nftables firewall in a network namespace (the jail then also waits for the kernel's
 * answer).
 */
class FirstBanWarmUpIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  // [<nanoTime>ns][<os thread id>] <class> source: ...
  private static final Pattern ENTRY = Pattern.compile("^\\[(\\d+)ns\\]\\[(\\d+)\\] (\\S+)");

  @TempDir Path dir;

  private JsonNode status() throws IOException {
    try {
      return ControlClient.call(dir.resolve("s.sock"), "status", List.of("asterisk"));
    } catch (io.portcullis.control.Protocol.CommandException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The OS id of the server's thread whose name starts with {@code name} (Linux comm). */
  private static long threadId(long pid, String name) throws IOException {
    String comm = name.length() > 15 ? name.substring(0, 15) : name;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(t.resolve("comm")).strip().equals(comm)) {
            return Long.parseLong(t.getFileName().toString());
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    throw new AssertionError("no thread named " + comm + " in process " + pid);
  }

  @Test
  void theFirstBanAfterAStart_loadsNoClassOnTheJailsThread_logAction() throws Exception {
    // regression: the first ban bootstrapped the ban list's and the counts' record keys, the
    // store write's and the action slot's lambdas on the jail's thread (1-1.5 ms each, the first
    // ban 7-12 ms against 3-5 for the next on a busy machine); and the first failures loaded the
    // found date's, the match's and the pairing's classes on the jail's thread and the store's
    // statements and JSON on its writer (45-70 ms for the first block of failures at load 12)
    firstBanLoadsNothingOnTheJailsThread(null);
  }

  @Test
  void theFirstBanAfterAStart_loadsNoClassOnTheJailsThread_nftables() throws Exception {
    // regression: with a firewall the jail's thread also linked the key of the kernel's answer
    try (Netns net = new Netns()) {
      firstBanLoadsNothingOnTheJailsThread(net);
    }
  }

  private void firstBanLoadsNothingOnTheJailsThread(Netns net) throws Exception {
    Path log = dir.resolve("messages");
    Files.createFile(log);
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Files.writeString(
        conf.resolve("portcullis.conf"),
        ServerProcess.settings(dir) + (net == null ? "" : "netns = " + net.pbx + "\n"));
    Path actions = dir.resolve("actions.log");
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\nlogtimezone = UTC\n"
            + "ignoreself = false\nignoreip =\nallowtime = 0\n"
            + (net == null ? "action = " : "action = firewall[backend=nftables]\n         ")
            + "log[file="
            + actions
            + "]\n");
    Path classes = dir.resolve("classes.txt");
    // the server's own JIT setting (packaging/launcher: C1 only), and the class-load log
    List<String> jvm =
        List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xlog:class+load=info:file=" + classes + ":timenanos,tid");
    String attacker = "203.0.113.45";
    long from;
    long until;
    long jailThread;
    long storeThread;
    long tailThread;
    try (ServerProcess server =
        new ServerProcess(List.of(), jvm, conf, dir.resolve("s.sock"), dir.resolve("out.txt"))) {
      server.start();
      Await.until(
          "the jail to follow the log",
          LIMIT,
          Await.quietly(() -> status().path("files").size() > 0));
      if (net != null) {
        // regression: nft -i was started by the first ban's batch (a fork of the server's JVM)
        assertThat(
                ProcessHandle.of(server.pid())
                    .orElseThrow()
                    .descendants()
                    .map(p -> p.info().commandLine().orElse(""))
                    .anyMatch(c -> c.matches("(?s).*\\bnft -i\\b.*")))
            .as("an nft -i session among the server's children before the first line")
            .isTrue();
      }
      jailThread = threadId(server.pid(), "jail-asterisk");
      storeThread = threadId(server.pid(), "store-writer");
      tailThread = threadId(server.pid(), "tail-asterisk");
      from = System.nanoTime();
      Files.writeString(
          log,
          (AsteriskLines.wrongPassword("100", "192.0.2.10", attacker) + "\n").repeat(4),
          StandardOpenOption.APPEND);
      Await.until(
          "four failures counted",
          LIMIT,
          Await.quietly(() -> status().path("failures").path("total").asLong() == 4));
      Files.writeString(
          log,
          AsteriskLines.wrongPassword("100", "192.0.2.10", attacker) + "\n",
          StandardOpenOption.APPEND);
      Await.until(
          "the ban of " + attacker,
          LIMIT,
          Await.quietly(
              () -> Files.exists(actions) && Files.readString(actions).contains(attacker)));
      // a line after the ban: once it is read, the jail's thread is done with the ban
      Files.writeString(log, "portcullis test: a line after the ban\n", StandardOpenOption.APPEND);
      Await.until(
          "the line after the ban read",
          LIMIT,
          Await.quietly(() -> status().path("lines").asLong() >= 6));
      until = System.nanoTime();
      assertThat(status().path("bans").path("total").asLong()).as("bans of the jail").isEqualTo(1);
      server.stop(); // flushes the class-load log
    }
    List<String> cold = new ArrayList<>();
    int onJailThread = 0;
    int onStoreThread = 0;
    int onTailThread = 0;
    for (String line : Files.readAllLines(classes)) {
      Matcher m = ENTRY.matcher(line);
      if (!m.find()) {
        continue;
      }
      long thread = Long.parseLong(m.group(2));
      if (thread == jailThread) {
        onJailThread++;
      } else if (thread == storeThread) {
        onStoreThread++;
      } else if (thread == tailThread) {
        onTailThread++;
      } else {
        continue;
      }
      long at = Long.parseLong(m.group(1));
      if (at >= from && at <= until) {
        cold.add(
            (thread == jailThread ? "jail: " : thread == storeThread ? "store: " : "tail: ")
                + m.group(3));
      }
    }
    // the log's thread ids are the OS ids read from /proc (threadId): some class loaded on one of
    // the three threads since start shows it, so an empty window is the warm-up's doing and not ids
    // that match nothing. Not each thread on its own: which thread first loads a class the others
    // use too is a race, and a warm-up that covers a thread's path well may leave it none.
    assertThat(onJailThread + onStoreThread + onTailThread)
        .as(
            "classes loaded since start on the jail's (%d), the store's (%d) and the reader's (%d)"
                + " threads",
            onJailThread, onStoreThread, onTailThread)
        .isPositive();
    assertThat(cold).as("classes loaded by the first failures and the first ban").isEmpty();
  }
}
