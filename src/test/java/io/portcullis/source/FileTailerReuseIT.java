package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink that reuses its block arrays (as the server's jail does, {@link FileTailer.Sink#buffer})
 * while a burst is read behind it: every line arrives once, whole and in order.
 */
class FileTailerReuseIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final int LINES = 400_000;

  @TempDir Path dir;

  @Test
  void aSinkThatReusesItsArraysGetsEveryLineOnceInOrder() throws Exception {
    Path log = dir.resolve("messages");
    Files.createFile(log);
    ArrayBlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(4);
    Semaphore inFlight = new Semaphore(4);
    ExecutorService jail = Executors.newSingleThreadExecutor();
    AtomicLong next = new AtomicLong();
    AtomicReference<String> wrong = new AtomicReference<>();
    java.util.Set<byte[]> held =
        java.util.Collections.newSetFromMap(new java.util.concurrent.ConcurrentHashMap<>());
    FileTailer.Sink sink =
        new FileTailer.Sink() {
          @Override
          public void block(Path file, byte[] buf, int len) {
            inFlight.acquireUninterruptibly();
            if (!held.add(buf) && wrong.get() == null) {
              wrong.set("an array handed over while the sink still held it");
            }
            jail.execute(
                () -> {
                  try {
                    String text = new String(buf, 0, len, StandardCharsets.UTF_8);
                    for (String line : text.split("\n")) {
                      long n = next.getAndIncrement();
                      if (!line.equals(line(n)) && wrong.get() == null) {
                        wrong.set("line " + n + " read as '" + line + "'");
                      }
                    }
                  } finally {
                    held.remove(buf);
                    if (buf.length == FileTailer.BLOCK_MAX) {
                      spare.offer(buf);
                    }
                    inFlight.release();
                  }
                });
          }

          @Override
          public boolean hasRoom() {
            return inFlight.availablePermits() > 0;
          }

          @Override
          public byte[] buffer(int size) {
            byte[] b = size < (64 << 10) ? null : spare.poll();
            return b != null ? b : new byte[size < (64 << 10) ? size : FileTailer.BLOCK_MAX];
          }

          @Override
          public void unused(byte[] buf) {
            if (held.contains(buf) && wrong.get() == null) {
              wrong.set("an array given back unused while the sink held it");
            }
            if (buf.length == FileTailer.BLOCK_MAX) {
              spare.offer(buf);
            }
          }
        };
    FileTailer t =
        new FileTailer(
            "test",
            List.of(log.toString()),
            new FileTailer.Positions() {
              @Override
              public FileTailer.Position load(Path file) {
                return null;
              }

              @Override
              public void save(Path file, FileTailer.Position position) {}
            },
            sink,
            Duration.ofMillis(50),
            true,
            0);
    t.start();
    // the empty file is followed before the burst: read from its start
    Await.until("two passes of the tailer", LIMIT, () -> t.passes() >= 2);
    try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < LINES; i++) {
        b.append(line(i)).append('\n');
        if (b.length() > 300_000) {
          out.write(b.toString().getBytes(StandardCharsets.UTF_8));
          out.flush();
          b.setLength(0);
        }
      }
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }
    try {
      Await.until(
          LINES + " lines (have " + next.get() + ")",
          LIMIT,
          () -> next.get() >= LINES || wrong.get() != null);
    } finally {
      t.close();
      jail.shutdown();
      jail.awaitTermination(30, TimeUnit.SECONDS);
    }
    assertThat(wrong.get()).isNull();
    assertThat(next.get()).isEqualTo(LINES);
  }

  private static String line(long n) {
    return "[2026-11-29 22:44:22] NOTICE[4242] chan_sip.c: line " + n + " of the burst, padded";
  }
}
