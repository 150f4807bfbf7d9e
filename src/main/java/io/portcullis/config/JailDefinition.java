package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One jail as configured, validated: what it watches, how it decides, what it does. Durations are
 * positive; {@code bantime} may be {@link Durations#FOREVER}.
 */
public record JailDefinition(
    String name,
    boolean enabled,
    FilterDefinition filter,
    List<String> logpaths,
    String backend,
    List<String> journalmatch,
    String logencoding,
    int maxretry,
    Duration findtime,
    Duration bantime,
    int maxmatches,
    Increment increment,
    List<String> ignoreip,
    boolean ignoreself,
    String ignorecommand,
    Duration allowtime,
    String usedns,
    String logtimezone,
    List<OptionList> actions,
    Map<String, String> options,
    Origin origin) {

  /** bantime.increment and its options; {@code enabled = false} means a fixed bantime. */
  public record Increment(
      boolean enabled,
      double factor,
      String formula,
      List<Integer> multipliers,
      Duration maxtime,
      Duration rndtime,
      boolean overalljails) {
    public static final Increment OFF = new Increment(false, 1, null, List.of(), null, null, false);

    public Increment {
      multipliers = List.copyOf(multipliers);
    }
  }

  public JailDefinition {
    logpaths = List.copyOf(logpaths);
    journalmatch = List.copyOf(journalmatch);
    ignoreip = List.copyOf(ignoreip);
    actions = List.copyOf(actions);
    options = Map.copyOf(options);
  }
}
