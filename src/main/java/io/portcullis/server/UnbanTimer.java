package io.portcullis.server;

import io.portcullis.jail.BanDecision;
import io.portcullis.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Lifts bans when their time comes ({@code unban-timer}): wakes at the next ban's end (at least
 * once a second, so a clock that jumps is noticed), hands each ended ban to its jail's thread, and
 * once an hour forgets ban history and address events older than {@code dbpurgeage} (and events
 * beyond the newest million).
 */
final class UnbanTimer {
  private static final Duration MAX_WAIT = Duration.ofSeconds(1);
  private static final Duration PURGE_EVERY = Duration.ofHours(1);

  /** Events kept for {@code why} beyond which the oldest go, whatever their age. */
  private static final long MAX_EVENTS = 1_000_000;

  private final Shared shared;
  private final Duration purgeAge;
  private final Supplier<Map<String, JailRunner>> jails;
  private final Worker<Object> worker;
  private Instant lastPurge;

  UnbanTimer(Shared shared, Duration purgeAge, Supplier<Map<String, JailRunner>> jails) {
    this.shared = shared;
    this.purgeAge = purgeAge;
    this.jails = jails;
    this.lastPurge = shared.clock().instant();
    this.worker =
        Worker.named("unban-timer")
            .every(this::untilNext, this::tick)
            .errors(m -> shared.log().error("unban timer: " + m))
            .start();
  }

  private Duration untilNext() {
    Instant next = shared.bans().nextEnd();
    if (next == null) {
      return MAX_WAIT;
    }
    Duration d = Duration.between(shared.clock().instant(), next);
    return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d.isNegative() ? Duration.ZERO : d;
  }

  private void tick() {
    Instant now = shared.clock().instant();
    Map<String, JailRunner> running = jails.get();
    for (BanDecision b : shared.bans().takeDue(now)) {
      JailRunner r = running.get(b.jail());
      if (r != null) {
        r.ended(b);
      } else {
        shared.store().write(s -> s.removeBan(b.jail(), b.fid(), now));
      }
    }
    if (Duration.between(lastPurge, now).compareTo(PURGE_EVERY) > 0) {
      lastPurge = now;
      Instant before = now.minus(purgeAge);
      shared.store().write(s -> s.purgeHistory(before));
      shared.store().write(s -> s.events().purge(before, MAX_EVENTS));
    }
  }

  void stop() throws InterruptedException {
    worker.stop(Duration.ofSeconds(5));
  }
}
