package io.portcullis.ban;

import io.portcullis.worker.Worker;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The one thread that writes the store ({@code store-writer}). Work is queued and written in
 * batches, one transaction per batch, so a flood of bans costs few fsyncs and never blocks the
 * jails (unless a quarter of a million writes are waiting: then the writer waits). A failed write
 * is reported and the loop goes on.
 */
public final class StoreWriter implements AutoCloseable {
  private static final int CAPACITY = 1 << 18;
  private static final int BATCH = 10_000;

  private final BanStore store;
  private final Consumer<String> errors;
  private final Worker<Job> worker;

  public StoreWriter(BanStore store, Consumer<String> errors) {
    this.store = store;
    this.errors = errors;
    this.worker =
        Worker.<Job>named("store-writer")
            .capacity(CAPACITY)
            .batches(BATCH, Duration.ZERO, this::run)
            .errors(m -> errors.accept("store: " + m))
            .start();
  }

  /** A write to the store. */
  @FunctionalInterface
  public interface Write {
    void run(BanStore store) throws SQLException;
  }

  /** A call that returns a value. */
  @FunctionalInterface
  public interface StoreCall<T> {
    T run(BanStore store) throws SQLException;
  }

  private sealed interface Job permits WriteJob, CallJob {}

  private record WriteJob(Write work) implements Job {}

  private record CallJob<T>(StoreCall<T> work, CompletableFuture<T> result) implements Job {
    void run(BanStore store) {
      try {
        result.complete(work.run(store));
      } catch (SQLException | RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }

  /** Queues a write; it runs on the writer thread in the next batch (one transaction). */
  public void write(Write work) {
    worker.submit(new WriteJob(work));
  }

  /**
   * Runs a read or write on the writer thread and returns its result; it sees every write queued
   * before it.
   */
  public <T> CompletableFuture<T> call(StoreCall<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (!worker.submit(new CallJob<>(work, f))) {
      f.completeExceptionally(new IllegalStateException("the store is closed"));
    }
    return f;
  }

  /** Waits until everything queued so far is written. */
  public void flush() throws InterruptedException {
    if (!worker.awaitHandled(Duration.ofSeconds(30))) {
      errors.accept("store: flush did not complete within 30 s");
    }
  }

  /** Writes the batch in one transaction, then answers the calls that came with it. */
  private void run(List<Job> batch) {
    List<Write> writes = new ArrayList<>(batch.size());
    for (Job j : batch) {
      if (j instanceof WriteJob w) {
        writes.add(w.work());
      }
    }
    if (!writes.isEmpty()) {
      try {
        store.inTransaction(
            () -> {
              for (Write w : writes) {
                w.run(store);
              }
            });
      } catch (SQLException | RuntimeException e) {
        errors.accept(
            "store: "
                + writes.size()
                + " write(s) to "
                + store.path()
                + " failed: "
                + e.getMessage());
      }
    }
    for (Job j : batch) {
      if (j instanceof CallJob<?> c) {
        c.run(store);
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      worker.stop(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
