package io.portcullis.ban;

import io.portcullis.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The one thread that writes the store ({@code store-writer}). Work is queued and written in
 * batches, one transaction per batch (a group commit: a flood of bans costs few fsyncs), and each
 * write says when it is on disk ({@link #write} returns a future), so that a command can answer
 * after the store has its bans.
 *
 * <p>Design note. <b>A store that cannot be written</b> (disk full, read-only, damaged) never stops
 * the bans: the writes that failed are kept in memory, in order, and tried again every second in
 * one transaction; their futures fail at once with the reason, the problem is logged when it starts
 * and once a minute after, and shown by {@link #status}; when a retry succeeds, everything kept is
 * written and the problem clears. Writes with a key (a read position, a journal cursor) replace the
 * kept write of the same key. A write that fails for a reason of its own (not the disk) is found by
 * trying the kept writes one by one, reported and dropped, so it cannot block the others.
 * <b>Bounds</b>: the queue holds 262,144 writes (beyond that the producer waits); at most 262,144
 * writes are kept while the store fails, beyond that the writer stops taking new ones until the
 * store takes them (the queue then fills and the producers wait).
 */
public final class StoreWriter implements AutoCloseable {
  private static final int CAPACITY = 1 << 18;
  private static final int BATCH = 10_000;
  private static final int MAX_KEPT = 1 << 18;
  private static final Duration RETRY_EVERY = Duration.ofSeconds(1);
  private static final long REMIND_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  private final BanStore store;
  private final Consumer<String> errors;
  private final Consumer<String> notices;
  private final Worker<Job> worker;
  private final List<String> standing;
  private final StoreException notDurable;

  // the writer thread's own
  private final Map<Object, Write> kept = new LinkedHashMap<>();
  private long lastAttempt;
  private long lastReminder;
  private long unkeyed;
  private StoreException.Kind failing;

  private volatile String problem;
  private volatile int keptCount;

  /**
   * @param errors where failures go (the server log's error level)
   */
  public StoreWriter(BanStore store, Consumer<String> errors) {
    this(store, errors, errors, List.of(), null);
  }

  /**
   * @param notices where "writes resumed" goes
   * @param standing problems found when the store was opened ({@link StoreOpening}), shown by
   *     {@link #status} for as long as the server runs
   * @param notDurable why the store is not the file it should be (a store in memory standing in for
   *     one that cannot be used), null when it is: writes then go to memory, and their futures fail
   *     with this reason, so that no answer claims a ban is on disk
   */
  public StoreWriter(
      BanStore store,
      Consumer<String> errors,
      Consumer<String> notices,
      List<String> standing,
      String notDurable) {
    this.store = store;
    this.errors = errors;
    this.notices = notices;
    this.standing = List.copyOf(standing);
    this.notDurable =
        notDurable == null
            ? null
            : new StoreException(store.path(), StoreException.Kind.READ_ONLY, notDurable, null);
    this.worker =
        Worker.<Job>named("store-writer")
            .capacity(CAPACITY)
            .batches(BATCH, Duration.ZERO, this::run)
            .every(() -> RETRY_EVERY, this::retryKept)
            .errors(m -> errors.accept("store: " + m))
            .start();
  }

  /** A write to the store. */
  @FunctionalInterface
  public interface Write {
    void run(BanStore store) throws SQLException;
  }

  /**
   * A write made of parts that can each be written on their own (the bans of one command). When it
   * fails for a reason of its own, its parts are tried one by one, so that only the part at fault
   * is dropped, not all of them.
   */
  public interface Divisible extends Write {
    /**
     * The parts, in order; written one after the other they do what {@link #run} does. A write that
     * cannot be divided further returns fewer than two.
     */
    List<Write> parts();
  }

  /** A call that returns a value. */
  @FunctionalInterface
  public interface StoreCall<T> {
    T run(BanStore store) throws SQLException;
  }

  /**
   * The store as {@code status} shows it.
   *
   * @param kept writes kept in memory because the store could not take them
   * @param problems what is wrong now (empty when writes go through)
   */
  public record Status(String file, int kept, List<String> problems) {
    public Status {
      problems = List.copyOf(problems);
    }
  }

  private sealed interface Job permits WriteJob, CallJob {}

  private record WriteJob(Object key, Write work, CompletableFuture<Void> done) implements Job {}

  private record CallJob<T>(StoreCall<T> work, CompletableFuture<T> result) implements Job {
    void run(BanStore store) {
      try {
        result.complete(work.run(store));
      } catch (SQLException | RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }

  /**
   * Queues a write; it runs on the writer thread in the next batch (one transaction). The future
   * completes once that transaction is committed, or fails at once with a {@link StoreException}
   * when the store cannot take it (the write is kept and written when it can be).
   */
  public CompletableFuture<Void> write(Write work) {
    return write(null, work);
  }

  /**
   * A write that replaces a kept write of the same key (a read position, a cursor: only the last
   * one matters) while the store cannot be written.
   */
  public CompletableFuture<Void> write(Object key, Write work) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!worker.submit(new WriteJob(key, work, done))) {
      done.completeExceptionally(new IllegalStateException("the store is closed"));
    }
    return done;
  }

  /**
   * Runs a read or write on the writer thread and returns its result; it sees every write queued
   * before it (except those kept in memory while the store cannot be written).
   */
  public <T> CompletableFuture<T> call(StoreCall<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (!worker.submit(new CallJob<>(work, f))) {
      f.completeExceptionally(new IllegalStateException("the store is closed"));
    }
    return f;
  }

  /** Waits until everything queued so far is handled (written, or kept). */
  public void flush() throws InterruptedException {
    if (!worker.awaitHandled(Duration.ofSeconds(30))) {
      errors.accept("store: flush did not complete within 30 s");
    }
  }

  /** The store's file, the writes kept in memory and what is wrong. */
  public Status status() {
    List<String> problems = new ArrayList<>(standing);
    String p = problem;
    if (p != null) {
      problems.add(p);
    }
    return new Status(store.path().toString(), keptCount, problems);
  }

  /** Writes the batch in one transaction, then answers the calls that came with it. */
  private void run(List<Job> batch) throws InterruptedException {
    List<WriteJob> writes = new ArrayList<>(batch.size());
    for (Job j : batch) {
      if (j instanceof WriteJob w) {
        writes.add(w);
      }
    }
    if (!writes.isEmpty()) {
      if (kept.isEmpty()) {
        writeNow(writes);
      } else {
        keep(writes);
        if (System.nanoTime() - lastAttempt >= RETRY_EVERY.toNanos()) {
          retryKept();
        }
      }
    }
    for (Job j : batch) {
      if (j instanceof CallJob<?> c) {
        c.run(store);
      }
    }
    // a store that stays unwritable for long: stop taking writes so that memory stays bounded
    while (kept.size() >= MAX_KEPT && !worker.stopped()) {
      Thread.sleep(RETRY_EVERY.toMillis());
      retryKept();
    }
  }

  /**
   * The writes of the batch being committed: one object on the writer's thread instead of a lambda
   * per batch, which would be linked at the first write after a start (the first ban's).
   */
  private final class Batch implements BanStore.SqlWork {
    private List<WriteJob> writes = List.of();

    @Override
    public void run() throws SQLException {
      for (WriteJob w : writes) {
        w.work().run(store);
      }
    }
  }

  private final Batch batch = new Batch();

  private void writeNow(List<WriteJob> writes) {
    lastAttempt = System.nanoTime();
    try {
      batch.writes = writes;
      try {
        store.inTransaction(batch);
      } finally {
        batch.writes = List.of();
      }
      for (WriteJob w : writes) {
        if (notDurable == null) {
          w.done().complete(null);
        } else {
          w.done().completeExceptionally(notDurable);
        }
      }
    } catch (SQLException | RuntimeException e) {
      keep(writes);
      failed(e);
      StoreException why = exception();
      for (WriteJob w : writes) {
        w.done().completeExceptionally(why);
      }
    }
  }

  /** Keeps writes for the next retry; their futures fail now with the reason. */
  private void keep(List<WriteJob> writes) {
    StoreException why = failing == null ? null : exception();
    for (WriteJob w : writes) {
      Object key = w.key() != null ? w.key() : Long.valueOf(unkeyed++);
      kept.remove(key);
      kept.put(key, w.work());
      if (why != null) {
        w.done().completeExceptionally(why);
      }
    }
    keptCount = kept.size();
  }

  /** Tries the kept writes again in one transaction (the worker's tick, every second). */
  private void retryKept() {
    if (kept.isEmpty()) {
      return;
    }
    lastAttempt = System.nanoTime();
    List<Write> all = new ArrayList<>(kept.values());
    if (failing == StoreException.Kind.DISK_FULL) {
      try {
        store.checkpoint();
      } catch (SQLException e) {
        // still no room for even that: the retry below says so
      }
    }
    try {
      store.inTransaction(
          () -> {
            for (Write w : all) {
              w.run(store);
            }
          });
      kept.clear();
      keptCount = 0;
      resumed(all.size(), 0);
    } catch (SQLException | RuntimeException e) {
      failed(e);
      if (failing == StoreException.Kind.OTHER) {
        isolate();
      }
    }
  }

  /**
   * The kept writes fail for no reason of the disk's: one of them may be at fault. Each is tried on
   * its own; one that fails that way is reported and dropped, the others are written. A divisible
   * write that fails so is replaced by its parts, tried the same way.
   */
  private void isolate() {
    Deque<Map.Entry<Object, Write>> todo = new ArrayDeque<>(kept.size());
    for (Map.Entry<Object, Write> e : kept.entrySet()) {
      todo.add(Map.entry(e.getKey(), e.getValue()));
    }
    int written = 0;
    int dropped = 0;
    try {
      while (!todo.isEmpty()) {
        Write w = todo.peekFirst().getValue();
        try {
          store.inTransaction(() -> w.run(store));
          todo.removeFirst();
          written++;
        } catch (SQLException | RuntimeException x) {
          if (kindOf(x) != StoreException.Kind.OTHER) {
            failed(x);
            return;
          }
          todo.removeFirst();
          List<Write> parts = w instanceof Divisible d ? d.parts() : List.of();
          if (parts.size() > 1) {
            for (int i = parts.size() - 1; i >= 0; i--) {
              todo.addFirst(Map.entry(Long.valueOf(unkeyed++), parts.get(i)));
            }
          } else {
            dropped++;
            errors.accept("store: a write to " + store.path() + " failed and is dropped: " + x);
          }
        }
      }
    } finally {
      // what is left (the disk failed on the way) stays kept, in its order
      kept.clear();
      for (Map.Entry<Object, Write> e : todo) {
        kept.put(e.getKey(), e.getValue());
      }
      keptCount = kept.size();
    }
    resumed(written, dropped);
  }

  private void failed(Exception e) {
    StoreException.Kind kind = kindOf(e);
    long now = System.nanoTime();
    boolean news = kind != failing;
    failing = kind;
    problem =
        kind.words()
            + ": cannot write "
            + store.path()
            + " ("
            + e.getMessage()
            + "); "
            + kept.size()
            + " write(s) kept in memory and written when it can be: bans still reach the"
            + " firewall";
    if (news || now - lastReminder >= REMIND_EVERY_NANOS) {
      lastReminder = now;
      errors.accept("store: " + problem);
    }
  }

  private void resumed(int written, int dropped) {
    if (failing != null) {
      notices.accept(
          "store: writes to "
              + store.path()
              + " resumed: "
              + written
              + " kept write(s) written, "
              + (dropped == 0 ? "nothing lost" : dropped + " dropped (said above)"));
    }
    failing = null;
    problem = null;
  }

  private StoreException exception() {
    return new StoreException(store.path(), failing, problem, null);
  }

  /** SQLite's result code, and for an I/O error the free space: ENOSPC can surface as either. */
  private StoreException.Kind kindOf(Exception e) {
    if (!(e instanceof SQLException s)) {
      return StoreException.Kind.OTHER;
    }
    StoreException.Kind kind = StoreException.kindOf(s);
    if (kind == StoreException.Kind.OTHER && (s.getErrorCode() & 0xff) == 10 && diskFull()) {
      return StoreException.Kind.DISK_FULL;
    }
    return kind;
  }

  private boolean diskFull() {
    try {
      Path dir = store.path().toAbsolutePath().getParent();
      return dir != null && Files.getFileStore(dir).getUsableSpace() < 64 * 1024;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      worker.stop(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!kept.isEmpty()) {
      int n = kept.size();
      retryKept();
      if (!kept.isEmpty()) {
        errors.accept(
            "store: "
                + n
                + " write(s) could not be written to "
                + store.path()
                + " before the stop ("
                + problem
                + "): the bans among them stay in the kernel and are adopted at the next start");
      }
    }
    store.close();
  }
}
