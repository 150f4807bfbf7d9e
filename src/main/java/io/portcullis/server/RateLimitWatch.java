package io.portcullis.server;

import io.portcullis.action.FirewallAction;
import io.portcullis.net.IpAddress;
import io.portcullis.shield.RateLimit;
import io.portcullis.worker.Worker;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Looks at the sources a jail's rate limits hold back (the firewall's limited sets) every {@link
 * RateLimit#watchEvery} (thread {@code ratelimit-JAIL}): keeps how many are limited now and how
 * many distinct ones were since start (for status), and with {@code ratelimitfailure} hands each
 * one to the jail's thread as a failure.
 */
final class RateLimitWatch {
  /** Distinct sources remembered for the total; beyond it the total still counts, less exactly. */
  private static final int REMEMBERED = 100_000;

  private final JailRunner runner;
  private final RateLimit limit;
  private final List<ActionSlot> firewalls;
  private final ServerLog log;
  private final Worker<Boolean> worker;
  private final Set<IpAddress> seen = new LinkedHashSet<>();
  private volatile List<IpAddress> now = List.of();
  private volatile long total;
  private volatile String problem;

  RateLimitWatch(JailRunner runner, RateLimit limit, List<ActionSlot> actions, Shared shared) {
    this.runner = runner;
    this.limit = limit;
    this.firewalls =
        actions.stream()
            .filter(a -> a.action() instanceof FirewallAction f && f.backend().supportsRateLimits())
            .toList();
    this.log = shared.log();
    this.worker =
        Worker.<Boolean>named("ratelimit-" + runner.name())
            .capacity(1)
            .each(x -> look())
            .every(limit::watchEvery, this::look)
            .errors(m -> log.error("[" + runner.name() + "] ratelimit: " + m))
            .build();
  }

  boolean watches() {
    return !firewalls.isEmpty();
  }

  void start() {
    worker.start();
  }

  private void look() {
    Set<IpAddress> found = new LinkedHashSet<>();
    try {
      for (ActionSlot a : firewalls) {
        found.addAll(((FirewallAction) a.action()).backend().limitedNow(runner.name()));
      }
      problem = null;
    } catch (IOException | RuntimeException e) {
      if (problem == null) {
        log.warning("[" + runner.name() + "] cannot read the rate-limited sources: " + e);
      }
      problem = e.getMessage();
      return;
    }
    now = List.copyOf(found);
    synchronized (seen) {
      for (IpAddress ip : found) {
        if (seen.size() < REMEMBERED ? seen.add(ip) : !seen.contains(ip)) {
          total++;
        }
      }
    }
    if (limit.failures() && !found.isEmpty()) {
      runner.rateLimited(List.copyOf(found));
    }
  }

  /** Sources over a limit at the last look. */
  List<IpAddress> now() {
    return now;
  }

  /** Distinct sources found over a limit since start. */
  long total() {
    return total;
  }

  void stop(Duration wait) throws InterruptedException {
    worker.stop(wait);
  }
}
