package io.portcullis.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A named thread that drains a bounded queue, and optionally does something on a schedule (a
 * "tick"). Every long-lived loop of the server is one of these: a jail, an action, the store
 * writer, the firewall batcher, the unban timer.
 *
 * <p>Design note. <b>Overflow</b>: a full queue blocks the producer until there is room (the reader
 * of a log waits; nothing is lost); each time that happens is counted ({@link Stats#waits}) and
 * warned about (at most once a minute). An item is only ever refused after {@link #stop} or when
 * the producer is interrupted while waiting: it is then counted ({@link Stats#dropped}) and warned
 * about. <b>Failures</b>: an exception from the handler (or a {@link StackOverflowError}, which a
 * regex can throw on a crafted line) is counted, reported and the loop goes on. <b>Stop</b>: {@link
 * #stop} refuses new items, lets the thread handle what is already queued, and waits at most the
 * given time before interrupting it.
 *
 * <p>The class is long because it does, once and tested, the locking (one lock, three conditions)
 * that no other class should write again.
 *
 * @param <T> the items handed to the worker
 */
public final class Worker<T> {
  /** Handles a batch of items, in the order they were queued. */
  @FunctionalInterface
  public interface BatchHandler<T> {
    void handle(List<T> batch) throws Exception;
  }

  /** Handles one item. */
  @FunctionalInterface
  public interface ItemHandler<T> {
    void handle(T item) throws Exception;
  }

  /** Counters for status and tests; a snapshot. */
  public record Stats(
      int queued, int capacity, long handled, long waits, long dropped, long failures) {}

  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String name;
  private final int capacity;
  private final int maxBatch;
  private final Duration linger;
  private final BatchHandler<T> batchHandler;
  private final ItemHandler<T> itemHandler;
  private final Supplier<Duration> tickEvery;
  private final Runnable tick;
  private final Consumer<String> errors;
  private final Consumer<String> warnings;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final Condition idle = lock.newCondition();
  private final ArrayDeque<T> queue = new ArrayDeque<>();
  private boolean closed;
  private long enqueued;
  private long done;

  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong waits = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile long lastFullWarning = System.nanoTime() - WARN_EVERY_NANOS;
  private volatile long lastDropWarning = System.nanoTime() - WARN_EVERY_NANOS;
  private final Thread thread;

  private Worker(Builder<T> b) {
    this.name = b.name;
    this.capacity = b.capacity;
    this.maxBatch = b.maxBatch;
    this.linger = b.linger;
    this.batchHandler = b.batchHandler;
    this.itemHandler = b.itemHandler;
    this.tickEvery = b.tickEvery;
    this.tick = b.tick;
    this.errors = b.errors;
    this.warnings = b.warnings != null ? b.warnings : b.errors;
    this.thread = new Thread(this::loop, name);
    this.thread.setDaemon(true);
  }

  /** Starts describing a worker whose thread is called {@code name}. */
  public static <T> Builder<T> named(String name) {
    return new Builder<>(name);
  }

  public String name() {
    return name;
  }

  /**
   * Queues an item, waiting while the queue is full. Returns false, counting and reporting the item
   * as dropped, when the worker is stopped or the caller is interrupted while waiting (its
   * interrupt flag is kept).
   */
  public boolean submit(T item) {
    Objects.requireNonNull(item);
    lock.lock();
    try {
      if (!closed && queue.size() >= capacity) {
        fullWarning();
        while (!closed && queue.size() >= capacity) {
          notFull.await();
        }
      }
      return enqueue(item);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return drop("the producer was interrupted while the queue was full");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues an item, waiting at most {@code limit} while the queue is full; false (nothing queued,
   * nothing dropped: the caller still holds the item) when there was no room in time or the worker
   * is stopped.
   */
  public boolean offer(T item, Duration limit) throws InterruptedException {
    Objects.requireNonNull(item);
    long nanos = limit.toNanos();
    lock.lock();
    try {
      if (!closed && queue.size() >= capacity) {
        fullWarning();
        while (!closed && queue.size() >= capacity) {
          if (nanos <= 0) {
            return false;
          }
          nanos = notFull.awaitNanos(nanos);
        }
      }
      if (closed) {
        return false;
      }
      return enqueue(item);
    } finally {
      lock.unlock();
    }
  }

  private boolean enqueue(T item) {
    if (closed) {
      return drop("the worker is stopped");
    }
    queue.addLast(item);
    enqueued++;
    notEmpty.signal();
    return true;
  }

  private boolean drop(String why) {
    long n = dropped.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastDropWarning >= WARN_EVERY_NANOS || n == 1) {
      lastDropWarning = now;
      warnings.accept("item dropped: " + why + " (" + n + " dropped so far)");
    }
    return false;
  }

  private void fullWarning() {
    long n = waits.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastFullWarning >= WARN_EVERY_NANOS) {
      lastFullWarning = now;
      warnings.accept(
          "queue full ("
              + capacity
              + " items): the producer waits until there is room ("
              + n
              + " time(s) so far)");
    }
  }

  /** Starts the thread; returns this worker. */
  public Worker<T> start() {
    thread.start();
    return this;
  }

  /**
   * Waits until every item queued before this call has been handled; false if that did not happen
   * within {@code limit}.
   */
  public boolean awaitHandled(Duration limit) throws InterruptedException {
    long nanos = limit.toNanos();
    lock.lock();
    try {
      long target = enqueued;
      while (done < target) {
        if (nanos <= 0 || !thread.isAlive() && queue.isEmpty()) {
          return done >= target;
        }
        nanos = idle.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses new items, lets the thread handle the ones already queued, and waits up to {@code
   * limit}; then interrupts it. Returns whether the thread ended in time.
   */
  public boolean stop(Duration limit) throws InterruptedException {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    if (!thread.isAlive()) {
      return true;
    }
    thread.join(Math.max(1, limit.toMillis()));
    if (thread.isAlive()) {
      int left;
      lock.lock();
      try {
        left = queue.size();
      } finally {
        lock.unlock();
      }
      warnings.accept(
          "did not stop within "
              + limit.toMillis()
              + " ms ("
              + left
              + " item(s) still queued): interrupting it");
      thread.interrupt();
      thread.join(1_000);
      return false;
    }
    return true;
  }

  /** Whether {@link #stop} was called. */
  public boolean stopped() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  public Stats stats() {
    int queued;
    lock.lock();
    try {
      queued = queue.size();
    } finally {
      lock.unlock();
    }
    return new Stats(queued, capacity, handled.get(), waits.get(), dropped.get(), failures.get());
  }

  private void loop() {
    List<T> batch = new ArrayList<>();
    long nextTick = tick == null ? Long.MAX_VALUE : System.nanoTime() + nanos(tickEvery.get());
    while (true) {
      boolean end;
      try {
        end = take(batch, nextTick);
      } catch (InterruptedException e) {
        // stop() gave up waiting: leave what is queued
        return;
      }
      if (!batch.isEmpty()) {
        run(batch);
        lock.lock();
        try {
          done += batch.size();
          idle.signalAll();
        } finally {
          lock.unlock();
        }
        batch.clear();
      }
      if (tick != null && System.nanoTime() - nextTick >= 0) {
        runTick();
        nextTick = System.nanoTime() + nanos(tickEvery.get());
      }
      if (end) {
        lock.lock();
        try {
          idle.signalAll();
        } finally {
          lock.unlock();
        }
        return;
      }
    }
  }

  /**
   * Takes a batch into {@code batch}, waiting for items until the next tick. Returns true when the
   * worker is stopped and nothing is left.
   */
  private boolean take(List<T> batch, long nextTick) throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (closed) {
          return true;
        }
        if (nextTick == Long.MAX_VALUE) {
          notEmpty.await();
        } else {
          long wait = nextTick - System.nanoTime();
          if (wait <= 0) {
            return false;
          }
          notEmpty.awaitNanos(wait);
        }
      }
      if (!linger.isZero() && queue.size() > 1) {
        lingerWhileGrowing();
      }
      int n = Math.min(maxBatch, queue.size());
      for (int i = 0; i < n; i++) {
        batch.add(queue.pollFirst());
      }
      notFull.signalAll();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A burst that keeps coming is waited for a little while it grows (up to {@code linger}, in steps
   * of a millisecond): one batch instead of many. A lone item never waits.
   */
  private void lingerWhileGrowing() throws InterruptedException {
    long until = System.nanoTime() + linger.toNanos();
    int seen = queue.size();
    while (seen < maxBatch && !closed && System.nanoTime() - until < 0) {
      notEmpty.awaitNanos(TimeUnit.MILLISECONDS.toNanos(1));
      int now = queue.size();
      if (now == seen) {
        return;
      }
      seen = now;
    }
  }

  private void run(List<T> batch) {
    if (batchHandler != null) {
      try {
        batchHandler.handle(batch);
      } catch (Exception | StackOverflowError e) {
        failed("a batch of " + batch.size() + " failed", e);
      } finally {
        handled.addAndGet(batch.size());
      }
      return;
    }
    for (T item : batch) {
      try {
        itemHandler.handle(item);
      } catch (Exception | StackOverflowError e) {
        failed("an item failed", e);
      } finally {
        handled.incrementAndGet();
      }
    }
  }

  private void runTick() {
    try {
      tick.run();
    } catch (RuntimeException | StackOverflowError e) {
      failed("the scheduled work failed", e);
    }
  }

  private void failed(String what, Throwable e) {
    failures.incrementAndGet();
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    errors.accept(what + ": " + e);
  }

  private static long nanos(Duration d) {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(1), d.toNanos());
  }

  /** What a worker does and how much it may hold. */
  public static final class Builder<T> {
    private final String name;
    private int capacity = 1024;
    private int maxBatch = 1;
    private Duration linger = Duration.ZERO;
    private BatchHandler<T> batchHandler;
    private ItemHandler<T> itemHandler;
    private Supplier<Duration> tickEvery;
    private Runnable tick;
    private Consumer<String> errors;
    private Consumer<String> warnings;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name);
    }

    /** How many items may wait; a producer blocks beyond that (default 1024). */
    public Builder<T> capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
      }
      this.capacity = capacity;
      return this;
    }

    /** Handles items one by one; a failing item does not keep the next from running. */
    public Builder<T> each(ItemHandler<T> handler) {
      this.itemHandler = handler;
      return this;
    }

    /**
     * Handles items in batches of up to {@code max}; with {@code linger}, a burst that keeps coming
     * is waited for that long while it grows (a lone item goes at once).
     */
    public Builder<T> batches(int max, Duration linger, BatchHandler<T> handler) {
      if (max < 1) {
        throw new IllegalArgumentException("batch size must be at least 1: " + max);
      }
      this.maxBatch = max;
      this.linger = linger;
      this.batchHandler = handler;
      return this;
    }

    /**
     * Runs {@code tick} on the worker's thread every {@code every} (asked again after each run).
     */
    public Builder<T> every(Supplier<Duration> every, Runnable tick) {
      this.tickEvery = every;
      this.tick = tick;
      return this;
    }

    /** Where failures go (the owner prefixes them, e.g. with the jail's name). Required. */
    public Builder<T> errors(Consumer<String> errors) {
      this.errors = errors;
      return this;
    }

    /** Where warnings go (a full queue, a dropped item, a slow stop); default: {@link #errors}. */
    public Builder<T> warnings(Consumer<String> warnings) {
      this.warnings = warnings;
      return this;
    }

    /** Builds the worker without starting its thread. */
    public Worker<T> build() {
      if (errors == null) {
        throw new IllegalStateException("worker " + name + " needs an error reporter");
      }
      if (itemHandler == null && batchHandler == null) {
        if (tick == null) {
          throw new IllegalStateException("worker " + name + " has nothing to do");
        }
        itemHandler = item -> {};
      }
      return new Worker<>(this);
    }

    /** Builds the worker and starts its thread. */
    public Worker<T> start() {
      return build().start();
    }
  }
}
