package io.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.config.ConfigException;
import io.portcullis.config.Durations;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.Explain;
import io.portcullis.jail.Jail;
import io.portcullis.jail.JailSettings;
import io.portcullis.jail.Notice;
import io.portcullis.jail.Outcome;
import io.portcullis.plan.ActionKinds;
import io.portcullis.plan.Assembler;
import io.portcullis.plan.JailPlan;
import io.portcullis.plan.SourcePlan;
import io.portcullis.plan.SystemHost;
import io.portcullis.source.LineScanner;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portcullis replay}: runs logs through a jail's whole logic with the logs' own timestamps
 * and tells when which address would have been banned and unbanned, and why. The jail is planned by
 * the same {@link Assembler} as the server's, reading the given logs instead of its own source;
 * several logs (Asterisk's {@code messages} and {@code security}) are merged by line time, as the
 * server sees them when it follows both.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what a jail would have banned in logs, when and why.",
      "Runs the logs through the jail's whole logic (filter, maxretry, findtime, bantime,"
          + " increment, trust after a login, accounts under attack, user-name enumeration,"
          + " ignoreip) with the logs' own timestamps; several logs are merged by line time."
    },
    footer = {
      "",
      "Example:",
      "  portcullis replay /var/log/asterisk/messages.1 /var/log/asterisk/security.1 asterisk"
    })
final class ReplayCommand implements Callable<Integer> {
  @Parameters(
      arity = "2..*",
      paramLabel = "LOG... JAIL",
      description = "One or more logs, then a jail of the config dir (enabled or not).")
  List<String> arguments;

  private List<Path> logs;
  private String jailName;

  @Option(
      names = "--config",
      paramLabel = "DIR",
      description = "Config dir (default: the shipped config, else /etc/portcullis).")
  Path config;

  @Option(
      names = "--json",
      description = "One JSON object per ban: {jail, ip, ban, unban, failures, bancount}.")
  boolean json;

  @Option(
      names = "--now",
      paramLabel = "EPOCH",
      description =
          "Reference time for dates without a year (default: the log's modification time).")
  Long now;

  @Option(
      names = "--timezone",
      paramLabel = "ZONE",
      description =
          "Zone of dates that carry none (default: the jail's logtimezone, else this machine's).")
  String timezone;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * One ban as {@code --json} prints it; {@code unban} null for a ban for ever; {@code cause}:
   * maxretry, account-under-attack, enumeration or trust-withdrawn.
   */
  record Printed(
      String jail, String ip, long ban, Long unban, int failures, int bancount, String cause) {}

  @Override
  public Integer call() throws IOException {
    jailName = arguments.get(arguments.size() - 1);
    logs = arguments.subList(0, arguments.size() - 1).stream().map(Path::of).toList();
    for (Path log : logs) {
      if (!Files.isRegularFile(log)) {
        throw new CliException("log file " + log + " does not exist", Main.FAILURE);
      }
    }
    JailPlan plan;
    try {
      // host names in ignoreip are not looked up: a replay is repeatable and works offline
      plan =
          new Assembler(new SystemHost(false), ActionKinds.builtIn())
              .assemble(
                  config != null ? config : ConfigDirs.defaultDir(),
                  jailName,
                  new SourcePlan.Files(
                      logs.stream().map(Path::toString).toList(),
                      false,
                      Duration.ofSeconds(1),
                      "replay"));
    } catch (ConfigException e) {
      throw new CliException(e.getMessage(), Main.USAGE);
    }
    Map<String, Integer> history = new HashMap<>();
    // rndtime is left out so that a replay is repeatable
    JailSettings settings =
        plan.settings().withIncrement(plan.settings().increment().withoutRandom());
    Jail jail =
        new Jail(settings, (j, fid) -> history.getOrDefault(fid, 0), ip -> false, new Random(0));
    ZoneId zone = timezone != null ? Zones.resolve(timezone) : plan.zone();
    List<FilterMatch> matches = new ArrayList<>();
    for (Path log : logs) {
      Instant ref =
          now != null ? Instant.ofEpochSecond(now) : Files.getLastModifiedTime(log).toInstant();
      read(log, plan.newFilter(), new DateContext(zone, ref), matches);
    }
    // the server sees two logs interleaved as they are written: merge by line time (stable, so
    // one log's lines keep their order)
    matches.sort(java.util.Comparator.comparing(FilterMatch::time));
    Replay replay = new Replay(jail, history);
    matches.forEach(replay::on);
    print(replay, plan.name(), settings);
    return Main.OK;
  }

