package io.portcullis.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fail2ban's time syntax: {@code 600}, {@code 10m}, {@code 1h30m}, {@code 1w}, {@code 2 days},
 * {@code -1} (for ever). A number without unit is seconds.
 */
public final class Durations {
  /** What {@code -1} means: a ban that never ends. */
  public static final Duration FOREVER = Duration.ofSeconds(-1);

  private static final Pattern PART =
      Pattern.compile(
          "\\s*(\\d+(?:\\.\\d+)?)\\s*(years?|y|months?|mo|weeks?|w|days?|d|hours?|h|minutes?|min|m|seconds?|sec|s)?\\s*");

  private Durations() {}

  /**
   * @throws IllegalArgumentException with a message saying what would be valid
   */
  public static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("-1")) {
      return FOREVER;
    }
    if (t.isEmpty()) {
      throw invalid(text);
    }
    Matcher m = PART.matcher(t);
    double seconds = 0;
    int at = 0;
    while (at < t.length()) {
      m.region(at, t.length());
      if (!m.lookingAt() || m.end() == at) {
        throw invalid(text);
      }
      seconds += Double.parseDouble(m.group(1)) * unit(m.group(2));
      at = m.end();
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  private static long unit(String u) {
    if (u == null) {
      return 1;
    }
    return switch (u) {
      case "y", "year", "years" -> 365L * 86_400;
      case "mo", "month", "months" -> 30L * 86_400;
      case "w", "week", "weeks" -> 7L * 86_400;
      case "d", "day", "days" -> 86_400;
      case "h", "hour", "hours" -> 3_600;
      case "m", "min", "minute", "minutes" -> 60;
      default -> 1;
    };
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a duration (try 600, 10m, 1h30m, 1w, -1)");
  }

  /** The shortest readable form: 1h30m, 10m, 45s, "for ever". */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "for ever";
    }
    long s = d.getSeconds();
    if (s == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long[] sizes = {7L * 86_400, 86_400, 3_600, 60, 1};
    String[] names = {"w", "d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (s >= sizes[i]) {
        out.append(s / sizes[i]).append(names[i]);
        s %= sizes[i];
      }
    }
    return out.toString();
  }
}
