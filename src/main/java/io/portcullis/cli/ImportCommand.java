package io.portcullis.cli;

import io.portcullis.ban.BanStore;
import io.portcullis.config.ConfigException;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.config.ServerSettings;
import io.portcullis.migrate.Fail2banBan;
import io.portcullis.migrate.Fail2banConfigCheck;
import io.portcullis.migrate.Fail2banDatabase;
import io.portcullis.migrate.Fail2banImport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis import}: carries another program's bans over into Portcullis' store. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Carries another program's bans over into Portcullis' store.",
    subcommands = {ImportCommand.Fail2ban.class})
final class ImportCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "say what to import from: portcullis import fail2ban");
  }

  /** {@code portcullis import fail2ban}. */
  @Command(
      name = "fail2ban",
      mixinStandardHelpOptions = true,
      description = {
        "Carries fail2ban's bans and ban history over into Portcullis' store.",
        "The bans in force keep the time they have left; the history lets bantime.increment go"
            + " on counting. fail2ban's database is opened read-only; nothing but Portcullis' store"
            + " is written (nothing at all with --dry-run), and running it again adds nothing"
            + " twice. Then it shows what changes when Portcullis runs fail2ban's config: jails"
            + " it would not start, actions it runs differently.",
        "The bans go into the kernel when the server starts next (systemctl restart portcullis)."
      })
  static final class Fail2ban implements Callable<Integer> {
    static final Path FAIL2BAN_CONFIG = Path.of("/etc/fail2ban");
    static final Path FAIL2BAN_DB = Path.of("/var/lib/fail2ban/fail2ban.sqlite3");

    @Option(
        names = "--db",
        paramLabel = "FILE",
        description =
            "fail2ban's database (default: the dbfile of --config's fail2ban.conf, else "
                + "/var/lib/fail2ban/fail2ban.sqlite3).")
    Path db;

    @Option(
        names = "--config",
        paramLabel = "DIR",
        description = "fail2ban's config dir (default /etc/fail2ban).")
    Path config;

    @Option(
        names = "--into",
        paramLabel = "DIR",
        description =
            "The Portcullis config dir the server runs: its dbfile receives the bans and its"
                + " jails are checked against theirs (default /etc/portcullis; give fail2ban's"
                + " config dir to run that one).")
    Path into;

    @Option(names = "--dry-run", description = "Show what would be imported; write nothing.")
    boolean dryRun;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path f2bConfig = config != null ? config : FAIL2BAN_CONFIG;
      boolean haveConfig = Files.isDirectory(f2bConfig);
      if (config != null && !haveConfig) {
        throw new UsageException("--config " + config + ": no such directory");
      }
      Path dbFile =
          db != null
              ? db
              : haveConfig
                  ? ServerSettings.fail2banDbfile(f2bConfig).orElse(FAIL2BAN_DB)
                  : FAIL2BAN_DB;
      Path portcullisConfig = into != null ? into : ConfigDirs.defaultDir();
      Path store = ServerSettings.read(portcullisConfig).dbfile();
      if (store == null) {
        throw new CliException(
            portcullisConfig
                + " keeps no store (dbfile = none): there is nowhere to import the bans into",
            Main.FAILURE);
      }

      List<Fail2banBan> latest;
      List<Fail2banBan> history;
      try (Fail2banDatabase f2b = Fail2banDatabase.open(dbFile)) {
        latest = f2b.latestBans();
        history = f2b.history();
      }
      Fail2banImport.Plan plan =
          Fail2banImport.plan(
              latest,
              history,
              Clock.systemUTC().instant(),
              haveConfig ? jail -> bantime(f2bConfig, jail) : jail -> Optional.empty());
      out.printf(
          "fail2ban's database %s (read only): %d ban(s) in force, %d ban(s) in its history%n",
          dbFile, plan.inForce().size(), history.size());
      out.printf("  in force: %s%n", perJail(plan.inForceByJail()));

      if (dryRun) {
        out.printf(
            "--dry-run: nothing written; %s would receive %d ban(s) in force and %d history"
                + " row(s)%n",
            store, plan.inForce().size(), plan.history().size());
      } else {
        Fail2banImport.Outcome done;
        try (BanStore s = BanStore.open(store)) {
          done = Fail2banImport.write(plan, s);
        }
        out.printf(
            "imported into %s: %d ban(s) in force (%d were there already), %d ban history"
                + " row(s)%s%n",
            store,
            done.bansAdded(),
            done.alreadyThere(),
            done.historyAdded(),
            plan.countedOnly() == 0
                ? ""
                : " ("
                    + plan.countedOnly()
                    + " of them stand for earlier bans that fail2ban"
                    + " only counted: dated at the address's latest ban)");
      }

      jailsOf(plan, portcullisConfig, out);
      if (haveConfig) {
        differences(f2bConfig, out);
      } else {
        out.printf("no fail2ban config at %s: its jails are not compared%n", f2bConfig);
      }
      if (!dryRun && !plan.inForce().isEmpty()) {
        out.println(
            "next: restart the server (systemctl restart portcullis): the bans go into the kernel"
                + " with the time they have left");
      }
      return Main.OK;
    }

    /** A jail's bantime in fail2ban's config, for bans whose length fail2ban forgot. */
    private static Optional<Duration> bantime(Path f2bConfig, String jail) {
      try {
        return Optional.of(JailsReader.readJail(f2bConfig, jail).bantime());
      } catch (ConfigException e) {
        return Optional.empty();
      }
    }

    /** Says which jails of the imported bans will not run in the Portcullis config. */
    private static void jailsOf(Fail2banImport.Plan plan, Path portcullisConfig, PrintWriter out) {
      Set<String> jails = new TreeSet<>(plan.inForceByJail().keySet());
      if (jails.isEmpty()) {
        return;
      }
      Set<String> enabled;
      try {
        enabled =
            JailsReader.read(portcullisConfig).enabled().stream()
                .map(JailDefinition::name)
                .collect(Collectors.toSet());
      } catch (ConfigException e) {
        out.printf("cannot read the jails of %s: %s%n", portcullisConfig, e.getMessage());
        return;
      }
      for (String jail : jails) {
        if (!enabled.contains(jail)) {
          out.printf(
              "  jail %s is not enabled in %s: its %d ban(s) wait in the store until it runs%n",
              jail, portcullisConfig, plan.inForceByJail().get(jail));
        }
      }
    }

    private static void differences(Path f2bConfig, PrintWriter out) {
      Fail2banConfigCheck.Report r;
      try {
        r = Fail2banConfigCheck.check(f2bConfig);
      } catch (ConfigException e) {
        out.printf("fail2ban's config %s cannot be read: %s%n", f2bConfig, e.getMessage());
        return;
      }
      out.printf(
          "fail2ban's config %s as Portcullis would run it (portcullis server --config %s):%n",
          f2bConfig, f2bConfig);
      if (r.started().isEmpty()) {
        out.println("  jails that start: none");
      }
      for (Fail2banConfigCheck.Started j : r.started()) {
        out.printf("  jail %s starts: %s%n", j.jail(), j.reads());
      }
      if (r.differences().isEmpty()) {
        out.println("  no differences");
      }
      for (Fail2banConfigCheck.Difference d : r.differences()) {
        out.printf(
            "  %s%s: %s%n",
            label(d.kind()), d.jail() == null ? "" : " [" + d.jail() + "]", d.detail());
      }
    }

    private static String label(Fail2banConfigCheck.Kind kind) {
      return switch (kind) {
        case JAIL_NOT_STARTED -> "jail not started";
        case NOTE -> "note";
        case ACTION_NOT_RUN -> "action not run";
        case ACTION_RUN_DIFFERENTLY -> "action run differently";
        case SERVER_SETTING -> "server";
        case HINT -> "hint";
      };
    }

    private static String perJail(Map<String, Integer> counts) {
      return counts.isEmpty()
          ? "none"
          : counts.entrySet().stream()
              .map(e -> e.getKey() + " " + e.getValue())
              .collect(Collectors.joining(", "));
    }
  }
}
