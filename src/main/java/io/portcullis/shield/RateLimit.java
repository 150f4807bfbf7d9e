package io.portcullis.shield;

import io.portcullis.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-source packet rate limits of a jail, applied by the firewall on the jail's ports before
 * anyone fails: written {@code ratelimit = 50/10s drop, 10/60s reject} (more than 50 packets in 10
 * s from one source are dropped; more than 10 in 60 s are rejected); {@code off} for none. A source
 * is an IPv4 address or an IPv6 /64. The kernel keeps a token bucket per source (the count is the
 * burst, refilled at count per period) and forgets a source quiet for twice the period. With {@code
 * failures} ({@code ratelimitfailure = yes}, the default), a source found over a limit counts one
 * failure of the jail each time the server looks (every period, 2 s to 10 s), so one that keeps
 * hitting the limit ends up banned.
 */
public record RateLimit(List<Rule> rules, boolean failures) {
  /** No rate limit (the default). */
  public static final RateLimit OFF = new RateLimit(List.of(), true);

  public static final String DEFAULT = "off";

  private static final String EXAMPLE = "50/10s drop, 10/60s reject";

  /** More than {@code count} packets per {@code per} from one source: dropped, or rejected. */
  public record Rule(int count, Duration per, boolean reject) {
    @Override
    public String toString() {
      return count + "/" + Durations.format(per) + (reject ? " reject" : " drop");
    }
  }

  public RateLimit {
    rules = List.copyOf(rules);
  }

  /** The same limits; {@code failures}: whether hitting them counts as a failure of the jail. */
  public RateLimit withFailures(boolean failures) {
    return new RateLimit(rules, failures);
  }

  /** How often the server looks at the sources over a limit: the shortest period, 2 s to 10 s. */
  public Duration watchEvery() {
    long s = 10;
    for (Rule r : rules) {
      s = Math.min(s, r.per().getSeconds());
    }
    return Duration.ofSeconds(Math.max(2, s));
  }

  public boolean isOff() {
    return rules.isEmpty();
  }

  /**
   * Parses a {@code ratelimit} value.
   *
   * @throws IllegalArgumentException saying what is wrong and what would be valid
   */
  public static RateLimit parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.isEmpty() || t.equals("off") || t.equals("false") || t.equals("no")) {
      return OFF;
    }
    List<Rule> out = new ArrayList<>();
    for (String part : t.split(",", -1)) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("an empty rule between commas (try " + EXAMPLE + ")");
      }
      String[] words = p.split("\\s+");
      if (words.length > 2) {
        throw new IllegalArgumentException(
            "'" + p + "' is not COUNT/PERIOD [drop|reject] (try " + EXAMPLE + ", or off)");
      }
      boolean reject = false;
      if (words.length == 2) {
        if (words[1].equals("reject")) {
          reject = true;
        } else if (!words[1].equals("drop")) {
          throw new IllegalArgumentException(
              "'" + words[1] + "' in '" + p + "': the verdict is drop or reject");
        }
      }
      int slash = words[0].indexOf('/');
      if (slash <= 0 || slash == words[0].length() - 1) {
        throw new IllegalArgumentException(
            "'" + p + "' is not COUNT/PERIOD [drop|reject] (try " + EXAMPLE + ", or off)");
      }
      int count;
      try {
        count = Integer.parseInt(words[0].substring(0, slash));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + words[0].substring(0, slash) + "' in '" + p + "': the count must be a number");
      }
      if (count < 1 || count > 1_000_000) {
        throw new IllegalArgumentException(
            "'" + p + "': the count must be from 1 to 1000000 packets");
      }
      Duration per;
      try {
        per = Durations.parse(words[0].substring(slash + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + p + "': " + e.getMessage());
      }
      if (per.isNegative() || per.getSeconds() < 1 || per.getSeconds() > 86_400) {
        throw new IllegalArgumentException(
            "'" + p + "': the period must be from 1s to 1d (e.g. 10s, 1m)");
      }
      out.add(new Rule(count, per, reject));
    }
    return new RateLimit(out, true);
  }

  /** The value as {@code ratelimit} would write it. */
  @Override
  public String toString() {
    return rules.isEmpty() ? "off" : String.join(", ", rules.stream().map(Rule::toString).toList());
  }

  /**
   * The rule's rate as nftables' {@code limit rate over N/UNIT burst B packets} takes it: the count
   * per period in the smallest unit (second, minute, hour, day) where it is a whole number, the
   * count as burst.
   */
  public static String nftRate(Rule r) {
    long seconds = r.per().getSeconds();
    String[] units = {"second", "minute", "hour", "day"};
    long[] lengths = {1, 60, 3600, 86_400};
    for (int i = 0; i < units.length; i++) {
      if ((r.count() * lengths[i]) % seconds == 0) {
        return (r.count() * lengths[i] / seconds)
            + "/"
            + units[i]
            + " burst "
            + r.count()
            + " packets";
      }
    }
    // a period that divides no day evenly: round the daily rate up (never stricter than written)
    return ((r.count() * 86_400L + seconds - 1) / seconds) + "/day burst " + r.count() + " packets";
  }
}
