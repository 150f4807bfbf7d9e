package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real files, a real writer, real rotation: every line arrives exactly once, and whole. */
class FileTailerIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private final List<String> received = Collections.synchronizedList(new ArrayList<>());
  private final Map<Path, FileTailer.Position> saved = new ConcurrentHashMap<>();
  private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger largestBlock = new AtomicInteger();

  private FileTailer tailer(String glob) {
    return tailer(glob, FileTailer.Timing.DEFAULT);
  }

  private FileTailer tailer(String glob, FileTailer.Timing timing) {
    return tailer(glob, timing, Duration.ofMillis(200));
  }

  private FileTailer tailer(String glob, FileTailer.Timing timing, Duration poll) {
    return new FileTailer(
        "test",
        List.of(glob),
        new FileTailer.Positions() {
          @Override
          public FileTailer.Position load(Path file) {
            return saved.get(file);
          }

          @Override
          public void save(Path file, FileTailer.Position position) {
            saved.put(file, position);
          }
        },
        (file, buf, len) -> {
          largestBlock.accumulateAndGet(len, Math::max);
          String[] lines = new String(buf, 0, len, StandardCharsets.UTF_8).split("\n", -1);
          // a block ends with '\n': the last element is the empty rest after it
          received.addAll(List.of(lines).subList(0, lines.length - 1));
        },
        poll,
        true,
        1 << 20,
        logged::add,
        timing);
  }

  private static FileTailer.Timing shortGrace() {
    FileTailer.Timing d = FileTailer.Timing.DEFAULT;
    return new FileTailer.Timing(
        d.retireQuiet(),
        d.retireMax(),
        Duration.ofMillis(300),
        d.undecidedMax(),
        d.saveEvery(),
        d.maxLine());
  }

  /** Waits until the tailer has made two whole passes since now: all that is on disk was read. */
  private static void settle(FileTailer t) throws InterruptedException {
    long p = t.passes();
    Await.until("two more passes of the tailer", LIMIT, () -> t.passes() >= p + 2);
  }

  private void awaitLines(int n) throws InterruptedException {
    Await.until(n + " lines (have " + received.size() + ")", LIMIT, () -> received.size() >= n);
  }

  private static void append(Path log, String text) throws IOException {
    Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /** Lines 0..total-1 each received exactly once, nothing else. */
  private void assertEachSeqOnce(int total, String what) {
    int[] count = new int[total];
    List<String> foreign = new ArrayList<>();
    synchronized (received) {
      for (String l : received) {
        int seq = RotatingWriter.seqOf(l);
        if (seq < 0 || seq >= total) {
          foreign.add(l.length() > 80 ? l.substring(0, 80) : l);
        } else {
          count[seq]++;
        }
      }
    }
    List<Integer> lost = new ArrayList<>();
    List<Integer> repeated = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      if (count[i] == 0) {
        lost.add(i);
      } else if (count[i] > 1) {
        repeated.add(i);
      }
    }
    System.out.printf(
        "%s: %d lines written, %d delivered, %d lost, %d repeated, %d foreign%n",
        what, total, received.size(), lost.size(), repeated.size(), foreign.size());
    assertThat(foreign).as("lines that were never written (a gzip read, a piece)").isEmpty();
    assertThat(lost).as("lost lines").isEmpty();
    assertThat(repeated).as("lines delivered twice").isEmpty();
  }

  // pins: every inotify event in a log's directory (the server's own log and store beside it) cost
  // a pass over every logpath
  @Test
  void writesToOtherFilesInTheLogsDirectory_makeNoPass_writesToTheLogDo() throws Exception {
    Path log = dir.resolve("messages");
    Path other = dir.resolve("server.log");
    Files.writeString(log, "");
    Files.writeString(other, "");
    // no poll within the test: every pass comes from an event
    try (FileTailer t = tailer(log.toString(), FileTailer.Timing.DEFAULT, Duration.ofHours(1))) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      append(log, "first\n");
      awaitLines(1);
      long before = t.passes();
      for (int i = 0; i < 20; i++) {
        append(other, "a line of another program " + i + "\n");
      }
      // a pass started by those writes comes within milliseconds; none in half a second
      long end = System.nanoTime() + Duration.ofMillis(500).toNanos();
      while (System.nanoTime() < end && t.passes() == before) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      assertThat(t.passes()).as("passes after writes to another file").isEqualTo(before);
      append(log, "second\n");
      awaitLines(2);
      assertThat(received).containsExactly("first", "second");
    }
  }

  @ParameterizedTest
  @EnumSource(RotatingWriter.Mode.class)
  void rotationEvery300ms_at25000LinesPerSecond_deliversEveryLineExactlyOnce(
      RotatingWriter.Mode mode) throws Exception {
    int total = 75_000;
    RotatingWriter w =
        new RotatingWriter(
            dir, mode, 25_000, Duration.ofMillis(300), written -> received.size() >= written);
    w.prepare();
    int rotations;
    try (FileTailer t = tailer(w.logpath())) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      rotations = w.write(total);
      awaitLines(total);
      settle(t);
      assertThat(t.problems()).isEmpty();
      FileTailer.Counters c = t.counters();
      assertThat(c.unreadBytesLost()).isZero();
      if (mode.name().contains("TRUNCATE")) {
        assertThat(c.truncations()).as("truncations seen").isEqualTo(rotations);
      }
    }
    assertThat(rotations).isGreaterThanOrEqualTo(8);
    assertEachSeqOnce(
        total,
        String.format(
            "rotation %s at %.0f lines/s, %d rotations, %d late writes, %d ms paused",
            mode, w.achievedRate(), rotations, w.lateLines(), w.paused().toMillis()));
    assertThat(w.achievedRate()).isGreaterThanOrEqualTo(25_000 * 0.95);
  }

  @Test
  void restart_afterARenameWithLateWritesWhileDown_finishesTheOldFileThenReadsTheNewOne()
      throws Exception {
    Path log = dir.resolve("messages");
    Instant t0 = Instant.now();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      b.append(RotatingWriter.line(i, t0));
    }
    Files.writeString(log, b);
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      awaitLines(100);
    }
    // while down: more lines, a rename, late writes to the renamed file, a new file
    try (OutputStream out = new FileOutputStream(log.toFile(), true)) {
      out.write(lines(100, 150));
      Files.move(log, dir.resolve("messages.1"));
      out.write(lines(150, 160));
    }
    Files.write(log, lines(160, 200));
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      awaitLines(200);
      settle(t);
    }
    assertEachSeqOnce(200, "restart after rename while down");
    // and a copytruncate while down
    try (OutputStream out = new FileOutputStream(log.toFile(), true)) {
      out.write(lines(200, 250));
      Files.copy(log, dir.resolve("messages.2"));
      try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      out.write(lines(250, 300));
    }
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      awaitLines(300);
      settle(t);
    }
    assertEachSeqOnce(300, "restart after copytruncate while down");
  }

  private static byte[] lines(int from, int to) {
    StringBuilder b = new StringBuilder();
    Instant t = Instant.now();
    for (int i = from; i < to; i++) {
      b.append(RotatingWriter.line(i, t));
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void fileThatAppearsLater_isReadFromItsStart_andPositionsSurviveARestart() throws Exception {
    Path log = dir.resolve("late.log");
    try (FileTailer t = tailer(dir.resolve("*.log").toString())) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      Files.writeString(log, "a\nb\n");
      awaitLines(2);
    }
    assertThat(received).containsExactly("a", "b");
    // restart: the saved position is used, nothing is read twice
    append(log, "c\n");
    try (FileTailer t = tailer(dir.resolve("*.log").toString())) {
      t.start();
      awaitLines(3);
      settle(t);
    }
    assertThat(received).containsExactly("a", "b", "c");
  }

  @Test
  void partialLine_waitsForItsNewline() throws Exception {
    Path log = dir.resolve("p.log");
    Files.createFile(log);
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      append(log, "whole\npart");
      awaitLines(1);
      settle(t);
      assertThat(received).containsExactly("whole");
      append(log, "ial\n");
      awaitLines(2);
    }
    assertThat(received).containsExactly("whole", "partial");
  }

  @Test
  void symlinkAndItsTarget_bothMatchedByTheGlob_areReadOnce() throws Exception {
    Path target = dir.resolve("app-1.log");
    Files.writeString(target, "a\n");
    Files.createSymbolicLink(dir.resolve("app.log"), target.getFileName());
    try (FileTailer t = tailer(dir.resolve("app*.log").toString())) {
      t.start();
      awaitLines(1);
      append(target, "b\n");
      awaitLines(2);
      settle(t);
    }
    assertThat(received).containsExactly("a", "b");
  }

  @Test
  void compressedFileMatchedByTheGlob_isNeverRead_whateverItsName() throws Exception {
    Path log = dir.resolve("messages");
    Files.writeString(log, "a\n");
    try (OutputStream gz =
        new java.util.zip.GZIPOutputStream(Files.newOutputStream(dir.resolve("messages.old")))) {
      gz.write("b\n".repeat(1000).getBytes(StandardCharsets.UTF_8));
    }
    Files.write(dir.resolve("messages.1.gz"), new byte[] {'c', '\n'});
    try (FileTailer t = tailer(dir.resolve("messages*").toString())) {
      t.start();
      awaitLines(1);
      append(log, "d\n");
      awaitLines(2);
      settle(t);
      assertThat(t.files()).containsExactly(log);
    }
    assertThat(received).containsExactly("a", "d");
  }

  // ---- hostile input

  @Test
  void crlfLineEndings_arriveWithoutTheCarriageReturn() throws Exception {
    Path log = dir.resolve("crlf.log");
    Files.createFile(log);
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      append(log, "one\r\ntwo\r\n\r\nthree\n");
      awaitLines(4);
      settle(t);
    }
    assertThat(received).containsExactly("one", "two", "", "three");
  }

  @Test
  void invalidUtf8AndNulBytesInsideALine_leaveTheNextLinesAlone() throws Exception {
    Path log = dir.resolve("bad.log");
    Files.createFile(log);
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
        out.write(new byte[] {'b', 'a', 'd', ' ', (byte) 0xff, (byte) 0xc3, '\n'});
        out.write(new byte[] {'n', 'u', 'l', 0, 'x', '\n'});
        out.write("after\n".getBytes(StandardCharsets.UTF_8));
      }
      awaitLines(3);
      settle(t);
    }
    assertThat(received).hasSize(3);
    assertThat(received.get(1)).isEqualTo("nul\0x");
    assertThat(received.get(2)).isEqualTo("after");
  }

  @Test
  void nulHoleLeftByANonAppendingWriterAfterCopytruncate_isPassedOver() throws Exception {
    Path log = dir.resolve("hole.log");
    Files.createFile(log);
    try (FileTailer t = tailer(log.toString());
        FileChannel writer = FileChannel.open(log, StandardOpenOption.WRITE)) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      writer.write(ByteBuffer.wrap("one\ntwo\n".getBytes(StandardCharsets.UTF_8)));
      awaitLines(2);
      // copytruncate truncates; this writer writes on at its own offset: a hole of 8 NULs
      try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      writer.write(ByteBuffer.wrap("three\n".getBytes(StandardCharsets.UTF_8)));
      awaitLines(3);
      settle(t);
      assertThat(t.counters().nulBytes()).isEqualTo(8);
      assertThat(t.counters().truncations()).isEqualTo(1);
    }
    assertThat(received).containsExactly("one", "two", "three");
  }

  @Test
  void lineCutByCopytruncate_isDroppedWhole_neverMatchedInPieces() throws Exception {
    Path log = dir.resolve("cut.log");
    Files.createFile(log);
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      // a writer that flushes in blocks, not in lines: the copy ends inside a line
      append(log, "first\nsecond, user '");
      awaitLines(1);
      settle(t);
      Files.copy(log, dir.resolve("cut.log.1"));
      try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      append(log, "x' failed for '203.0.113.9'\nthird\n");
      awaitLines(3);
      settle(t);
      assertThat(t.counters().cutLines()).isEqualTo(1);
      assertThat(t.counters().tailsFromCopies()).isEqualTo(1);
    }
    // the line's start (in the copy) and its rest (in the log) are both dropped: one empty line
    assertThat(received).containsExactly("first", "", "third");
  }

  @Test
  void twentyMegabytesWithoutANewline_areDroppedAsOneLine_inBoundedBlocks() throws Exception {
    Path log = dir.resolve("big.log");
    Files.createFile(log);
    byte[] mb = new byte[1 << 20];
    java.util.Arrays.fill(mb, (byte) 'A');
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      append(log, "first\n");
      awaitLines(1);
      try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
        for (int i = 0; i < 20; i++) {
          out.write(mb);
        }
      }
      Await.until("the long line seen", LIMIT, () -> t.counters().overlongLines() == 1);
      settle(t);
      // while inside it, the saved position is its start: a restart never begins mid-line
      Await.until(
          "the position saved",
          LIMIT,
          () -> saved.containsKey(log) && saved.get(log).offset() == "first\n".length());
      assertThat(received).containsExactly("first");
      append(log, " failed for '203.0.113.9'\nnext\n");
      awaitLines(3);
      settle(t);
      assertThat(t.counters().overlongLines()).isEqualTo(1);
    }
    assertThat(received).containsExactly("first", "", "next");
    assertThat(largestBlock.get()).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void lineOverTheLimitInsideABlock_arrivesEmpty_neverInPieces() throws Exception {
    Path log = dir.resolve("long.log");
    Files.createFile(log);
    try (FileTailer t = tailer(log.toString())) {
      t.start();
      Await.until("the first pass", LIMIT, () -> t.passes() > 0);
      append(log, "a\n" + "x".repeat(100_000) + " failed for '203.0.113.9'\nb\n");
      awaitLines(3);
      settle(t);
      assertThat(t.counters().overlongLines()).isEqualTo(1);
    }
    assertThat(received).containsExactly("a", "", "b");
  }

  // ---- problems

  @Test
  void deletedLog_isAProblemLoggedOnce_andIsReadAgainWhenBack() throws Exception {
    Path log = dir.resolve("gone.log");
    Files.writeString(log, "a\n");
    try (FileTailer t = tailer(log.toString(), shortGrace())) {
      t.start();
      awaitLines(1);
      Files.delete(log);
      Await.until("a problem", LIMIT, () -> !t.problems().isEmpty());
      assertThat(t.problems().get(0).message()).contains("no such file");
      assertThat(t.warnings()).anyMatch(w -> w.contains(log.toString()));
      settle(t);
      assertThat(logged).hasSize(1);
      assertThat(logged.get(0)).startsWith("[test] logpath " + log).contains("no such file");
      Files.writeString(log, "b\n");
      awaitLines(2);
      Await.until("the problem to clear", LIMIT, () -> t.problems().isEmpty());
    }
    assertThat(received).containsExactly("a", "b");
    assertThat(logged).hasSize(2);
    assertThat(logged.get(1)).contains("readable again");
  }

  @Test
  void logReplacedByADirectory_isAProblem_untilItIsAFileAgain() throws Exception {
    Path log = dir.resolve("d.log");
    Files.writeString(log, "a\n");
    try (FileTailer t = tailer(log.toString(), shortGrace())) {
      t.start();
      awaitLines(1);
      Files.delete(log);
      Files.createDirectory(log);
      Await.until("a problem", LIMIT, () -> !t.problems().isEmpty());
      assertThat(t.problems().get(0).message()).contains("is a directory");
      Files.delete(log);
      Files.writeString(log, "b\n");
      awaitLines(2);
      Await.until("the problem to clear", LIMIT, () -> t.problems().isEmpty());
    }
    assertThat(received).containsExactly("a", "b");
  }

  @Test
  void missingLogAtStart_isAProblemAtOnce_andAGlobWithoutFilesToo() throws Exception {
    try (FileTailer t = tailer(dir.resolve("none.log").toString(), FileTailer.Timing.DEFAULT);
        FileTailer g = tailer(dir.resolve("none-*.log").toString(), FileTailer.Timing.DEFAULT)) {
      t.start();
      g.start();
      Await.until("the first passes", LIMIT, () -> t.passes() > 0 && g.passes() > 0);
      assertThat(t.problems())
          .singleElement()
          .extracting(FileTailer.Problem::message)
          .asString()
          .contains("no such file");
      assertThat(g.problems())
          .singleElement()
          .extracting(FileTailer.Problem::message)
          .asString()
          .contains("no file matches");
    }
  }
}
