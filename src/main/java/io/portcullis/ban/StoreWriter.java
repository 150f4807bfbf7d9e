package io.portcullis.ban;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one thread that writes the store ({@code store-writer}). Work is queued and written in
 * batches, one transaction per batch, so a flood of bans costs few fsyncs and never blocks the
 * jails. A failed write is reported and the loop goes on.
 */
public final class StoreWriter implements AutoCloseable {
  private static final Runnable STOP = () -> {};

  private final BanStore store;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final Consumer<String> errors;

  public StoreWriter(BanStore store, Consumer<String> errors) {
    this.store = store;
    this.errors = errors;
    this.thread = new Thread(this::loop, "store-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues a write; it runs on the writer thread in the next batch (one transaction). */
  public void write(Write work) {
    queue.add((BanStore.SqlWork) () -> work.run(store));
  }

  /** A write to the store. */
  @FunctionalInterface
  public interface Write {
    void run(BanStore store) throws SQLException;
  }

  /** Runs a read or write on the writer thread and returns its result. */
  public <T> CompletableFuture<T> call(StoreCall<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    queue.add(new Call<>(work, f));
    return f;
  }

  /** A call that returns a value. */
  @FunctionalInterface
  public interface StoreCall<T> {
    T run(BanStore store) throws SQLException;
  }

  private record Call<T>(StoreCall<T> work, CompletableFuture<T> result) {
    void run(BanStore store) {
      try {
        result.complete(work.run(store));
      } catch (SQLException | RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }

  /** Waits until everything queued so far is written. */
  public void flush() throws InterruptedException {
    CompletableFuture<Void> done = call(s -> null);
    try {
      done.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      errors.accept("store: flush did not complete: " + e);
    }
  }

  private void loop() {
    List<Object> batch = new ArrayList<>();
    while (true) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, 10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      boolean stop = false;
      List<BanStore.SqlWork> writes = new ArrayList<>();
      for (Object o : batch) {
        if (o == STOP) {
          stop = true;
        } else if (o instanceof BanStore.SqlWork w) {
          writes.add(w);
        }
      }
      try {
        store.inTransaction(
            () -> {
              for (BanStore.SqlWork w : writes) {
                w.run();
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
      for (Object o : batch) {
        if (o instanceof Call<?> c) {
          c.run(store);
        }
      }
      batch.clear();
      if (stop) {
        return;
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      queue.add(STOP);
      thread.join(TimeUnit.SECONDS.toMillis(30));
      store.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
