package io.portcullis.cli;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigWarning;
import io.portcullis.config.Durations;
import io.portcullis.config.HttpSettings;
import io.portcullis.config.ServerSettings;
import io.portcullis.jail.Guards;
import io.portcullis.jail.JailSettings;
import io.portcullis.net.IpAddress;
import io.portcullis.pbx.RegistrarSpec;
import io.portcullis.plan.Assembler;
import io.portcullis.plan.Assembly;
import io.portcullis.plan.JailPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis check}: plans a config dir exactly as the server would ({@link Assembler}) and
 * prints every problem with file:line (exit 2), every warning (options nothing reads, with the one
 * probably meant), and for each jail what it reads (files or the journal, and why).
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Reads a config dir as the server would and reports every problem (exit 2 if any).")
final class CheckCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "DIR",
      description =
          "Config dir (default: /etc/portcullis, or the shipped config when run from a checkout).")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = config != null ? config : ConfigDirs.defaultDir();
    List<String> problems = new ArrayList<>();
    List<ConfigWarning> warnings = new ArrayList<>();
    try {
      ServerSettings s = ServerSettings.read(dir);
      out.printf(
          "server: socket %s (%s), database %s, log %s (%s)%n",
          s.socket(),
          s.socketgroup() == null
              ? "root only"
              : "root, and group " + s.socketgroup() + " for read-only commands",
          s.dbfile() == null ? "none (bans are not kept)" : s.dbfile(),
          s.logtarget(),
          s.loglevel());
      s.socketProblems().forEach(p -> problems.add(p.getMessage()));
      warnings.addAll(s.allWarnings());
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
    try {
      HttpSettings h = HttpSettings.read(dir);
      if (h.enabled()) {
        out.printf(
            "http: API, dashboard and metrics on %s; writes need the token in %s%n",
            String.join(" ", h.listen().stream().map(Object::toString).toList()), h.tokenfile());
      }
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
    try {
      io.portcullis.fleet.FleetSettings f = io.portcullis.fleet.FleetSettings.read(dir);
      if (f != null) {
        out.printf(
            "fleet: node %s shares bans through %s (share %s, accept %s)%n",
            f.node(),
            f.redisShown(),
            f.share().isEmpty() ? "all" : String.join(" ", f.share()),
            f.accept().isEmpty() ? "all" : String.join(" ", f.accept()));
        out.println(fleetTrust(f));
      }
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
    List<io.portcullis.feed.FeedSettings> feeds = List.of();
    try {
      feeds = io.portcullis.feed.FeedSettings.read(dir);
      for (io.portcullis.feed.FeedSettings f : feeds) {
        out.printf(
            "feed %s: %s (%s) every %s into jail %s for %s, at most %d entries%n",
            f.name(),
            f.source(),
            f.format().describe(),
            Durations.format(f.interval()),
            f.jail(),
            Durations.format(f.bantime()),
            f.maxentries());
      }
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
    Assembly a;
    try {
      a = Assembler.forThisHost().assemble(dir);
    } catch (ConfigException e) {
      warnings.forEach(w -> err.println("warning: " + w));
      problems.forEach(p -> err.println("error: " + p));
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    for (JailPlan p : a.plans()) {
      JailSettings s = p.settings();
      out.printf(
          "jail %-20s enabled: filter %s, %s, maxretry %d in %s, bantime %s%s, %d action(s)%n",
          p.name(),
          p.filter().name(),
          p.source().describe(),
          s.maxretry(),
          Durations.format(s.findtime()),
          Durations.format(s.bantime()),
          s.increment().enabled() ? " (increasing)" : "",
          p.actions().size());
      p.notes().forEach(n -> out.printf("  note: %s%n", n));
      Guards g = s.guards();
      if (g.allowfailures() > 0 || g.watchesAccounts() || g.maxusers() > 0) {
        out.printf(
            "  trust withdrawn after %s; accounts: %s; enumeration: %s%n",
            g.allowfailures() > 0 ? g.allowfailures() + " failures" : "never",
            g.watchesAccounts()
                ? "under attack at "
                    + g.accountmaxretry()
                    + " failures in "
                    + Durations.format(g.accountfindtime())
                    + " for "
                    + Durations.format(g.accountbantime())
                : "not watched",
            g.maxusers() > 0 ? "more than " + g.maxusers() + " user names" : "off");
      }
      for (RegistrarSpec r : p.registrars()) {
        out.printf("  registrations: %s every %s%n", r.describe(), Durations.format(r.every()));
      }
    }
    a.broken()
        .forEach(
            (name, list) ->
                list.forEach(p -> problems.add("jail '" + name + "': " + p.getMessage())));
    for (JailPlan p : a.plans()) {
      p.actionProblems()
          .forEach(
              e ->
                  problems.add(
                      "jail '"
                          + p.name()
                          + "': "
                          + e.getMessage()
                          + " (the jail would run without it)"));
    }
    for (io.portcullis.feed.FeedSettings f : feeds) {
      if (a.plans().stream().noneMatch(p -> p.name().equals(f.jail()))) {
        problems.add(
            f.origin()
                + ": feed '"
                + f.name()
                + "': jail '"
                + f.jail()
                + "' is not an enabled jail (its firewall action carries the feed)");
      }
    }
    warnings.addAll(a.warnings());
    out.printf(
        "%d jail(s) enabled, %d disabled, %d broken%n",
        a.plans().size(), a.disabled().size(), a.broken().size());
    for (ConfigWarning w : warnings) {
      err.println("warning: " + w);
    }
    for (String p : problems) {
      err.println("error: " + p);
    }
    return problems.isEmpty() ? Main.OK : Main.USAGE;
  }

  /** What this node lets through from other nodes, and what it publishes of itself. */
  static String fleetTrust(io.portcullis.fleet.FleetSettings f) {
    String published =
        f.address().isEmpty()
            ? "publishes its interfaces' addresses"
            : "publishes "
                + String.join(" ", f.address().stream().map(IpAddress::toString).toList());
    String every = " every " + Durations.format(f.refresh());
    if (!f.trustsAny()) {
      return "fleet: trusts no node's addresses (trust = none); " + published + every;
    }
    String whom =
        f.trustAll()
            ? "every node's addresses (trust = all)"
            : "the addresses of " + String.join(" ", new java.util.TreeSet<>(f.trust()));
    return "fleet: trusts "
        + whom
        + ": they pass rate limits, country rules and network bans, until "
        + Durations.format(f.peerTtl())
        + " after a node's last publication; "
        + published
        + every;
  }
}
