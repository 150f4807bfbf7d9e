package io.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.config.ConfigException;
import io.portcullis.config.Durations;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.Jail;
import io.portcullis.jail.JailSettings;
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
 * {@code portcullis replay}: runs a log through a jail's whole logic with the log's own timestamps
 * and tells when which address would have been banned and unbanned. The jail is planned by the same
 * {@link Assembler} as the server's, reading the given log instead of its own source.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what a jail would have banned in a log, and when.",
      "Runs the log through the jail's whole logic (filter, maxretry, findtime, bantime,"
          + " increment, allow-on-success, ignoreip) with the log's own timestamps."
    },
    footer = {
      "",
      "Example:",
      "  portcullis replay /var/log/asterisk/messages.1 asterisk --config /etc/portcullis"
    })
final class ReplayCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "LOG")
  Path log;

  @Parameters(
      index = "1",
      paramLabel = "JAIL",
      description = "A jail of the config dir (enabled or not).")
  String jailName;

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

  /** One ban as {@code --json} prints it; {@code unban} null for a ban for ever. */
  record Printed(String jail, String ip, long ban, Long unban, int failures, int bancount) {}

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(log)) {
      throw new CliException("log file " + log + " does not exist", Main.FAILURE);
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
                      List.of(log.toString()), false, Duration.ofSeconds(1), "replay"));
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
    Instant ref =
        now != null ? Instant.ofEpochSecond(now) : Files.getLastModifiedTime(log).toInstant();
    DateContext ctx = new DateContext(zone, ref);
    Filter filter = plan.newFilter();
    Replay replay = new Replay(jail, history);
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
                        replay.on(m);
                      }
                    }
                  }));
    }
    print(replay.events, plan.name(), settings);
    return Main.OK;
  }

  /** Feeds matches in log order, lifting bans whose time has come before each one. */
  private static final class Replay {
    final Jail jail;
    final Map<String, Integer> history;
    final List<BanDecision> events = new ArrayList<>();
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
      if (o.kind() == Outcome.Kind.BANNED) {
        BanDecision b = o.ban().orElseThrow();
        events.add(b);
        history.merge(b.fid(), 1, Integer::sum);
        if (b.end() != null) {
          active.add(b);
        }
      }
    }
  }

  private void print(List<BanDecision> bans, String name, JailSettings s) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      for (BanDecision b : bans) {
        out.println(
            mapper.writeValueAsString(
                new Printed(
                    b.jail(),
                    b.fid(),
                    b.time().getEpochSecond(),
                    b.end() == null ? null : b.end().getEpochSecond(),
                    b.failures(),
                    b.count())));
      }
    } else {
      for (BanDecision b : bans) {
        out.printf(
            "%s  ban    %-40s for %s (%d failures, ban #%d)%n",
            b.time(), b.fid(), Durations.format(b.bantime()), b.failures(), b.count());
      }
      long addresses = bans.stream().map(BanDecision::fid).distinct().count();
      out.printf(
          "%d ban(s) of %d address(es) by jail %s (maxretry %d in %s, bantime %s%s)%n",
          bans.size(),
          addresses,
          name,
          s.maxretry(),
          Durations.format(s.findtime()),
          Durations.format(s.bantime()),
          s.increment().enabled() ? ", increasing" : "");
    }
    out.flush();
  }
}