  private static void read(Path log, Filter filter, DateContext ctx, List<FilterMatch> into)
      throws IOException {
    try (InputStream in = Files.newInputStream(log)) {
      LineScanner.scanBlocks(
          in,
          (buf, s, e) ->
              filter.candidates(
                  buf,
                  s,
                  e,
                  (i, ls, le) -> {
                    for (FilterMatch m :
                        filter
                            .process(new String(buf, ls, le - ls, StandardCharsets.UTF_8), ctx)
                            .matches()) {
                      if (m.time() != null) {
                        into.add(m);
                      }
                    }
                  }));
    }
  }

  /** A ban and what made it. */
  private record Ban(BanDecision decision, Outcome.Cause cause) {}

  /** Feeds matches in time order, lifting bans whose time has come before each one. */
  private static final class Replay {
    final Jail jail;
    final Map<String, Integer> history;
    final List<Ban> events = new ArrayList<>();
    final List<Object> told = new ArrayList<>();
    int trusted;
    final PriorityQueue<BanDecision> active =
        new PriorityQueue<>((a, b) -> a.end().compareTo(b.end()));

    Replay(Jail jail, Map<String, Integer> history) {
      this.jail = jail;
      this.history = history;
    }

    void on(FilterMatch m) {
      while (!active.isEmpty() && !active.peek().end().isAfter(m.time())) {
        jail.unbanned(active.poll().fid());
      }
      Outcome o = jail.on(m, m.time());
      for (Notice n : o.notices()) {
        if (n instanceof Notice.TrustGranted) {
          trusted++;
        } else {
          told.add(new Told(m.time(), n));
        }
      }
      if (o.kind() == Outcome.Kind.BANNED) {
        BanDecision b = o.ban().orElseThrow();
        events.add(new Ban(b, o.cause()));
        told.add(events.get(events.size() - 1));
        history.merge(b.fid(), 1, Integer::sum);
        if (b.end() != null) {
          active.add(b);
        }
      }
    }
  }

  /** A notice at the time of the line that led to it. */
  private record Told(Instant time, Notice notice) {}

  private void print(Replay replay, String name, JailSettings s) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<Ban> bans = replay.events;
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      for (Ban ban : bans) {
        BanDecision b = ban.decision();
        out.println(
            mapper.writeValueAsString(
                new Printed(
                    b.jail(),
                    b.fid(),
                    b.time().getEpochSecond(),
                    b.end() == null ? null : b.end().getEpochSecond(),
                    b.failures(),
                    b.count(),
                    cause(ban.cause()))));
      }
    } else {
      for (Object event : replay.told) {
        if (event instanceof Ban ban) {
          BanDecision b = ban.decision();
          out.printf(
              "%s  ban    %-40s for %s (%s, ban #%d)%n",
              b.time(),
              b.fid(),
              Durations.format(b.bantime()),
              Explain.cause(ban.cause(), b, s),
              b.count());
        } else {
          Told t = (Told) event;
          out.printf("%s  %s%n", t.time(), Explain.notice(t.notice(), s));
        }
      }
      long addresses = bans.stream().map(b -> b.decision().fid()).distinct().count();
      out.printf(
          "%d ban(s) of %d address(es) by jail %s (maxretry %d in %s, bantime %s%s)%n",
          bans.size(),
          addresses,
          name,
          s.maxretry(),
          Durations.format(s.findtime()),
          Durations.format(s.bantime()),
          s.increment().enabled() ? ", increasing" : "");
      if (replay.trusted > 0) {
        out.printf("%d login(s) earned trust%n", replay.trusted);
      }
    }
    out.flush();
  }

  private static String cause(Outcome.Cause c) {
    return (c == null ? Outcome.Cause.MAXRETRY : c)
        .name()
        .toLowerCase(java.util.Locale.ROOT)
        .replace('_', '-');
  }
}
