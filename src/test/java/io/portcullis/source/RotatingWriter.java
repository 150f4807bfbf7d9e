package io.portcullis.source;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * A program writing failure lines to {@code messages} at a steady rate while its log is rotated
 * under it, one way or another: the writer of the rotation tests and of bench/rotation.sh's Java
 * twin. Every line carries its sequence number, so a reader can tell a lost line from a repeated
 * one. The rotation is done by the writing thread between two writes, as a cron job would between
 * two log lines, except where the mode is about a writer that keeps writing to the old file.
 */
final class RotatingWriter {
  /** How the log is rotated. */
  enum Mode {
    /**
     * logrotate's default (rename, create) with a writer that appends late lines to the renamed
     * file before it reopens, as Asterisk does until {@code logger reload}.
     */
    RENAME_LATE_WRITES("messages"),
    /** The same, the log named by a glob that also matches the rotated files, which are gzipped. */
    RENAME_GLOB_GZIP("messages*"),
    /** logrotate's copytruncate: copy to {@code messages.N}, truncate; the writer appends on. */
    COPYTRUNCATE("messages"),
    /** copytruncate with a glob that matches the copies too: they must not be read again. */
    COPYTRUNCATE_GLOB("messages*"),
    /** The log is deleted and created again. */
    DELETE_RECREATE("messages"),
    /**
     * Truncated to zero without a copy (once the reader has what was there: nobody can read what is
     * truncated before it is read).
     */
    TRUNCATE("messages"),
    /** {@code messages} is a symlink to the current file, swapped to a new one; late writes too. */
    SYMLINK_SWAP("messages");

    final String logpath;

    Mode(String logpath) {
      this.logpath = logpath;
    }
  }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final Pattern SEQ = Pattern.compile("<sip:(\\d+)@");

  /** Lines a late writer appends to the old file after a rename. */
  static final int LATE_LINES = 200;

  private final Path dir;
  private final Path log;
  private final Mode mode;
  private final int rate;
  private final Duration every;
  private final IntPredicate caughtUp;
  private OutputStream out;
  private Path current;
  private int rotations;
  private int lateLines;
  private double achievedRate;

  /** Time spent waiting for the reader before truncations, left out of the pace and the rate. */
  private long pausedNanos;

  /**
   * @param caughtUp for {@link Mode#TRUNCATE}: given the number of lines written so far, whether
   *     the reader has them all (asked until it says yes, for at most 10 s, before each truncation)
   */
  RotatingWriter(Path dir, Mode mode, int rate, Duration every, IntPredicate caughtUp) {
    this.dir = dir;
    this.log = dir.resolve("messages");
    this.mode = mode;
    this.rate = rate;
    this.every = every;
    this.caughtUp = caughtUp;
  }

  /** The logpath a reader should be given. */
  String logpath() {
    return dir.resolve(mode.logpath).toString();
  }

  /** Creates the (empty) log before the reader starts. */
  void prepare() throws IOException {
    if (mode == Mode.SYMLINK_SWAP) {
      current = dir.resolve("messages-0");
      Files.createFile(current);
      Files.createSymbolicLink(log, current.getFileName());
    } else {
      current = log;
      Files.createFile(log);
    }
    out = new FileOutputStream(current.toFile(), /* append= */ true);
  }

  /** A failure line of the shipped asterisk filter, numbered, from one of 508 addresses. */
  static String line(int seq, Instant time) {
    int host = seq % 508;
    String ip = host < 254 ? "203.0.113." + (host + 1) : "198.51.100." + (host - 253);
    return "["
        + TIME.format(time)
        + "] NOTICE[1] chan_sip.c: Registration from '<sip:"
        + seq
        + "@x>' failed for '"
        + ip
        + "' - Wrong password\n";
  }

