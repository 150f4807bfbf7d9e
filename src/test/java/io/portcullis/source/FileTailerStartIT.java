package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lines written once {@link FileTailer#start} has returned are read, however much the log grows
 * before the tailer's thread gets to it: the server says ready after its jails' tailers started,
 * and a log first seen without a saved position starts a fixed number of bytes before its end.
 */
class FileTailerStartIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final int OLD_LINES = 200;
  private static final int NEW_LINES = 2_000;

  @TempDir Path dir;

  @Test
  void linesAppendedAfterStartReturnsAreRead_evenWhenTheLogGrowsPastTheStartBackBytes()
      throws Exception {
    Path log = dir.resolve("messages");
    StringBuilder old = new StringBuilder();
    for (int i = 0; i < OLD_LINES; i++) {
      old.append(line("old", i)).append('\n');
    }
    Files.writeString(log, old);
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    // the tailer's first look at the store for a saved position waits (bounded) until the test
    // has appended: a first pass that placed the log only after start() returned would place it
    // after the append, startBackBytes before the new end, past the appended lines
    CountDownLatch appended = new CountDownLatch(1);
    FileTailer t =
        new FileTailer(
            "test",
            List.of(log.toString()),
            new FileTailer.Positions() {
              @Override
              public FileTailer.Position load(Path file) {
                try {
                  appended.await(500, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return null;
              }

              @Override
              public void save(Path file, FileTailer.Position position) {}
            },
            (file, buf, len) -> {
              String[] lines = new String(buf, 0, len, StandardCharsets.UTF_8).split("\n", -1);
              received.addAll(List.of(lines).subList(0, lines.length - 1));
            },
            Duration.ofMillis(100),
            true,
            1_000);
    try {
      t.start();
      StringBuilder more = new StringBuilder();
      for (int i = 0; i < NEW_LINES; i++) {
        more.append(line("new", i)).append('\n');
      }
      Files.writeString(log, more, StandardOpenOption.APPEND);
      appended.countDown();
      Await.until(
          NEW_LINES + " appended lines read (have " + received.size() + ")",
          LIMIT,
          () -> received.contains(line("new", NEW_LINES - 1)));
    } finally {
      t.close();
    }
    List<String> fresh = received.stream().filter(l -> l.contains(" new ")).toList();
    assertThat(fresh).hasSize(NEW_LINES);
    assertThat(fresh.get(0)).isEqualTo(line("new", 0));
    // and the old lines it read are the last of the log before the start, whole
    List<String> before = received.stream().filter(l -> l.contains(" old ")).toList();
    assertThat(before).isNotEmpty().allSatisfy(l -> assertThat(l).matches(".* old \\d+ .*"));
    assertThat(before.get(before.size() - 1)).isEqualTo(line("old", OLD_LINES - 1));
  }

  private static String line(String kind, int n) {
    return "[2026-11-30 02:10:00] NOTICE[4242] chan_sip.c: " + kind + " " + n + " of the test";
  }
}
