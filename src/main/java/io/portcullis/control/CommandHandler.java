package io.portcullis.control;

import io.portcullis.config.Durations;
import io.portcullis.control.Protocol.CommandException;
import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server side of every control command: checks the arguments and asks {@link ServerControl} and
 * {@link JailControl}; answers are records ({@link Replies}) or plain values.
 */
public final class CommandHandler implements ControlServer.Handler {
  private static final int FAILURE = 1;
  private static final int USAGE = 2;

  private final ServerControl server;

  public CommandHandler(ServerControl server) {
    this.server = server;
  }

  @Override
  public Object handle(Protocol.Request r) throws CommandException {
    List<String> a = r.args();
    try {
      return switch (r.command()) {
        case "ping" -> "pong";
        case "status" -> a.isEmpty() ? server.status() : jail(a.get(0)).status();
        case "ban" -> ban(a);
        case "unban" -> unban(a);
        case "banned" -> server.banned(a.isEmpty() ? null : ip(a.get(0)));
        case "why" -> {
          need(a, 1, "why IP");
          yield server.why(ip(a.get(0)));
        }
        case "set" -> set(a);
        case "get" -> get(a);
        case "reload" -> reload(a);
        case "flushlogs" -> {
          server.reopenLog();
          yield "log reopened";
        }
        case "stop" -> {
          server.requestStop();
          yield "stopping";
        }
        default ->
            throw new CommandException(
                "unknown command '"
                    + r.command()
                    + "' (try ping, status, ban, unban, banned, why, set, get, reload, stop,"
                    + " flushlogs)",
                USAGE);
      };
    } catch (CommandException e) {
      throw e;
    } catch (JailControl.Refused e) {
      throw new CommandException(e.getMessage(), USAGE);
    } catch (ServerControl.ConfigProblems e) {
      throw new CommandException(
          "config has problems, nothing reloaded:\n" + e.getMessage(), USAGE);
    } catch (Exception e) {
      throw new CommandException(e.getMessage() == null ? e.toString() : e.getMessage(), FAILURE);
    }
  }

  private JailControl jail(String name) throws CommandException {
    var running = server.jail(name);
    if (running.isPresent()) {
      return running.get();
    }
    List<String> problems = server.problemsOf(name);
    if (!problems.isEmpty()) {
      throw new CommandException(
          "jail '" + name + "' is not running: " + String.join("; ", problems), FAILURE);
    }
    throw new CommandException(
        "unknown jail '"
            + name
            + "' (running: "
            + String.join(", ", server.jails().stream().map(JailControl::name).toList())
            + ")",
        USAGE);
  }

  private static IpAddress ip(String text) throws CommandException {
    IpAddress ip = IpAddress.parseOrNull(text);
    if (ip == null) {
      throw new CommandException("'" + text + "' is not an IP address", USAGE);
    }
    return ip;
  }

  private static List<IpAddress> ips(List<String> texts) throws CommandException {
    List<IpAddress> out = new ArrayList<>();
    for (String s : texts) {
      out.add(ip(s));
    }
    return out;
  }

  private static void need(List<String> a, int n, String usage) throws CommandException {
    if (a.size() < n) {
      throw new CommandException("usage: " + usage, USAGE);
    }
  }

  private Object ban(List<String> args) throws Exception {
    boolean force = !args.isEmpty() && args.get(0).equals("--force");
    List<String> a = force ? args.subList(1, args.size()) : args;
    need(a, 2, "ban [--force] JAIL IP...");
    JailControl j = jail(a.get(0));
    return j.ban(ips(a.subList(1, a.size())), force);
  }

  private Object unban(List<String> a) throws Exception {
    need(a, 1, "unban IP... | unban --all");
    List<Replies.BanResult> results = new ArrayList<>();
    if (a.get(0).equals("--all")) {
      for (JailControl j : server.jails()) {
        results.add(j.unbanAll());
      }
      return sum(results);
    }
    List<IpAddress> ips = ips(a);
    for (JailControl j : server.jails()) {
      results.add(j.unban(ips));
    }
    Replies.BanResult all = sum(results);
    if (all.count() == 0) {
      throw new CommandException("not banned: " + String.join(" ", a), FAILURE);
    }
    return all;
  }

