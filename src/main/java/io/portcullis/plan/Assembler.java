package io.portcullis.plan;

import io.portcullis.config.ConfigException;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.config.OptionList;
import io.portcullis.config.Origin;
import io.portcullis.config.ServerSettings;
import io.portcullis.config.UnknownJailException;
import io.portcullis.date.TimeZones;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterException;
import io.portcullis.filter.FilterSpec;
import io.portcullis.geo.CountryDatabase;
import io.portcullis.geo.CountryDatabases;
import io.portcullis.geo.CountryRule;
import io.portcullis.geo.CountryShield;
import io.portcullis.jail.Guards;
import io.portcullis.jail.JailSettings;
import io.portcullis.net.IpAddress;
import io.portcullis.pbx.RegistrarSpec;
import io.portcullis.shield.NetworkPolicy;
import io.portcullis.shield.RateLimit;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one road from configuration to something that runs: turns each jail definition of a config
 * dir into a {@link JailPlan}, checking everything the server would otherwise find out at start (a
 * filter that does not compile, a zone, a firewall port, an action.d file, the source) and
 * reporting every problem with file:line, not just the first.
 */
public final class Assembler {
  private final Host host;
  private final ActionKinds kinds;
  // the country database walked once per version of the file, across assemblies (reload)
  private final CountryDatabases countryDatabases = CountryDatabases.shared();

  public Assembler(Host host, ActionKinds kinds) {
    this.host = host;
    this.kinds = kinds;
  }

  /** The country databases read for the plans (the server's country lookup shares them). */
  public CountryDatabases countryDatabases() {
    return countryDatabases;
  }

  /** This machine, the built-in action kinds, host names in ignoreip looked up. */
  public static Assembler forThisHost() {
    return new Assembler(new SystemHost(true), ActionKinds.builtIn());
  }

  /**
   * Every jail of a config dir.
   *
   * @throws ConfigException when the dir holds no jail.conf or jail.local
   */
  public Assembly assemble(Path configDir) {
    JailsReader.Jails jails = JailsReader.read(configDir);
    List<JailPlan> plans = new ArrayList<>();
    Map<String, List<ConfigException>> broken = new LinkedHashMap<>(jails.broken());
    for (JailDefinition d : jails.enabled()) {
      List<ConfigException> problems = new ArrayList<>();
      JailPlan p = plan(configDir, d, null, problems);
      if (problems.isEmpty()) {
        plans.add(p);
      } else {
        broken.put(d.name(), problems);
      }
    }
    return new Assembly(plans, broken, jails.disabled(), jails.warnings());
  }

  /**
   * One jail, enabled or not (for replay).
   *
   * @throws UnknownJailException when the config has no such jail
   * @throws ConfigException listing every problem of the jail
   */
  public JailPlan assemble(Path configDir, String jail) {
    return assemble(configDir, jail, null);
  }

  /**
   * One jail, enabled or not, reading from a source the caller gives ({@code replay} reads a log it
   * was handed: the jail's own source is not looked at).
   *
   * @throws UnknownJailException when the config has no such jail
   * @throws ConfigException listing every problem of the jail
   */
  public JailPlan assemble(Path configDir, String jail, SourcePlan source) {
    JailDefinition d = JailsReader.readJail(configDir, jail);
    List<ConfigException> problems = new ArrayList<>();
    JailPlan p = plan(configDir, d, source, problems);
    if (!problems.isEmpty()) {
      throw ConfigException.of(problems);
    }
    return p;
  }

