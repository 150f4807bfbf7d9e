package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tailer's passes and a rotating writer's steps interleaved in every order a seeded draw gives,
 * one pass at a time on the test's thread (no timing, no threads), and rotations that happen while
 * the reader hands lines over (between its read and what it does next): a line is never delivered
 * twice, whatever the order, and every line is delivered when the reader makes a pass between a
 * write and the rotation after it, also while the jail is behind (then nothing is handed over but a
 * copy's unread end, and every line once there is room). A reader that did not look at all while a
 * file was written and rotated cannot know of it: a deleted file is gone (see docs/reliability.md);
 * a log named alone and copytruncated meanwhile is read from its copies (the fixed cases below).
 */
class FileTailerInterleavingIT {
  private static final int SEEDS = 150;
  private static final int STEPS = 120;

  @TempDir Path root;

  /** The rotations, as a cron job and a writer would do them between two writes. */
  enum Mode {
    COPYTRUNCATE("messages"),
    COPYTRUNCATE_GLOB("messages*"),
    RENAME_LATE_WRITES("messages"),
    RENAME_GLOB("messages*"),
    DELETE_RECREATE("messages");

    final String logpath;

    Mode(String logpath) {
      this.logpath = logpath;
    }
  }

  /** The writer: numbered lines, rotated one way; the old file written to a little after rename. */
  private static final class Writer {
    final Path dir;
    final Path log;
    final Mode mode;
    OutputStream out;
    int seq;
    int rotations;

    Writer(Path dir, Mode mode) throws IOException {
      this.dir = dir;
      this.log = dir.resolve("messages");
      this.mode = mode;
      Files.createFile(log);
      out = new FileOutputStream(log.toFile(), true);
    }

    void append(int lines) throws IOException {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < lines; i++) {
        b.append("line ").append(seq++).append(" from 192.0.2.").append(seq % 200 + 1).append('\n');
      }
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    void rotate(SplittableRandom r) throws IOException {
      rotations++;
      Path old = dir.resolve("messages." + rotations);
      switch (mode) {
        case COPYTRUNCATE, COPYTRUNCATE_GLOB -> {
          Files.copy(log, old);
          try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0);
          }
        }
        case RENAME_LATE_WRITES, RENAME_GLOB -> {
          Files.move(log, old);
          Files.createFile(log);
          append(r.nextInt(0, 4)); // late writes through the old descriptor
          out.close();
          out = new FileOutputStream(log.toFile(), true);
        }
        case DELETE_RECREATE -> {
          Files.delete(log);
          out.close();
          out = new FileOutputStream(log.toFile(), true);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void anyOrderOfPassesAndRotations_neverDeliversALineTwice(Mode mode) throws Exception {
    for (int seed = 0; seed < SEEDS; seed++) {
      run(mode, seed, false);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aReaderThatLooksBetweenAWriteAndTheNextRotation_getsEveryLineOnce(Mode mode)
      throws Exception {
    for (int seed = 0; seed < SEEDS; seed++) {
      run(mode, seed, true);
    }
  }

  // regression: copytruncated twice while the jail was behind, the copy holding the content between
  // the two truncations was found by its file time, coarse, and missed (seeds 10 and 68)
  @org.junit.jupiter.api.Test
  void copytruncate_seeds10And68_whereTheMiddleCopyWasMissed_getEveryLineOnce() throws Exception {
    run(Mode.COPYTRUNCATE, 10, true);
    run(Mode.COPYTRUNCATE, 68, true);
  }

  // regression: a log named alone copytruncated twice between two looks, both copies with the same
  // file time: the second copy (the lines between the truncations) was never read
  @org.junit.jupiter.api.Test
  void logNamedAlone_copytruncatedTwiceBetweenLooks_copiesOfTheSameTime_everyLineOnce()
      throws Exception {
    Path dir = Files.createDirectory(root.resolve("twice"));
    Path log = dir.resolve("messages");
    Files.writeString(log, "old copy from yesterday, already read\n");
    Files.move(log, dir.resolve("messages.5")); // there before: never read
    Map<Integer, Integer> seen = new HashMap<>();
    boolean[] room = {true};
    Writer w = new Writer(dir, Mode.COPYTRUNCATE);
    FileTailer t = direct(log, seen, room);
    try {
      t.scanOnce();
      w.append(10);
      t.scanOnce();
      w.append(10);
      room[0] = false; // the jail falls behind: lines 10-19 wait in the file
      t.scanOnce();
      w.rotate(null); // messages.1: lines 0-19
      w.append(10);
      w.rotate(null); // messages.2: lines 20-29, never seen by the reader
      java.nio.file.attribute.FileTime same = Files.getLastModifiedTime(dir.resolve("messages.1"));
      Files.setLastModifiedTime(dir.resolve("messages.2"), same);
      Files.writeString(dir.resolve("messages-debug"), "line 1000 from 192.0.2.1\n"); // not a copy
      w.append(10);
      room[0] = true;
      for (int i = 0; i < 3; i++) {
        t.scanOnce();
      }
    } finally {
      t.close();
      w.out.close();
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(range(0, 40));
    assertThat(seen.values()).allMatch(n -> n == 1);
  }

  // a copy made while the reader hands over the end of the copy before it (the rotation inside a
  // delivery) and one made by the next rotation are both found, whatever their file times
  @org.junit.jupiter.api.Test
  void logNamedAlone_rotatedThreeTimesWhileBehind_allCopiesReadOnce() throws Exception {
    Path dir = Files.createDirectory(root.resolve("thrice"));
    Path log = dir.resolve("messages");
    Map<Integer, Integer> seen = new HashMap<>();
    boolean[] room = {true};
    Writer w = new Writer(dir, Mode.COPYTRUNCATE);
    FileTailer t = direct(log, seen, room);
    try {
      t.scanOnce();
      w.append(5);
      t.scanOnce();
      room[0] = false;
      for (int i = 0; i < 3; i++) {
        w.append(7);
        w.rotate(null);
        t.scanOnce(); // behind: the copy's end is read whole, nothing of the log
      }
      w.append(3);
      room[0] = true;
      for (int i = 0; i < 3; i++) {
        t.scanOnce();
      }
    } finally {
      t.close();
      w.out.close();
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(range(0, 29));
    assertThat(seen.values()).allMatch(n -> n == 1);
  }

  // regression: a truncation handled while the next copy was made but the log not yet truncated
  // (copytruncate copies first): that copy was read whole as new, then the log again
  // (RotationServerIT under load counted 92,826 of 75,000)
  @org.junit.jupiter.api.Test
  void logNamedAlone_copyOfWhatTheLogHoldsNow_isNotReadBeforeTheLogIsTruncated() throws Exception {
    Path dir = Files.createDirectory(root.resolve("copying"));
    Path log = dir.resolve("messages");
    Map<Integer, Integer> seen = new HashMap<>();
    boolean[] room = {true};
    Writer w = new Writer(dir, Mode.COPYTRUNCATE);
    FileTailer t = direct(log, seen, room);
    try {
      t.scanOnce();
      w.append(10);
      t.scanOnce();
      w.rotate(null); // messages.1: lines 0-9
      w.append(10);
      Files.copy(log, dir.resolve("messages.2")); // lines 10-19 copied, the log not truncated yet
      Files.writeString(dir.resolve("messages.3"), ""); // and a copy just begun
      t.scanOnce();
      try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      w.append(10);
      for (int i = 0; i < 3; i++) {
        t.scanOnce();
      }
    } finally {
      t.close();
      w.out.close();
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(range(0, 30));
    assertThat(seen.values()).allMatch(n -> n == 1);
  }

  private static List<Integer> range(int from, int to) {
    return Stream.iterate(from, s -> s < to, s -> s + 1).toList();
  }

  /** A tailer of one log, its lines counted by number, with a sink that has room when told. */
  private static FileTailer direct(Path log, Map<Integer, Integer> seen, boolean[] room) {
    Map<Path, FileTailer.Position> saved = new HashMap<>();
    return new FileTailer(
        "direct",
        List.of(log.toString()),
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
        new FileTailer.Sink() {
          @Override
          public void block(Path file, byte[] buf, int len) {
            for (String line : new String(buf, 0, len, StandardCharsets.UTF_8).split("\n")) {
              if (line.startsWith("line ")) {
                seen.merge(Integer.parseInt(line.split(" ")[1]), 1, Integer::sum);
              }
            }
          }

          @Override
          public boolean hasRoom() {
            return room[0];
          }
        },
        Duration.ofMillis(100),
        false,
        1 << 30,
        m -> {},
        FileTailer.Timing.DEFAULT);
  }

  private void run(Mode mode, int seed, boolean readerKeepsUp) throws Exception {
    Path dir = Files.createDirectory(root.resolve(mode + "-" + seed + "-" + readerKeepsUp));
    SplittableRandom r = new SplittableRandom(seed);
    Writer w = new Writer(dir, mode);
    Map<Integer, Integer> seen = new HashMap<>();
    List<String> steps = new ArrayList<>();
    Map<Path, FileTailer.Position> saved = new HashMap<>();
    // a rotation armed to happen while the reader hands over lines (inside one of its reads)
    boolean[] armed = {false};
    boolean[] fired = {false};
    // the jail behind (its blocks in flight at their limit): the reader must not hand over lines
    // then, but go on following the files (a log deleted meanwhile is read once there is room)
    boolean[] room = {true};
    boolean[] handedWhileBehind = {false};
    FileTailer t =
        new FileTailer(
            "interleaving",
            List.of(dir.resolve(mode.logpath).toString()),
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
            new FileTailer.Sink() {
              @Override
              public void block(Path file, byte[] buf, int len) {
                if (!room[0]) {
                  handedWhileBehind[0] = true;
                }
                for (String line : new String(buf, 0, len, StandardCharsets.UTF_8).split("\n")) {
                  if (line.startsWith("line ")) {
                    seen.merge(Integer.parseInt(line.split(" ")[1]), 1, Integer::sum);
                  }
                }
                if (armed[0]) {
                  armed[0] = false;
                  fired[0] = true;
                  try {
                    w.rotate(r);
                    w.append(r.nextInt(0, 5));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }
              }

              @Override
              public boolean hasRoom() {
                return room[0];
              }
            },
            Duration.ofMillis(100),
            false,
            1 << 30,
            m -> {},
            FileTailer.Timing.DEFAULT);
    try {
      t.scanOnce();
      boolean looked = true; // a pass since the last write and the last rotation
      for (int i = 0; i < STEPS; i++) {
        int what = r.nextInt(11);
        if (what < 4) {
          int n = r.nextInt(0, 30);
          w.append(n);
          steps.add("append " + n);
          looked &= n == 0;
        } else if (what < 6 && (looked || !readerKeepsUp)) {
          w.rotate(r);
          steps.add("rotate");
          looked = false;
        } else if (what < 7 && (looked || !readerKeepsUp)) {
          armed[0] = true;
          steps.add("rotate during the next delivery");
        } else if (what < 8) {
          room[0] = !room[0];
          steps.add(room[0] ? "the jail catches up" : "the jail falls behind");
        } else {
          fired[0] = false;
          t.scanOnce();
          steps.add(fired[0] ? "pass (rotated during it)" : "pass");
          looked = !fired[0] && !armed[0];
        }
      }
      armed[0] = false;
      room[0] = true;
      w.out.close();
      for (int i = 0; i < 4; i++) {
        t.scanOnce();
      }
    } finally {
      t.close();
      w.out.close();
    }
    String replay = mode + ", seed " + seed + ": " + String.join(", ", steps);
    List<Integer> twice =
        seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    assertThat(twice).as("lines delivered more than once; %s", replay).isEmpty();
    if (mode != Mode.COPYTRUNCATE && mode != Mode.COPYTRUNCATE_GLOB) {
      // (a copy's unread end is read whole at once, behind or not: where it ends decides where
      // the truncated log starts)
      assertThat(handedWhileBehind[0])
          .as("lines handed over while the jail was behind; %s", replay)
          .isFalse();
    }
    if (readerKeepsUp) {
      List<Integer> missing =
          Stream.iterate(0, s -> s < w.seq, s -> s + 1).filter(s -> !seen.containsKey(s)).toList();
      assertThat(missing).as("lines never delivered; %s", replay).isEmpty();
    }
  }
}
