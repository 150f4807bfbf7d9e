package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.util.List;

/**
 * How one jail decides, as plain values.
 *
 * @param bantime negative means for ever
 * @param allowtime how long a successful login allows its address; zero disables
 * @param maxtrackedmemory bytes the failures the jail tracks may take; past it the oldest are
 *     dropped (counted and reported)
 * @param guards what the jail watches beyond one address's failures: trust withdrawn, accounts
 *     under attack, user-name enumeration
 */
public record JailSettings(
    String name,
    int maxretry,
    Duration findtime,
    Duration bantime,
    int maxmatches,
    Increment increment,
    Duration allowtime,
    List<IpAddress> ignoreip,
    long maxtrackedmemory,
    Guards guards) {

  /** The default of maxtrackedmemory: 32 MiB, about 130,000 addresses with a line each. */
  public static final long DEFAULT_MAX_TRACKED_MEMORY = 32L << 20;

  /** The smallest maxtrackedmemory: a table of a few entries. */
  public static final long MIN_MAX_TRACKED_MEMORY = 64L << 10;

  /** Settings with the default maxtrackedmemory and without guards ({@link Guards#OFF}). */
  public JailSettings(
      String name,
      int maxretry,
      Duration findtime,
      Duration bantime,
      int maxmatches,
      Increment increment,
      Duration allowtime,
      List<IpAddress> ignoreip) {
    this(
        name,
        maxretry,
        findtime,
        bantime,
        maxmatches,
        increment,
        allowtime,
        ignoreip,
        DEFAULT_MAX_TRACKED_MEMORY,
        Guards.OFF);
  }

  /** Settings with the default maxtrackedmemory. */
  public JailSettings(
      String name,
      int maxretry,
      Duration findtime,
      Duration bantime,
      int maxmatches,
      Increment increment,
      Duration allowtime,
      List<IpAddress> ignoreip,
      Guards guards) {
    this(
        name,
        maxretry,
        findtime,
        bantime,
        maxmatches,
        increment,
        allowtime,
        ignoreip,
        DEFAULT_MAX_TRACKED_MEMORY,
        guards);
  }

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
    if (maxtrackedmemory < MIN_MAX_TRACKED_MEMORY) {
      throw new IllegalArgumentException(
          "maxtrackedmemory must be at least 64K: " + maxtrackedmemory);
    }
    ignoreip = List.copyOf(ignoreip);
    java.util.Objects.requireNonNull(guards, "guards");
  }

  public JailSettings withMaxretry(int n) {
    return new JailSettings(
        name,
        n,
        findtime,
        bantime,
        maxmatches,
        increment,
        allowtime,
        ignoreip,
        maxtrackedmemory,
        guards);
  }

  public JailSettings withFindtime(Duration d) {
    return new JailSettings(
        name,
        maxretry,
        d,
        bantime,
        maxmatches,
        increment,
        allowtime,
        ignoreip,
        maxtrackedmemory,
        guards);
  }

  public JailSettings withBantime(Duration d) {
    return new JailSettings(
        name,
        maxretry,
        findtime,
        d,
        maxmatches,
        increment,
        allowtime,
        ignoreip,
        maxtrackedmemory,
        guards);
  }

  public JailSettings withIncrement(Increment i) {
    return new JailSettings(
        name,
        maxretry,
        findtime,
        bantime,
        maxmatches,
        i,
        allowtime,
        ignoreip,
        maxtrackedmemory,
        guards);
  }

  public JailSettings withGuards(Guards g) {
    return new JailSettings(
        name,
        maxretry,
        findtime,
        bantime,
        maxmatches,
        increment,
        allowtime,
        ignoreip,
        maxtrackedmemory,
        g);
  }
}
