package io.portcullis.jail;

import java.time.Duration;
import java.util.Random;

/**
 * bantime.increment: the n-th ban of an address lasts {@code bantime * 2^(n-1) * factor} (at most
 * 2^20 times), or {@code bantime * multipliers[n-1]} (the last multiplier repeating), capped by
 * maxtime, plus up to rndtime at random so that botnets cannot predict the end.
 */
final class BanTimes {
  private BanTimes() {}

  static Duration increase(
      Duration bantime, int previousBans, JailSettings.Increment inc, Random random) {
    double seconds;
    if (!inc.multipliers().isEmpty()) {
      int i = Math.min(previousBans, inc.multipliers().size() - 1);
      seconds = bantime.getSeconds() * (double) inc.multipliers().get(i);
    } else {
      seconds = bantime.getSeconds() * (double) (1L << Math.min(previousBans, 20)) * inc.factor();
    }
    if (inc.maxtime() != null && seconds > inc.maxtime().getSeconds()) {
      seconds = inc.maxtime().getSeconds();
    }
    if (inc.rndtime() != null && inc.rndtime().getSeconds() > 0) {
      seconds += random.nextInt((int) Math.min(Integer.MAX_VALUE, inc.rndtime().getSeconds()));
    }
    return Duration.ofSeconds(Math.max(1, Math.round(seconds)));
  }
}