  /**
   * The plan of a definition; what keeps it from running goes to {@code problems}. {@code given}:
   * the source to use instead of the jail's own, or null.
   */
  private JailPlan plan(
      Path configDir, JailDefinition d, SourcePlan given, List<ConfigException> problems) {
    List<String> notes = new ArrayList<>();
    FilterSpec filter = FilterSpec.of(d.filter(), d.usedns().namesAccepted());
    try {
      Filter.builder(filter).build();
    } catch (FilterException e) {
      problems.add(
          new ConfigException(
              d.origin("filter"), "filter " + d.filter().name() + ": " + e.getMessage()));
    }
    ZoneId zone = zone(d, problems);
    JailSettings settings = null;
    try {
      settings = settings(d, ignoreList(d, notes));
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigException(d.origin(), e.getMessage()));
    }
    SourcePlan source = given;
    if (source == null) {
      try {
        source = Sources.of(d, host);
      } catch (ConfigException e) {
        problems.add(e);
      }
    }
    List<ActionPlan> actions = new ArrayList<>();
    List<ConfigException> actionProblems = new ArrayList<>();
    for (OptionList line : d.actions()) {
      try {
        actions.add(kinds.of(line.name()).plan(new ActionLine(line, d, configDir, host)));
      } catch (ConfigException e) {
        Origin where =
            e.origin() == null || e.origin() == Origin.NONE ? d.origin("action") : e.origin();
        actionProblems.add(
            new ConfigException(where, "action '" + line.name() + "': " + e.detail()));
      } catch (IllegalArgumentException e) {
        actionProblems.add(
            new ConfigException(
                d.origin("action"), "action '" + line.name() + "': " + e.getMessage()));
      }
    }
    if (d.actions().isEmpty()) {
      notes.add("no action: bans are recorded and logged only");
    }
    List<RegistrarSpec> registrars = new ArrayList<>();
    for (OptionList line : d.registrations()) {
      try {
        registrars.add(RegistrarSpec.parse(line.name(), line.options()));
      } catch (IllegalArgumentException e) {
        actionProblems.add(
            new ConfigException(
                d.origin("registrations"),
                "registrations '" + line.name() + "': " + e.getMessage()));
      }
    }
    NetworkPolicy netban = netban(d, problems);
    RateLimit ratelimit = RateLimit.OFF;
    try {
      ratelimit = RateLimit.parse(d.options().getOrDefault("ratelimit", RateLimit.DEFAULT));
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigException(d.origin("ratelimit"), "ratelimit: " + e.getMessage()));
    }
    String failing = d.options().getOrDefault("ratelimitfailure", "yes").strip();
    switch (failing.toLowerCase(java.util.Locale.ROOT)) {
      case "yes", "true", "on", "1" -> {}
      case "no", "false", "off", "0" -> ratelimit = ratelimit.withFailures(false);
      default ->
          problems.add(
              new ConfigException(
                  d.origin("ratelimitfailure"),
                  "ratelimitfailure = " + failing + ": not yes or no"));
    }
    for (OptionList line : d.actions()) {
      if (line.name().equals("firewall")
          && "ipset".equals(line.options().getOrDefault("backend", "").strip())
          && !ratelimit.isOff()) {
        notes.add(
            "ratelimit: the ipset backend does not support rate limits; '"
                + ratelimit
                + "' is not applied (use firewall[backend=nftables], or ratelimit = off)");
      }
    }
    if (!ratelimit.isOff()
        && d.actions().stream().noneMatch(line -> line.name().equals("firewall"))) {
      notes.add(
          "ratelimit: no firewall action in this jail, so '" + ratelimit + "' is not applied");
    }
    CountryShield countries = countries(configDir, d, problems);
    if (countries.cost() != null) {
      notes.add(countries.cost());
    }
    if (!countries.isOff()) {
      for (OptionList line : d.actions()) {
        if (line.name().equals("firewall")
            && "ipset".equals(line.options().getOrDefault("backend", "").strip())) {
          notes.add(
              "countries: the ipset backend does not support country rules; '"
                  + countries.rule()
                  + "' is not applied (use firewall[backend=nftables], or remove countries)");
        }
      }
      if (d.actions().stream().noneMatch(line -> line.name().equals("firewall"))) {
        notes.add(
            "countries: no firewall action in this jail, so '"
                + countries.rule()
                + "' is not applied");
      }
    }
    for (OptionList line : d.actions()) {
      if (line.name().equals("firewall")
          && "ipset".equals(line.options().getOrDefault("backend", "").strip())
          && !(netban.v4().isEmpty() && netban.v6().isEmpty())) {
        notes.add(
            "netban: the ipset backend drops a banned network whole, its ignored and allowed"
                + " addresses too (nftables lets them through); set netban4 = off and"
                + " netban6 = off to ban addresses only");
      }
    }
    return new JailPlan(
        d.name(),
        filter,
        zone,
        settings,
        d.ignoreself(),
        d.ignorecommand(),
        source,
        actions,
        actionProblems,
        notes,
        d.origin(),
        registrars,
        netban,
        ratelimit,
        countries);
  }

  /**
   * countries: the rule with its networks from the database of portcullis.conf's {@code countrydb}.
   * A bad rule, a rule without a database, a database that cannot be read: problems of the jail.
   */
  private CountryShield countries(
      Path configDir, JailDefinition d, List<ConfigException> problems) {
    String text = d.options().get("countries");
    if (text == null) {
      return CountryShield.OFF;
    }
    CountryRule rule;
    try {
      rule = CountryRule.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigException(d.origin("countries"), "countries: " + e.getMessage()));
      return CountryShield.OFF;
    }
    if (rule.isOff()) {
      return CountryShield.OFF;
    }
    ServerSettings server;
    try {
      server = ServerSettings.read(configDir);
    } catch (ConfigException e) {
      problems.add(e);
      return CountryShield.OFF;
    }
    if (server.countrydb() == null) {
      problems.add(
          new ConfigException(
              d.origin("countries"),
              "countries = "
                  + rule
                  + ": no country database; set countrydb = /path/to/GeoLite2-Country.mmdb"
                  + " (a MaxMind-format .mmdb) in [Definition] of portcullis.conf"));
      return CountryShield.OFF;
    }
    try {
      return CountryShield.of(rule, countryDatabases.load(server.countrydb()));
    } catch (CountryDatabase.DatabaseException e) {
      problems.add(
          new ConfigException(
              server.origin("countrydb"),
              "countrydb: "
                  + e.getMessage()
                  + " (jail "
                  + d.name()
                  + " has countries = "
                  + rule
                  + ")"));
      return CountryShield.OFF;
    }
  }

  /** netban4 and netban6: a bad value is a problem of the jail, with where it was written. */
  private static NetworkPolicy netban(JailDefinition d, List<ConfigException> problems) {
    List<List<NetworkPolicy.Step>> families = new ArrayList<>();
    for (boolean v4 : new boolean[] {true, false}) {
      String key = v4 ? "netban4" : "netban6";
      String text =
          d.options().getOrDefault(key, v4 ? NetworkPolicy.DEFAULT_V4 : NetworkPolicy.DEFAULT_V6);
      try {
        families.add(NetworkPolicy.parse(text, v4));
      } catch (IllegalArgumentException e) {
        problems.add(new ConfigException(d.origin(key), key + ": " + e.getMessage()));
        families.add(List.of());
      }
    }
    return new NetworkPolicy(families.get(0), families.get(1));
  }

  private static ZoneId zone(JailDefinition d, List<ConfigException> problems) {
    String own = d.logtimezone();
    String filters = d.filter().logtimezone();
    String text = own != null ? own : filters;
    if (text == null) {
      return ZoneId.systemDefault();
    }
    try {
      return TimeZones.parse(text);
    } catch (IllegalArgumentException e) {
      problems.add(
          new ConfigException(
              d.origin(own != null ? "logtimezone" : "filter"), "logtimezone: " + e.getMessage()));
      return ZoneId.systemDefault();
    }
  }

  /** ignoreip: addresses and networks as they are, names looked up (one that does not: noted). */
  private List<IpAddress> ignoreList(JailDefinition d, List<String> notes) {
    List<IpAddress> out = new ArrayList<>();
    for (String entry : d.ignoreip()) {
      IpAddress a = IpAddress.parseOrNull(entry);
      if (a != null) {
        out.add(a);
        continue;
      }
      List<IpAddress> resolved = host.addresses(entry);
      if (resolved.isEmpty()) {
        notes.add("ignoreip: cannot resolve '" + entry + "'; it is not ignored");
      }
      out.addAll(resolved);
    }
    return out;
  }

  private static JailSettings settings(JailDefinition d, List<IpAddress> ignore) {
    JailDefinition.Increment i = d.increment();
    return new JailSettings(
        d.name(),
        d.maxretry(),
        d.findtime(),
        d.bantime(),
        d.maxmatches(),
        i.enabled()
            ? new JailSettings.Increment(
                true, i.factor(), i.multipliers(), i.maxtime(), i.rndtime(), i.overalljails())
            : JailSettings.Increment.OFF,
        d.allowtime(),
        ignore,
        d.maxtrackedmemory(),
        guards(d.guards()));
  }

  private static Guards guards(JailDefinition.Guards g) {
    return new Guards(
        g.allowfailures(),
        g.accountmaxretry(),
        g.accountfindtime(),
        g.accountbantime(),
        g.accountallowtime(),
        g.maxusers());
  }
}
