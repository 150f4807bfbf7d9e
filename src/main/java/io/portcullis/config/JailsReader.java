package io.portcullis.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code jail.conf}, {@code jail.d/*.conf}, {@code jail.local}, {@code jail.d/*.local} the
 * way fail2ban does and turns every enabled jail into a validated {@link JailDefinition}. A jail
 * with a problem is reported (all its problems, each with file:line) and left out; the others are
 * kept.
 *
 * <p>Design note: one {@code Reader} per section reads every option on its own and collects the
 * problems instead of stopping at the first; its length is that of fail2ban's option list. How the
 * options fit together and with the machine is the plan's job ({@code io.portcullis.plan}).
 */
public final class JailsReader {
  private static final Set<String> NOT_JAILS = Set.of("INCLUDES", "DEFAULT");
  private static final List<String> FILTER_OPTIONS =
      List.of(
          "failregex",
          "ignoreregex",
          "successregex",
          "prefregex",
          "datepattern",
          "maxlines",
          "journalmatch");

  /**
   * What a config dir holds: the jails that can run, those that cannot and why, and the rest; and
   * what is probably a mistake (options nothing reads).
   */
  public record Jails(
      List<JailDefinition> enabled,
      List<String> disabled,
      Map<String, List<ConfigException>> broken,
      List<ConfigWarning> warnings) {
    public Jails {
      enabled = List.copyOf(enabled);
      disabled = List.copyOf(disabled);
      broken = Map.copyOf(broken);
      warnings = List.copyOf(warnings);
    }

    /** Every problem, for printing. */
    public List<ConfigException> problems() {
      List<ConfigException> all = new ArrayList<>();
      broken.values().forEach(all::addAll);
      return all;
    }
  }

  private JailsReader() {}

  public static Jails read(Path configDir) {
    if (!Files.isRegularFile(configDir.resolve("jail.conf"))
        && !Files.isRegularFile(configDir.resolve("jail.local"))) {
      throw new ConfigException("no jail.conf or jail.local in " + configDir);
    }
    IniConfig ini = IniConfig.load(configDir, "jail");
    List<JailDefinition> enabled = new ArrayList<>();
    List<String> disabled = new ArrayList<>();
    Map<String, List<ConfigException>> broken = new LinkedHashMap<>();
    List<String> sections = new ArrayList<>();
    for (String name : ini.sectionNames()) {
      if (NOT_JAILS.contains(name) || name.startsWith("KNOWN/")) {
        continue;
      }
      sections.add(name);
      Reader r = new Reader(configDir, ini, name);
      try {
        if (!r.bool("enabled", false)) {
          disabled.add(name);
          continue;
        }
        JailDefinition d = r.definition();
        if (r.problems.isEmpty()) {
          enabled.add(d);
        }
      } catch (ConfigException e) {
        r.problems.add(e);
      }
      if (!r.problems.isEmpty()) {
        broken.put(name, List.copyOf(r.problems));
      }
    }
    return new Jails(enabled, disabled, broken, UnknownOptions.of(configDir, ini, sections));
  }

  /**
   * Reads one jail whether it is enabled or not (for replay and tests).
   *
   * @throws UnknownJailException when the config has no such jail
   * @throws ConfigException listing every problem of the jail
   */
  public static JailDefinition readJail(Path configDir, String jail) {
    IniConfig ini = IniConfig.load(configDir, "jail");
    if (!ini.hasSection(jail) || NOT_JAILS.contains(jail)) {
      List<String> names =
          ini.sectionNames().stream()
              .filter(n -> !NOT_JAILS.contains(n) && !n.startsWith("KNOWN/"))
              .toList();
      throw new UnknownJailException(jail, configDir.toString(), names);
    }
    Reader r = new Reader(configDir, ini, jail);
    JailDefinition d = r.definition();
    if (!r.problems.isEmpty()) {
      throw ConfigException.of(r.problems);
    }
    return d;
  }

  /** Reads one jail section, collecting problems instead of stopping at the first. */
  private static final class Reader {
    private final Path configDir;
    private final IniConfig ini;
    private final String name;
    private final List<ConfigException> problems = new ArrayList<>();
    private final Map<String, String> vars = new LinkedHashMap<>();

    Reader(Path configDir, IniConfig ini, String name) {
      this.configDir = configDir;
      this.ini = ini;
      this.name = name;
      vars.put("fail2ban_confpath", configDir.toString());
      vars.put("fail2ban_version", "portcullis");
      vars.put("portcullis_confpath", configDir.toString());
    }

    JailDefinition definition() {
      // every option is a variable for the filter; like fail2ban, one that cannot be
      // interpolated only matters when it is used (then the option using it reports it)
      Map<String, String> all = new LinkedHashMap<>();
      for (String opt : ini.options(name, true)) {
        try {
          ini.get(name, opt, vars).ifPresent(v -> all.put(opt, v));
        } catch (ConfigException unusedUnlessReferenced) {
          // reported where it is used
        }
      }
      OptionList backendLine = backend();
      Backend backend = Backend.of(backendLine.name()).orElse(Backend.AUTO);
      int maxretry = integer("maxretry", 5, 1);
      Duration findtime = duration("findtime", Duration.ofMinutes(10), false);
      Duration bantime = duration("bantime", Duration.ofMinutes(10), true);
      Duration allowtime = duration("allowtime", Duration.ofDays(1), false);
      int maxmatches = integer("maxmatches", maxretry, 0);
      long maxtrackedmemory =
          size("maxtrackedmemory", JailDefinition.DEFAULT_MAX_TRACKED_MEMORY, 64L << 10);
      FilterDefinition filter = filter(all, backend);
      List<OptionList> actions = new ArrayList<>();
      for (String line : OptionList.split(string("action", ""))) {
        if (!line.isBlank()) {
          try {
            actions.add(OptionList.parse(line));
          } catch (ConfigException e) {
            problems.add(
                new ConfigException(ini.origin(name, "action"), "action: " + e.getMessage()));
          }
        }
      }
      List<String> logpaths = new ArrayList<>();
      for (String p : string("logpath", "").split("\n")) {
        if (!p.isBlank()) {
          logpaths.add(p.strip());
        }
      }
      UseDns usedns = choice("usedns", UseDns.WARN, UseDns::of, "yes, warn, no, raw");
      JailDefinition.Guards guards = guards(findtime);
      List<OptionList> registrations = new ArrayList<>();
      for (String line : OptionList.split(string("registrations", ""))) {
        if (!line.isBlank()) {
          try {
            registrations.add(OptionList.parse(line));
          } catch (ConfigException e) {
            problems.add(
                new ConfigException(
                    ini.origin(name, "registrations"), "registrations: " + e.getMessage()));
          }
        }
      }
      Map<String, Origin> origins = new LinkedHashMap<>();
      for (String opt : ini.options(name, true)) {
        origins.put(opt, ini.origin(name, opt));
      }
      return new JailDefinition(
          name,
          filter,
          logpaths,
          backend,
          backendLine.options(),
          bool("systemd_if_nologs", true),
          maxretry,
          findtime,
          bantime,
          maxmatches,
          increment(),
          List.of(string("ignoreip", "").split("[\\s,]+")).stream()
              .filter(s -> !s.isBlank())
              .toList(),
          bool("ignoreself", true),
          blankToNull(string("ignorecommand", "")),
          allowtime,
          maxtrackedmemory,
          usedns,
          blankToNull(string("logtimezone", "")),
          actions,
          all,
          origins,
          guards,
          registrations,
          ini.origin(name, "enabled"));
    }

    /**
     * allowfailures (default 10), accountmaxretry (0: off), accountfindtime (findtime),
     * accountbantime (1h), accountallowtime (0: none), maxusers (0: off).
     */
    private JailDefinition.Guards guards(Duration findtime) {
      return new JailDefinition.Guards(
          integer("allowfailures", 10, 0),
          integer("accountmaxretry", 0, 0),
          positive("accountfindtime", findtime),
          positive("accountbantime", Duration.ofHours(1)),
          duration("accountallowtime", Duration.ZERO, false),
          integer("maxusers", 0, 0));
    }

    /** A duration that must be more than zero (and not for ever). */
    private Duration positive(String option, Duration dflt) {
      Duration d = duration(option, dflt, false);
      if (d.isZero()) {
        problems.add(
            new ConfigException(
                ini.origin(name, option),
                option + ": '" + string(option, "") + "' must be more than 0 (try 10m, 1h)"));
        return dflt;
      }
      return d;
    }

    /**
     * {@code backend = systemd[journalpath=...]}: the name checked here, the options by the plan.
     */
    private OptionList backend() {
      String text = string("backend", "auto");
      try {
        OptionList line = OptionList.parse(text.isBlank() ? "auto" : text);
        if (Backend.of(line.name()).isEmpty()) {
          problems.add(
              new ConfigException(
                  ini.origin(name, "backend"),
                  "backend: '"
                      + line.name()
                      + "' is not valid (try auto, pyinotify, polling, systemd)"));
        }
        return line;
      } catch (ConfigException e) {
        problems.add(
            new ConfigException(ini.origin(name, "backend"), "backend: " + e.getMessage()));
        return new OptionList("auto", Map.of());
      }
    }

    private FilterDefinition filter(Map<String, String> all, Backend backend) {
      String spec = string("filter", "");
      if (spec.isBlank()) {
        problems.add(
            new ConfigException(ini.origin(name, "filter"), "jail '" + name + "' has no filter"));
        return null;
      }
      try {
        OptionList ol = OptionList.parse(spec);
        FilterDefinition f =
            FilterReader.read(configDir, ol.name(), ol.options(), all, backend.configName());
        return overrideFromJail(f);
      } catch (ConfigException e) {
        problems.add(new ConfigException(ini.origin(name, "filter"), "filter: " + e.getMessage()));
        return null;
      }
    }

    /** A jail's own failregex, ignoreregex, datepattern ... replace the filter's. */
    private FilterDefinition overrideFromJail(FilterDefinition f) {
      Map<String, String> own = new LinkedHashMap<>();
      for (String o : FILTER_OPTIONS) {
        if (ini.options(name, false).contains(o)) {
          own.put(o, ini.get(name, o, vars).orElse(""));
        }
      }
      if (own.isEmpty()) {
        return f;
      }
      java.util.function.Function<String, List<FilterDefinition.Located>> lines =
          o -> {
            List<FilterDefinition.Located> out = new ArrayList<>();
            for (String l : own.get(o).split("\n")) {
              if (!l.isBlank()) {
                out.add(
                    new FilterDefinition.Located(
                        l, ini.origin(name, o), o + "[" + out.size() + "]"));
              }
            }
            return out;
          };
      Integer maxlines = f.maxlines();
      if (own.containsKey("maxlines")) {
        maxlines = integer("maxlines", 1, 1);
      }
      return new FilterDefinition(
          f.name(),
          own.containsKey("prefregex")
              ? new FilterDefinition.Located(
                  own.get("prefregex"), ini.origin(name, "prefregex"), "prefregex")
              : f.prefregex(),
          own.containsKey("failregex") ? lines.apply("failregex") : f.failregex(),
          own.containsKey("ignoreregex") ? lines.apply("ignoreregex") : f.ignoreregex(),
          own.containsKey("successregex") ? lines.apply("successregex") : f.successregex(),
          maxlines,
          own.containsKey("datepattern")
              ? new FilterDefinition.Located(
                  own.get("datepattern"), ini.origin(name, "datepattern"), "datepattern")
              : f.datepattern(),
          own.containsKey("journalmatch")
              ? own.get("journalmatch")
                  .lines()
                  .map(String::strip)
                  .filter(s -> !s.isEmpty())
                  .toList()
              : f.journalmatch(),
          f.logtimezone(),
          f.jsonline());
    }

    private JailDefinition.Increment increment() {
      if (!bool("bantime.increment", false)) {
        return JailDefinition.Increment.OFF;
      }
      double factor = 1;
      String f = string("bantime.factor", "1");
      try {
        factor = Double.parseDouble(f);
        if (factor <= 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        problems.add(
            new ConfigException(
                ini.origin(name, "bantime.factor"),
                "bantime.factor: '" + f + "' is not a positive number (try 1, 2, 0.5)"));
      }
      List<Integer> multipliers = new ArrayList<>();
      for (String m : string("bantime.multipliers", "").split("\\s+")) {
        if (m.isBlank()) {
          continue;
        }
        try {
          multipliers.add(Integer.parseInt(m));
        } catch (NumberFormatException e) {
          problems.add(
              new ConfigException(
                  ini.origin(name, "bantime.multipliers"),
                  "bantime.multipliers: '" + m + "' is not a whole number (try 1 2 4 8 16 32 64)"));
        }
      }
      String formula = blankToNull(string("bantime.formula", ""));
      if (formula != null) {
        problems.add(
            new ConfigException(
                ini.origin(name, "bantime.formula"),
                "bantime.formula: Python expressions are not evaluated; use bantime.factor (doubling per ban) or bantime.multipliers (e.g. 1 5 30 60 300 720 1440 2880)"));
      }
      Duration maxtime =
          ini.options(name, true).contains("bantime.maxtime")
              ? duration("bantime.maxtime", null, false)
              : null;
      Duration rndtime =
          ini.options(name, true).contains("bantime.rndtime")
              ? duration("bantime.rndtime", null, false)
              : null;
      return new JailDefinition.Increment(
          true, factor, multipliers, maxtime, rndtime, bool("bantime.overalljails", false));
    }

    private String string(String option, String dflt) {
      try {
        return ini.get(name, option, vars).map(String::strip).orElse(dflt);
      } catch (ConfigException e) {
        problems.add(e);
        return dflt;
      }
    }

    boolean bool(String option, boolean dflt) {
      String v = string(option, null);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      switch (v.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1":
          return true;
        case "false", "no", "off", "0":
          return false;
        default:
          problems.add(
              new ConfigException(
                  ini.origin(name, option),
                  option + ": '" + v + "' is not true or false (try true, false, yes, no)"));
          return dflt;
      }
    }

    private int integer(String option, int dflt, int min) {
      String v = string(option, null);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      try {
        int n = Integer.parseInt(v);
        if (n < min) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        problems.add(
            new ConfigException(
                ini.origin(name, option),
                option + ": '" + v + "' is not a whole number of at least " + min));
        return dflt;
      }
    }

    private long size(String option, long dflt, long min) {
      String v = string(option, null);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      try {
        long n = ByteSizes.parse(v);
        if (n < min) {
          throw new IllegalArgumentException(
              "'" + v + "' is too small (at least " + ByteSizes.format(min) + ")");
        }
        return n;
      } catch (IllegalArgumentException e) {
        problems.add(new ConfigException(ini.origin(name, option), option + ": " + e.getMessage()));
        return dflt;
      }
    }

    private Duration duration(String option, Duration dflt, boolean foreverAllowed) {
      String v = string(option, null);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      try {
        Duration d = Durations.parse(v);
        if (d.isNegative() && !foreverAllowed) {
          throw new IllegalArgumentException(
              "'" + v + "' cannot be for ever here (try 600, 10m, 1h, 1d)");
        }
        return d;
      } catch (IllegalArgumentException e) {
        problems.add(new ConfigException(ini.origin(name, option), option + ": " + e.getMessage()));
        return dflt;
      }
    }

    private <T> T choice(
        String option,
        T dflt,
        java.util.function.Function<String, Optional<T>> parse,
        String valid) {
      String v = string(option, null);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      Optional<T> parsed = parse.apply(v);
      if (parsed.isEmpty()) {
        problems.add(
            new ConfigException(
                ini.origin(name, option),
                option + ": '" + v + "' is not valid (try " + valid + ")"));
        return dflt;
      }
      return parsed.get();
    }

    private static String blankToNull(String v) {
      return v == null || v.isBlank() ? null : v;
    }
  }
}
