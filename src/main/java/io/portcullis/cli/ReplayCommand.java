package io.portcullis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.config.ConfigException;
import io.portcullis.config.Durations;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterException;
import io.portcullis.filter.FilterMatch;
import io.portcullis.filter.FilterSpec;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.Jail;
import io.portcullis.jail.JailSettings;
import io.portcullis.jail.Outcome;
import io.portcullis.net.IpAddress;
import io.portcullis.source.LineScanner;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * and tells when which address would have been banned and unbanned.
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

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(log)) {
      throw new CliException("log file " + log + " does not exist", Main.FAILURE);
    }
    JailDefinition d;
    Filter filter;
    try {
      d = JailsReader.readJail(config != null ? config : ConfigDirs.defaultDir(), jailName);
      filter = Filter.builder(FilterSpec.of(d.filter(), !d.usedns().equals("no"))).build();
    } catch (ConfigException | FilterException e) {
      throw new CliException(e.getMessage(), Main.USAGE);
    }
    List<IpAddress> ignore =
        d.ignoreip().stream().map(IpAddress::parseOrNull).filter(a -> a != null).toList();
    Map<String, Integer> history = new HashMap<>();
    JailSettings.Increment inc =
        d.increment().enabled()
            ? new JailSettings.Increment(
                true,
                d.increment().factor(),
                d.increment().multipliers(),
                d.increment().maxtime(),
                null,
                d.increment().overalljails())
            : JailSettings.Increment.OFF;
    JailSettings settings =
        new JailSettings(
            d.name(),
            d.maxretry(),
            d.findtime(),
            d.bantime(),
            d.maxmatches(),
            inc,
            d.allowtime(),
            ignore);
    // rndtime is left out so that a replay is repeatable
    Jail jail =
        new Jail(settings, (j, fid) -> history.getOrDefault(fid, 0), ip -> false, new Random(0));
    ZoneId zone = zone(d);
    Instant ref =
        now != null ? Instant.ofEpochSecond(now) : Files.getLastModifiedTime(log).toInstant();
    DateContext ctx = new DateContext(zone, ref);
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
                      if (m.time() != null && !m.groups().containsKey("nofail")) {
                        replay.on(m);
                      }
                    }
                  }));
    }
    print(replay.events, d);
    return Main.OK;
  }

  private ZoneId zone(JailDefinition d) {
    return Zones.resolve(timezone, d.logtimezone(), d.filter().logtimezone());
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

  private void print(List<BanDecision> bans, JailDefinition d) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      for (BanDecision b : bans) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("jail", b.jail());
        o.put("ip", b.fid());
        o.put("ban", b.time().getEpochSecond());
        o.put("unban", b.end() == null ? null : b.end().getEpochSecond());
        o.put("failures", b.failures());
        o.put("bancount", b.count());
        out.println(mapper.writeValueAsString(o));
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
          d.name(),
          d.maxretry(),
          Durations.format(d.findtime()),
          Durations.format(d.bantime()),
          d.increment().enabled() ? ", increasing" : "");
    }
    out.flush();
  }
}
