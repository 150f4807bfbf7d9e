package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files, a real writer thread, real rotation: every line arrives exactly once. */
class FileTailerIT {
  @TempDir Path dir;

  private final List<String> received = Collections.synchronizedList(new ArrayList<>());
  private final Map<Path, FileTailer.Position> saved = new HashMap<>();

  private FileTailer tailer(String glob) {
    return new FileTailer(
        "test",
        List.of(glob),
        new FileTailer.Positions() {
          @Override
          public synchronized FileTailer.Position load(Path file) {
            return saved.get(file);
          }

          @Override
          public synchronized void save(Path file, FileTailer.Position position) {
            saved.put(file, position);
          }
        },
        (file, buf, len) -> {
          for (String l : new String(buf, 0, len, StandardCharsets.UTF_8).split("\n")) {
            received.add(l);
          }
        },
        Duration.ofMillis(200),
        true,
        1 << 20);
  }

  private void awaitCount(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (received.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void renameRotation_andCopytruncate_underContinuousWriting_loseAndRepeatNothing()
      throws Exception {
    Path log = dir.resolve("app.log");
    Files.createFile(log);
    int total = 20_000;
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      Thread.sleep(300);
      OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND);
      for (int i = 0; i < total; i++) {
        out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
        if (i == 5_000 || i == 12_000) {
          // logrotate's default: rename, then the program reopens a new file
          out.close();
          Files.move(log, dir.resolve("app.log." + i));
          out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        if (i == 8_000 || i == 16_000) {
          // copytruncate: copy away, then truncate in place while the writer keeps appending
          out.flush();
          Thread.sleep(400); // the tailer must have read up to here, as copytruncate assumes
          Files.copy(log, dir.resolve("copy." + i));
          try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0);
          }
          out.close();
          out = Files.newOutputStream(log, StandardOpenOption.APPEND);
        }
        if (i % 1000 == 0) {
          out.flush();
          Thread.sleep(5);
        }
      }
      out.close();
      awaitCount(total);
    }
    Set<String> unique = new LinkedHashSet<>(received);
    assertThat(unique).hasSize(received.size());
    assertThat(received).hasSize(total);
    for (int i = 0; i < total; i++) {
      assertThat(unique).contains("line " + i);
    }
  }

  @Test
  void fileThatAppearsLater_isReadFromItsStart_andPositionsSurviveARestart() throws Exception {
    Path log = dir.resolve("late.log");
    try (FileTailer t = tailer(dir.resolve("*.log").toString())) {
      t.start();
      Thread.sleep(300);
      Files.writeString(log, "a\nb\n");
      awaitCount(2);
    }
    assertThat(received).containsExactly("a", "b");
    // restart: the saved position is used, nothing is read twice
    Files.writeString(log, "c\n", StandardOpenOption.APPEND);
    try (FileTailer t = tailer(dir.resolve("*.log").toString())) {
      t.start();
      awaitCount(3);
      Thread.sleep(300);
    }
    assertThat(received).containsExactly("a", "b", "c");
  }

  @Test
  void partialLine_waitsForItsNewline() throws Exception {
    Path log = dir.resolve("p.log");
    Files.createFile(log);
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      Thread.sleep(300);
      Files.writeString(log, "whole\npart", StandardOpenOption.APPEND);
      awaitCount(1);
      Thread.sleep(300);
      assertThat(received).containsExactly("whole");
      Files.writeString(log, "ial\n", StandardOpenOption.APPEND);
      awaitCount(2);
    }
    assertThat(received).containsExactly("whole", "partial");
  }
}