  /** The results of several jails as one: counts added, each jail's actions listed. */
  private static Replies.BanResult sum(List<Replies.BanResult> results) {
    int count = 0;
    int stored = 0;
    String store = null;
    List<Replies.ActionResult> actions = new ArrayList<>();
    for (Replies.BanResult r : results) {
      count += r.count();
      stored += r.stored();
      store = store != null ? store : r.store();
      if (r.count() > 0) {
        actions.addAll(r.actions());
      }
    }
    return new Replies.BanResult(count, stored, store, actions);
  }

  private Object set(List<String> a) throws Exception {
    need(a, 3, "set JAIL " + String.join("|", SetOption.words().split(", ")) + " VALUE");
    JailControl j = jail(a.get(0));
    SetOption option =
        SetOption.of(a.get(1))
            .orElseThrow(
                () ->
                    new CommandException(
                        "cannot set '" + a.get(1) + "' (try " + SetOption.words() + ")", USAGE));
    String value = a.get(2);
    switch (option) {
      case ADDIGNOREIP -> j.addIgnore(ip(value));
      case DELIGNOREIP -> {
        if (!j.removeIgnore(ip(value))) {
          throw new CommandException(value + " is not on the ignore list of " + j.name(), FAILURE);
        }
      }
      case ADDALLOW -> j.allow(ip(value), a.size() > 3 ? duration(a.get(3)) : null);
      case DELALLOW -> {
        if (!j.disallow(ip(value))) {
          throw new CommandException(value + " is not allowed in " + j.name(), FAILURE);
        }
      }
      case BANTIME -> j.change(new JailControl.Change.Bantime(duration(value)));
      case FINDTIME ->
          j.change(new JailControl.Change.Findtime(positive(duration(value), "findtime")));
      case MAXRETRY -> j.change(new JailControl.Change.Maxretry(number(value)));
    }
    return value(j, option.shows);
  }

  private Object get(List<String> a) throws Exception {
    need(a, 2, "get JAIL " + String.join("|", GetOption.words().split(", ")));
    JailControl j = jail(a.get(0));
    GetOption option =
        GetOption.of(a.get(1))
            .orElseThrow(
                () ->
                    new CommandException(
                        "unknown option '" + a.get(1) + "' (try " + GetOption.words() + ")",
                        USAGE));
    return value(j, option);
  }

  private static Object value(JailControl j, GetOption option) throws Exception {
    JailControl.Values v = j.values();
    return switch (option) {
      case BANTIME -> v.bantime().isNegative() ? -1L : v.bantime().getSeconds();
      case FINDTIME -> v.findtime().getSeconds();
      case MAXRETRY -> (long) v.maxretry();
      case IGNOREIP -> j.ignoreList().stream().map(IpAddress::toString).toList();
      case ALLOWED -> j.allowed();
      case LOGPATH -> j.logpaths();
      case ACTIONS -> j.actions();
    };
  }

  private Object reload(List<String> a) throws Exception {
    if (!a.isEmpty() && !server.configures(a.get(0))) {
      throw new CommandException("unknown jail '" + a.get(0) + "'", USAGE);
    }
    try {
      return server.reload();
    } catch (ServerControl.ConfigProblems e) {
      throw e;
    } catch (Exception e) {
      throw new CommandException("reload failed: " + e.getMessage(), FAILURE);
    }
  }

  private static Duration duration(String v) throws CommandException {
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new CommandException(e.getMessage(), USAGE);
    }
  }

  private static Duration positive(Duration d, String option) throws CommandException {
    if (d.isNegative() || d.isZero()) {
      throw new CommandException(option + " must be positive", USAGE);
    }
    return d;
  }

  private static int number(String v) throws CommandException {
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new CommandException("'" + v + "' is not a whole number of at least 1", USAGE);
    }
  }
}
