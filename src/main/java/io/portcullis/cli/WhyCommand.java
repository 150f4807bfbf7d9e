package io.portcullis.cli;

import io.portcullis.config.Durations;
import io.portcullis.control.Client;
import io.portcullis.control.Replies;
import io.portcullis.net.IpAddress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code portcullis why IP}: why an address is (or was) banned. Its bans in force, then its history
 * newest first: bans with the log lines that led to them (file, filter and the regex that matched),
 * unbans, allows after a successful login, failures that led to no ban yet.
 */
@Command(
    name = "why",
    mixinStandardHelpOptions = true,
    description =
        "Shows why an address is banned: its failures, bans, unbans and allows, with the log lines"
            + " that caused them (kept for dbpurgeage).")
final class WhyCommand extends ClientCommands.Base {
  @Parameters(index = "0", paramLabel = "IP")
  String ip;

  @Override
  public Integer call() {
    Replies.History r = connection.call((Client c) -> c.why(ip));
    return print(r, () -> human(r, out()));
  }

  static void human(Replies.History r, PrintWriter o) {
    for (Map.Entry<String, List<Replies.Trusted>> j : r.trusted().entrySet()) {
      for (Replies.Trusted t : j.getValue()) {
        o.println(r.ip() + " is trusted in " + j.getKey() + " " + ClientCommands.trust(t));
      }
    }
    if (r.country() != null) {
      o.println(r.ip() + " is in country " + r.country());
    }
    if (r.banned().isEmpty() && r.events().isEmpty()) {
      o.println("nothing is known about " + r.ip() + " (events are kept for dbpurgeage)");
      return;
    }
    if (r.banned().isEmpty()) {
      o.println(r.ip() + " is not banned now");
    }
    for (Replies.BanEntry b : r.banned()) {
      IpAddress banned = IpAddress.parseOrNull(b.ip());
      boolean network = banned != null && banned.prefix() >= 0;
      o.println(
          r.ip()
              + " is banned in "
              + b.jail()
              + (b.ip().equals(r.ip()) ? "" : " with its network " + b.ip())
              + " since "
              + Instant.ofEpochSecond(b.time())
              + (b.end() == null ? " for ever" : " until " + Instant.ofEpochSecond(b.end()))
              + " (ban #"
              + b.bancount()
              + (network && b.failures() > 0
                  ? ", earned by " + b.failures() + " bans inside it"
                  : b.failures() > 0 ? ", " + b.failures() + " failures" : ", by command")
              + ")");
      if (!b.inside().isEmpty()) {
        o.println("  banned inside it now: " + String.join(", ", b.inside()));
      }
    }
    if (r.events().isEmpty()) {
      return;
    }
    o.println();
    o.println("History, newest first:");
    for (Replies.Event e : r.events()) {
      o.println(Instant.ofEpochSecond(e.time()) + "  " + e.jail() + "  " + headline(e));
      if (e.evidence() != null) {
        lines(List.of(e), o);
      }
      if (e.causes() != null && !e.causes().isEmpty()) {
        lines(e.causes(), o);
      }
    }
    if (r.more()) {
      o.println("(older events left out)");
    }
  }

  private static String headline(Replies.Event e) {
    switch (e.kind()) {
      case FAILURE:
        return "failure #" + e.count() + source(e.evidence());
      case BAN:
        return "BAN #"
            + e.bancount()
            + (e.bantime() < 0
                ? " for ever"
                : " for " + Durations.format(Duration.ofSeconds(e.bantime())))
            + (e.failures() != null && e.failures() > 0
                ? " after " + e.failures() + " failure(s)"
                : " by command");
      case UNBAN:
        return "unban (" + e.reason() + ")";
      case ALLOW:
        return "allowed until " + Instant.ofEpochSecond(e.until()) + " (" + e.reason() + ")";
      default:
        return e.kind().word();
    }
  }

  private static String source(Replies.Evidence ev) {
    return ev == null ? "" : " in " + (ev.file() == null ? "the journal" : ev.file());
  }

  /** The lines of some events, each once with its time, then the regexes that matched them. */
  private static void lines(List<Replies.Event> events, PrintWriter o) {
    Set<String> regexes = new LinkedHashSet<>();
    String lastFile = null;
    boolean first = true;
    for (Replies.Event c : events) {
      Replies.Evidence ev = c.evidence();
      if (ev == null) {
        continue;
      }
      String file = ev.file() == null ? "the journal" : ev.file();
      if (c.kind() != Replies.EventKind.FAILURE || events.size() > 1) {
        if (first || !Objects.equals(file, lastFile)) {
          o.println("    from " + file + ":");
        }
      }
      first = false;
      lastFile = file;
      for (String line : ev.lines()) {
        o.println("      " + printable(line));
      }
      regexes.add(ev.filter() + ": " + ev.regex());
    }
    for (String r : regexes) {
      o.println("    matched by " + printable(r));
    }
  }

  /**
   * A log line as a terminal may show it: the client wrote it, so control characters (an escape
   * sequence could rewrite the screen) are shown as {@code \\xNN}.
   */
  static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (c == '\t' || !Character.isISOControl(c)) {
                b.appendCodePoint(c);
              } else {
                b.append(String.format("\\x%02x", c));
              }
            });
    return b.toString();
  }
}