  /** The sequence number of a line written here, or -1. */
  static int seqOf(String line) {
    Matcher m = SEQ.matcher(line);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * Writes lines 0..total-1 at the rate, rotating every interval; returns the number of rotations.
   * Each millisecond's lines go out in one write(2), as a logging library flushing its buffer.
   */
  int write(int total) throws IOException {
    long start = System.nanoTime();
    long nextRotation = start + every.toNanos();
    int seq = 0;
    StringBuilder batch = new StringBuilder();
    while (seq < total) {
      long now = System.nanoTime();
      if (now >= nextRotation) {
        long paused = pausedNanos;
        seq = rotate(seq, total);
        // Every file lives at least one interval of wall time. A writer that was starved of the
        // CPU for longer than an interval used to rotate at once on waking, then write its backlog
        // into a file that the schedule rotated again moments later: a file deleted before any
        // reader could be scheduled to open it, which no reader can read (a loss the test blamed
        // on the tailer), where a rotation job run every interval leaves each file that long.
        nextRotation =
            Math.max(
                nextRotation + every.toNanos() + (pausedNanos - paused),
                now + every.toNanos() + (pausedNanos - paused));
        continue;
      }
      long due = Math.min(total, (now - start - pausedNanos) * rate / 1_000_000_000L);
      if (due <= seq) {
        LockSupport.parkNanos(200_000);
        continue;
      }
      Instant t = Instant.now();
      batch.setLength(0);
      for (; seq < due; seq++) {
        batch.append(line(seq, t));
      }
      out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
    }
    out.close();
    achievedRate = total * 1e9 / (System.nanoTime() - start - pausedNanos);
    return rotations;
  }

  /** Time spent waiting for the reader before truncations ({@link Mode#TRUNCATE}). */
  Duration paused() {
    return Duration.ofNanos(pausedNanos);
  }

  /** Lines per second over the last {@link #write}, rotations included, pauses left out. */
  double achievedRate() {
    return achievedRate;
  }

  /** Lines appended to an old file after its rotation, over the whole run. */
  int lateLines() {
    return lateLines;
  }

  private int rotate(int seq, int total) throws IOException {
    rotations++;
    int n = rotations;
    switch (mode) {
      case RENAME_LATE_WRITES, RENAME_GLOB_GZIP -> {
        Files.move(log, dir.resolve("messages." + n));
        Files.createFile(log); // logrotate's create
        seq = late(seq, total);
        out.close();
        out = new FileOutputStream(log.toFile(), true);
        if (mode == Mode.RENAME_GLOB_GZIP && n > 1) {
          gzip(dir.resolve("messages." + (n - 1))); // delaycompress
        }
      }
      case COPYTRUNCATE, COPYTRUNCATE_GLOB -> {
        Files.copy(log, dir.resolve("messages." + n));
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
          ch.truncate(0);
        }
      }
      case DELETE_RECREATE -> {
        Files.delete(log);
        out.close();
        out = new FileOutputStream(log.toFile(), true);
      }
      case TRUNCATE -> {
        long from = System.nanoTime();
        long end = from + Duration.ofSeconds(10).toNanos();
        while (!caughtUp.test(seq) && System.nanoTime() < end) {
          LockSupport.parkNanos(10_000_000); // asking costs the reader too
        }
        pausedNanos += System.nanoTime() - from;
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
          ch.truncate(0);
        }
      }
      case SYMLINK_SWAP -> {
        Path next = dir.resolve("messages-" + n);
        Files.createFile(next);
        Path tmp = dir.resolve("messages.tmp-link");
        Files.createSymbolicLink(tmp, next.getFileName());
        Files.move(tmp, log, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        seq = late(seq, total);
        out.close();
        current = next;
        out = new FileOutputStream(current.toFile(), true);
      }
    }
    return seq;
  }

  /**
   * Appends the next lines to the old file in four writes a few milliseconds apart, as a writer
   * that has not reopened yet.
   */
  private int late(int seq, int total) throws IOException {
    for (int part = 0; part < 4; part++) {
      int to = Math.min(total, seq + LATE_LINES / 4);
      Instant t = Instant.now();
      StringBuilder b = new StringBuilder();
      for (; seq < to; seq++) {
        b.append(line(seq, t));
        lateLines++;
      }
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
      LockSupport.parkNanos(2_000_000);
    }
    return seq;
  }

  private static void gzip(Path p) throws IOException {
    Path gz = p.resolveSibling(p.getFileName() + ".gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(p, o);
    }
    Files.delete(p);
  }
}
