package io.portcullis.fleet;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events this node has to publish, in order, kept while Redis cannot be reached. Bounded: the
 * producer is a jail's thread, which must never wait for Redis, so a full outbox drops its oldest
 * event (counted; the fleet warns about it). An event leaves only once Redis took it ({@link
 * #done}), so a Redis that restarts loses nothing queued.
 */
final class Outbox {
  private final int capacity;
  private final ArrayDeque<FleetEvent> queue = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private long dropped;

  Outbox(int capacity) {
    this.capacity = capacity;
  }

  /** Queues an event; never waits. Returns false when the oldest event had to go for it. */
  boolean add(FleetEvent e) {
    lock.lock();
    try {
      boolean room = queue.size() < capacity;
      if (!room) {
        queue.pollFirst();
        dropped++;
      }
      queue.addLast(e);
      notEmpty.signalAll(); // the publisher, and a follower pausing before it retries
      return room;
    } finally {
      lock.unlock();
    }
  }

  /** The oldest event, waiting for one at most {@code limit}; null when none came. */
  FleetEvent peek(Duration limit) throws InterruptedException {
    lock.lock();
    try {
      long nanos = limit.toNanos();
      while (queue.isEmpty() && nanos > 0) {
        nanos = notEmpty.awaitNanos(nanos);
      }
      return queue.peekFirst();
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code limit} for something to happen (a new event, or {@link #wake}). */
  void pause(Duration limit) throws InterruptedException {
    lock.lock();
    try {
      notEmpty.await(limit.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      lock.unlock();
    }
  }

  /** Ends a {@link #pause} early (stop). */
  void wake() {
    lock.lock();
    try {
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Takes the event {@link #peek} gave off the queue, now that Redis has it. */
  void done(FleetEvent e) {
    lock.lock();
    try {
      if (queue.peekFirst() == e) {
        queue.pollFirst();
      }
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }
}
