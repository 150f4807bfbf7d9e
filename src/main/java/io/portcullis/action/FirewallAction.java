package io.portcullis.action;

import io.portcullis.jail.BanDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A jail's view of the shared {@link FirewallBackend} (nftables or ipset): bans go into the jail's
 * set with their remaining time as the kernel timeout (none for permanent bans).
 */
public final class FirewallAction implements Action {
  private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  private final String jail;
  private final FirewallBackend backend;
  private final Clock clock;

  public FirewallAction(String jail, FirewallBackend backend, Clock clock) {
    this.jail = jail;
    this.backend = backend;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "firewall";
  }

  /** The shared backend this jail's bans go to. */
  public FirewallBackend backend() {
    return backend;
  }

  @Override
  public boolean check() {
    return backend.inPlace();
  }

  @Override
  public void ban(BanDecision b) {
    banApplied(b);
  }

  /** The stage completes when the kernel took the ban, or fails with the firewall's reason. */
  @Override
  public CompletionStage<Void> banApplied(BanDecision b) {
    if (b.ip() == null) {
      return DONE; // a failure id that is not an address cannot be firewalled
    }
    Duration remaining = b.end() == null ? null : Duration.between(clock.instant(), b.end());
    if (remaining != null && (remaining.isNegative() || remaining.isZero())) {
      return DONE;
    }
    return backend.ban(jail, b.ip(), remaining);
  }

  @Override
  public void restore(BanDecision b) {
    if (b.ip() == null || b.end() != null && !b.end().isAfter(clock.instant())) {
      return;
    }
    backend.restore(
        jail, b.ip(), b.end() == null ? null : Duration.between(clock.instant(), b.end()));
  }

  /** The stage completes when the kernel took every one of the bans, or fails with the reason. */
  @Override
  public CompletionStage<Void> restoreAllApplied(java.util.List<BanDecision> bans) {
    java.time.Instant now = clock.instant();
    java.util.List<io.portcullis.net.IpAddress> ips = new java.util.ArrayList<>(bans.size());
    java.util.List<Duration> left = new java.util.ArrayList<>(bans.size());
    for (BanDecision b : bans) {
      // end() makes an Instant at each call: once per ban here (a restore: 100,000)
      java.time.Instant end = b.end();
      if (b.ip() == null || end != null && !end.isAfter(now)) {
        continue;
      }
      ips.add(b.ip());
      left.add(end == null ? null : Duration.between(now, end));
    }
    return backend.restoreAll(jail, ips, left);
  }

  @Override
  public void unban(BanDecision b) {
    unbanApplied(b);
  }

  @Override
  public CompletionStage<Void> unbanApplied(BanDecision b) {
    return b.ip() == null ? DONE : backend.unban(jail, b.ip());
  }

  /**
   * Empties the jail's sets in one statement; false (the bans are lifted one by one) when they hold
   * a blocklist feed's entries, which are not bans and must stay.
   */
  @Override
  public boolean flush() {
    if (backend.carriesFeed(jail)) {
      return false;
    }
    backend.flush(jail);
    return true;
  }

  @Override
  public CompletionStage<Void> flushApplied() {
    return backend.carriesFeed(jail) ? null : backend.flush(jail);
  }
}
