package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.util.List;

/**
 * How one jail decides, as plain values.
 *
 * @param bantime negative means for ever
 * @param allowtime how long a successful login allows its address; zero disables
 */
public record JailSettings(
    String name,
    int maxretry,
    Duration findtime,
    Duration bantime,
    int maxmatches,
    Increment increment,
    Duration allowtime,
    List<IpAddress> ignoreip) {

  /** bantime.increment: each new ban of an address lasts longer. */
  public record Increment(
      boolean enabled,
      double factor,
      List<Integer> multipliers,
      Duration maxtime,
      Duration rndtime,
      boolean overalljails) {
    public static final Increment OFF = new Increment(false, 1, List.of(), null, null, false);

    public Increment {
      multipliers = List.copyOf(multipliers);
      if (factor <= 0) {
        throw new IllegalArgumentException("factor must be positive: " + factor);
      }
    }

    /** The same without the random part (rndtime): a replay gives the same result every time. */
    public Increment withoutRandom() {
      return new Increment(enabled, factor, multipliers, maxtime, null, overalljails);
    }
  }

  public JailSettings {
    if (maxretry < 1) {
      throw new IllegalArgumentException("maxretry must be at least 1: " + maxretry);
    }
    if (findtime.isNegative() || findtime.isZero()) {
      throw new IllegalArgumentException("findtime must be positive: " + findtime);
    }
    ignoreip = List.copyOf(ignoreip);
  }

  public JailSettings withMaxretry(int n) {
    return new JailSettings(name, n, findtime, bantime, maxmatches, increment, allowtime, ignoreip);
  }

  public JailSettings withFindtime(Duration d) {
    return new JailSettings(name, maxretry, d, bantime, maxmatches, increment, allowtime, ignoreip);
  }

  public JailSettings withBantime(Duration d) {
    return new JailSettings(
        name, maxretry, findtime, d, maxmatches, increment, allowtime, ignoreip);
  }

  public JailSettings withIncrement(Increment i) {
    return new JailSettings(name, maxretry, findtime, bantime, maxmatches, i, allowtime, ignoreip);
  }
}
