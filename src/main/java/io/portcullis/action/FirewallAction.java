package io.portcullis.action;

import io.portcullis.jail.BanDecision;
import java.time.Clock;
import java.time.Duration;

/**
 * A jail's view of the shared {@link FirewallBackend} (nftables or ipset): bans go into the jail's
 * set with their remaining time as the kernel timeout (none for permanent bans).
 */
public final class FirewallAction implements Action {
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
    if (b.ip() == null) {
      return; // a failure id that is not an address cannot be firewalled
    }
    Duration remaining = b.end() == null ? null : Duration.between(clock.instant(), b.end());
    if (remaining != null && (remaining.isNegative() || remaining.isZero())) {
      return;
    }
    backend.ban(jail, b.ip(), remaining);
  }

  @Override
  public void restore(BanDecision b) {
    if (b.ip() == null || b.end() != null && !b.end().isAfter(clock.instant())) {
      return;
    }
    backend.restore(
        jail, b.ip(), b.end() == null ? null : Duration.between(clock.instant(), b.end()));
  }

  @Override
  public void unban(BanDecision b) {
    if (b.ip() != null) {
      backend.unban(jail, b.ip());
    }
  }
}
