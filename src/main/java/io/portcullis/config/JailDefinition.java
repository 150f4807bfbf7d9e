package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One jail as configured, each value checked on its own: what it watches, how it decides, what it
 * does. Durations are positive; {@code bantime} may be {@link Durations#FOREVER}. Turning a
 * definition into something that runs (and checking how its values fit together and with this
 * machine) is the plan's job ({@code io.portcullis.plan}).
 *
 * @param backendOptions the options of {@code backend = systemd[journalpath=...]}, as written
 * @param systemdIfNologs fail2ban's {@code systemd_if_nologs}: with {@code backend = auto}, follow
 *     the journal when no log file exists
 * @param options every option of the jail's section, interpolated (for actions and filters)
 * @param origins where each option of the section was written (own or inherited from [DEFAULT])
 * @param maxtrackedmemory bytes the failures the jail tracks may take (its oldest are dropped past
 *     it)
 * @param guards trust limits, accounts and enumeration (allowfailures, account*, maxusers)
 * @param registrations the lines of {@code registrations}: where to read registered phones from
 * @param origin where the jail is enabled
 */
public record JailDefinition(
    String name,
    FilterDefinition filter,
    List<String> logpaths,
    Backend backend,
    Map<String, String> backendOptions,
    boolean systemdIfNologs,
    int maxretry,
    Duration findtime,
    Duration bantime,
    int maxmatches,
    Increment increment,
    List<String> ignoreip,
    boolean ignoreself,
    String ignorecommand,
    Duration allowtime,
    long maxtrackedmemory,
    UseDns usedns,
    String logtimezone,
    List<OptionList> actions,
    Map<String, String> options,
    Map<String, Origin> origins,
    Guards guards,
    List<OptionList> registrations,
    Origin origin) {

  /**
   * maxtrackedmemory when not set: about 130,000 addresses with a 120-character line each
   * (io.portcullis.jail.JailSettings has the same default for settings made without a config).
   */
  public static final long DEFAULT_MAX_TRACKED_MEMORY = 32L << 20;

  /**
   * What the jail watches beyond one address's failures, as configured (README "Trust and
   * accounts").
   */
  public record Guards(
      int allowfailures,
      int accountmaxretry,
      Duration accountfindtime,
      Duration accountbantime,
      Duration accountallowtime,
      int maxusers) {}

  /** bantime.increment and its options; {@code enabled = false} means a fixed bantime. */
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
    }
  }

  public JailDefinition {
    logpaths = List.copyOf(logpaths);
    backendOptions = Map.copyOf(backendOptions);
    ignoreip = List.copyOf(ignoreip);
    actions = List.copyOf(actions);
    options = Map.copyOf(options);
    origins = Map.copyOf(origins);
    registrations = List.copyOf(registrations);
  }

  /** Where an option was written; the jail's own origin when it was not written at all. */
  public Origin origin(String option) {
    return origins.getOrDefault(option, origin);
  }
}
