package io.portcullis.cli;

import io.portcullis.config.ServerSettings;
import io.portcullis.control.Client;
import io.portcullis.control.Protocol;
import io.portcullis.control.ProtocolMapper;
import io.portcullis.control.Replies;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that talk to a running server through its control socket.
 *
 * <p>Design note: long because it holds every control command (one small nested picocli class each,
 * sharing {@link Connection} and the printing of replies); each command is short, and the plain
 * ping/status/ban path that skips picocli lives in {@code QuickCommands}.
 */
final class ClientCommands {
  private ClientCommands() {}

  /** How to reach the server. */
  static final class Connection {
    @Option(
        names = "--config",
        paramLabel = "DIR",
        description = "Config dir whose socket option to use (default /etc/portcullis).")
    Path config;

    @Option(
        names = "--socket",
        paramLabel = "PATH",
        description = "Control socket (overrides --config).")
    Path socket;

    @Option(names = "--json", description = "Print the server's answer as JSON.")
    boolean json;

    Path socketPath() {
      if (socket != null) {
        return socket;
      }
      return ServerSettings.read(config != null ? config : ConfigDirs.defaultDir()).socket();
    }

    /** Runs a call against the server; its errors become the CLI's messages and exit codes. */
    <T> T call(ClientCall<T> call) {
      Client c = client();
      try {
        return call.run(c);
      } catch (Protocol.CommandException | IOException e) {
        throw failure(c, e);
      }
    }

    /**
     * A client of the server, for the short commands that call it directly instead of through
     * {@link #call} with a lambda: the launcher's class-data-sharing archive does not give the JVM
     * a lambda's class ready, so each costs its bootstrap at every run.
     */
    Client client() {
      return new Client(socketPath());
    }

    /** What a failed call of {@code c} tells the person: the server's refusal, or no server. */
    CliException failure(Client c, Exception e) {
      if (e instanceof Protocol.CommandException ce) {
        return new CliException(ce.getMessage(), ce.code());
      }
      return new CliException(
          NoServer.message(
              c.socket(), config != null ? config : ConfigDirs.defaultDir(), e.getMessage()),
          Main.FAILURE);
    }
  }

  /** One call to the server. */
  @FunctionalInterface
  interface ClientCall<T> {
    T run(Client client) throws IOException, Protocol.CommandException;
  }

  /** Base of a client command: connection options and output. */
  abstract static class Base implements Callable<Integer> {
    @Mixin Connection connection;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Where to print when run without picocli ({@link QuickCommands}); else picocli's out. */
    PrintWriter out;

    PrintWriter out() {
      return out != null ? out : spec.commandLine().getOut();
    }

    /** Where to print errors when run without picocli ({@link QuickCommands}); else picocli's. */
    PrintWriter err;

    PrintWriter err() {
      return err != null ? err : spec.commandLine().getErr();
    }

    /** Prints the server's answer as JSON with {@code --json}, else for a person. */
    int print(Object result, Runnable human) {
      if (!printedJson(result)) {
        human.run();
      }
      out().flush();
      return Main.OK;
    }

    /** With {@code --json}, prints the server's answer as JSON and returns true. */
    boolean printedJson(Object result) {
      if (!connection.json) {
        return false;
      }
      try {
        out()
            .println(
                ProtocolMapper.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
      } catch (IOException e) {
        throw new CliException("cannot print the answer: " + e.getMessage(), Main.FAILURE);
      }
      return true;
    }

    /** The end of a short command (no lambda: see {@link Connection#client}). */
    int printed() {
      out().flush();
      return Main.OK;
    }
  }

  @Command(
      name = "ping",
      mixinStandardHelpOptions = true,
      description = "Checks that the server answers.")
  static final class Ping extends Base {
    @Override
    public Integer call() {
      Client c = connection.client();
      String r;
      try {
        r = c.ping();
      } catch (IOException | Protocol.CommandException e) {
        throw connection.failure(c, e);
      }
      if (!printedJson(r)) {
        out().println("server answers: " + r);
      }
      return printed();
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Shows the jails, or one jail's failures, bans and allowed addresses.")
  static final class Status extends Base {
    @Parameters(arity = "0..1", paramLabel = "JAIL")
    String jail;

    @Override
    public Integer call() {
      Client c = connection.client();
      try {
        if (jail == null) {
          Replies.ServerStatus r = c.status();
          if (!printedJson(r)) {
            printServer(r);
          }
        } else {
          Replies.JailStatus r = c.status(jail);
          if (!printedJson(r)) {
            printJail(r);
          }
        }
      } catch (IOException | Protocol.CommandException e) {
        throw connection.failure(c, e);
      }
      return printed();
    }

    private void printServer(Replies.ServerStatus r) {
      PrintWriter o = out();
      o.println("Portcullis status");
      o.println(
          "|- jails running: "
              + r.jails().size()
              + (r.jails().isEmpty() ? "" : " (" + String.join(", ", r.jails()) + ")"));
      for (Map.Entry<String, List<String>> b : r.broken().entrySet()) {
        for (String p : b.getValue()) {
          o.println("|- NOT RUNNING " + b.getKey() + ": " + p);
        }
      }
      Replies.FleetStatus f = r.fleet();
      if (f != null) {
        o.println(
            "|- fleet: node "
                + f.node()
                + (f.connected()
                    ? ", connected to " + f.redis()
                    : ", NOT CONNECTED to "
                        + f.redis()
                        + (f.error() == null ? "" : ": " + f.error()))
                + "; "
                + f.queued()
                + " event(s) queued"
                + (f.dropped() > 0 ? " (" + f.dropped() + " dropped: queue full)" : "")
                + ", "
                + f.published()
                + " published, "
                + f.received()
                + " received, "
                + f.applied()
                + " applied, "
                + f.refused()
                + " refused (ignored or allowed here), "
                + f.remote()
                + " remote ban(s) in force"
                + (f.peers().isEmpty()
                    ? ""
                    : "; trusted nodes (pass the shields): "
                        + String.join(
                            ", ",
                            new java.util.TreeMap<>(f.peers())
                                .entrySet().stream()
                                    .map(
                                        e ->
                                            e.getKey()
                                                + " ("
                                                + String.join(" ", e.getValue())
                                                + ")")
                                    .toList()))
                + (f.peersRefused().isEmpty()
                    ? ""
                    : "; "
                        + f.peersRefused().size()
                        + " node(s) refused: "
                        + String.join("; ", f.peersRefused())));
      }
      if (r.store() != null) {
        for (String p : r.store().problems()) {
          o.println("|- STORE PROBLEM: " + p);
        }
      }
      for (Replies.FeedStatus feed : r.feeds()) {
        o.println(
            "|- feed "
                + feed.name()
                + " ("
                + feed.format()
                + " into jail "
                + feed.jail()
                + "): "
                + feed.entries()
                + " entries in force"
                + (feed.error() == null
                    ? ""
                    : "; LAST FETCH FAILED: "
                        + feed.error()
                        + (feed.entries() > 0
                            ? " (kept until "
                                + java.time.Instant.ofEpochSecond(feed.expires())
                                + ")"
                            : ""))
                + (feed.nextFetch() > 0
                    ? "; next fetch " + java.time.Instant.ofEpochSecond(feed.nextFetch())
                    : ""));
      }
      o.println(
          "`- addresses banned: "
              + r.bans()
              + (r.feeds().isEmpty()
                  ? ""
                  : " (and "
                      + r.feeds().stream().mapToInt(Replies.FeedStatus::entries).sum()
                      + " blocklist entries, not listed by banned)"));
    }

    /** The unusual things met while reading, if any: ", 2 rotations, 1 over-long line skipped". */
    private static String reading(Replies.LogReading g) {
      if (g == null) {
        return "";
      }
      StringBuilder s = new StringBuilder();
      count(s, g.rotations(), "rotation(s) followed");
      count(s, g.truncations(), "truncation(s)");
      count(s, g.tailsFromCopies(), "unread end(s) read from a rotated copy");
      count(s, g.overlongLines(), "over-long line(s) skipped");
      count(s, g.cutLines(), "line(s) cut by a truncation dropped");
      count(s, g.nulBytes(), "NUL byte(s) removed");
      count(s, g.unreadBytesLost(), "unread byte(s) LOST (rotated copy compressed first)");
      return s.toString();
    }

    private static void count(StringBuilder s, long n, String what) {
      if (n > 0) {
        s.append(", ").append(n).append(' ').append(what);
      }
    }

    private void printJail(Replies.JailStatus r) {
      PrintWriter o = out();
      o.println("Jail " + r.jail() + " (filter " + r.filter() + ")");
      o.println(
          "|- reading:  "
              + (r.files().isEmpty()
                  ? r.source() == null ? "(no file yet)" : r.source()
                  : String.join(", ", r.files()))
              + ", "
              + r.lines()
              + " lines so far"
              + reading(r.reading()));
      o.println(
          "|- failing:  "
              + r.failures().current()
              + " address(es) now, "
              + r.failures().total()
              + " failures in all"
              + (r.failures().dropped() == 0
                  ? ""
                  : ", "
                      + r.failures().dropped()
                      + " address(es) dropped, the oldest first (maxtrackedmemory reached)")
              + (r.failures().guardDropped() == 0
                  ? ""
                  : ", "
                      + r.failures().guardDropped()
                      + " address(es) or account(s) whose pairing, account or user-name state was"
                      + " dropped, the least recent first (their share of maxtrackedmemory"
                      + " reached)"));
      o.println(
          "|- banned:   "
              + r.bans().current()
              + " now, "
              + r.bans().total()
              + " in all"
              + (r.bans().list().isEmpty() ? "" : ": " + String.join(" ", r.bans().list())));
      if (r.regexBudgetHits() > 0) {
        o.println(
            "|- regex budget: "
                + r.regexBudgetHits()
                + " line(s) made a regex give up (crafted to backtrack?) and were not matched");
      }
      List<String> trusted = new ArrayList<>();
      for (Replies.Trusted t : r.trusted()) {
        trusted.add(t.ip() + " " + trust(t));
      }
      o.println("|- trusted:  " + (trusted.isEmpty() ? "none" : String.join(", ", trusted)));
      if (r.ratelimited() != null) {
        o.println(
            "|- rate limit "
                + r.ratelimited().limit()
                + ": "
                + r.ratelimited().now().size()
                + " source(s) limited now, "
                + r.ratelimited().total()
                + " since start"
                + (r.ratelimited().now().isEmpty()
                    ? ""
                    : ": " + String.join(" ", r.ratelimited().now())));
      }
      for (Replies.AccountUnderAttack a : r.accounts()) {
        o.println(
            "|- ACCOUNT UNDER ATTACK: "
                + a.account()
                + (a.service() == null ? "" : " (" + a.service() + ")")
                + " since "
                + Instant.ofEpochSecond(a.since())
                + ", until "
                + Instant.ofEpochSecond(a.until())
                + " at least: "
                + a.failures()
                + " failures from "
                + a.addresses()
                + " address(es); new addresses failing on it are banned at once");
      }
      List<String> actions = new ArrayList<>();
      for (Replies.ActionState a : r.actions()) {
        actions.add(
            a.name()
                + (!a.ok()
                    ? " (FAILING: " + a.error() + ")"
                    : Boolean.FALSE.equals(a.inPlace())
                        ? " (NOT IN PLACE: being repaired)"
                        : " (ok)"));
      }
      if (r.conntrack() != null) {
        actions.add(
            r.conntrack()
                ? "conntrack: flows of banned addresses are cut"
                : "conntrack tool missing: ongoing UDP flows of banned addresses are not cut");
      }
      List<String> problems = r.problems();
      o.println(
          (problems.isEmpty() ? "`- " : "|- ")
              + "actions:  "
              + (actions.isEmpty() ? "none" : String.join(", ", actions)));
      for (int i = 0; i < problems.size(); i++) {
        o.println((i == problems.size() - 1 ? "`- " : "|- ") + "PROBLEM: " + problems.get(i));
      }
    }
  }

  @Command(
      name = "ban",
      mixinStandardHelpOptions = true,
      description =
          "Bans addresses in a jail now; answers once the store and the firewall have them (exit 1"
              + " when they do not within 10 s).")
  static final class Ban extends Base {
    /**
     * The addresses' text per request (each counted with its quotes and comma): a list of any
     * length goes in requests well under the server's limit on a request line (1 MiB). Counted in
     * bytes, not addresses: 10,000 addresses went in two requests of 8,000 and 2,000, and the
     * second waited for the first's store commit and firewall batch before it started.
     */
    static final int REQUEST_BYTES = 512 * 1024;

    /** {@code all} cut into requests of at most {@link #REQUEST_BYTES}, in order. */
    static List<List<String>> requests(List<String> all) {
      List<List<String>> out = new ArrayList<>();
      int from = 0;
      int bytes = 0;
      for (int i = 0; i < all.size(); i++) {
        int size = jsonBytes(all.get(i));
        if (i > from && bytes + size > REQUEST_BYTES) {
          out.add(all.subList(from, i));
          from = i;
          bytes = 0;
        }
        bytes += size;
      }
      if (from < all.size()) {
        out.add(all.subList(from, all.size()));
      }
      return out;
    }

    /** At most what a string takes in the request line: UTF-8, escapes, quotes and a comma. */
    private static int jsonBytes(String s) {
      int n = 3;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        n += c < 0x20 || c == '"' || c == '\\' ? 6 : c < 0x80 ? 1 : 3;
      }
      return n;
    }

    @Option(
        names = "--force",
        description =
            "Ban even networks that cover loopback, this host's addresses or the jail's ignoreip.")
    boolean force;

    @Parameters(index = "0", paramLabel = "JAIL")
    String jail;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "IP")
    List<String> ips = new ArrayList<>();

    @Option(
        names = "--file",
        paramLabel = "FILE",
        description =
            "Also bans the addresses in FILE (- for standard input): separated by spaces or lines;"
                + " blank lines and lines starting with # are skipped.")
    String file;

    /** Standard input, for {@code --file -}. */
    InputStream stdin = System.in;

    @Override
    public Integer call() {
      List<String> all = new ArrayList<>(ips);
      if (file != null) {
        try {
          all.addAll(
              file.equals("-")
                  ? AddressList.read(new InputStreamReader(stdin, StandardCharsets.UTF_8))
                  : AddressList.read(Path.of(file)));
        } catch (IOException e) {
          throw new CliException(
              "cannot read the addresses to ban from "
                  + (file.equals("-") ? "standard input" : file)
                  + ": "
                  + e.getMessage(),
              Main.FAILURE);
        }
      }
      if (all.isEmpty()) {
        throw new UsageException(
            "give addresses to ban, or --file FILE (- for standard input)"
                + (file == null ? "" : "; " + file + " holds none"));
      }
      Replies.BanResult banned = null;
      Client c = connection.client();
      try {
        for (List<String> request : requests(all)) {
          Replies.BanResult one = c.ban(jail, request, force);
          banned = banned == null ? one : sum(banned, one);
        }
      } catch (IOException | Protocol.CommandException e) {
        throw connection.failure(c, e);
      }
      if (!printedJson(banned)) {
        out().println("banned " + banned.count() + " address(es) in " + jail);
      }
      printed();
      return honest(banned, err());
    }
  }

  @Command(
      name = "unban",
      mixinStandardHelpOptions = true,
      description = "Lifts bans of addresses in every jail (or all bans with --all).")
  static final class Unban extends Base {
    @Option(names = "--all", description = "Lift every ban.")
    boolean all;

    @Parameters(arity = "0..*", paramLabel = "IP")
    List<String> ips = new ArrayList<>();

    @Override
    public Integer call() {
      if (!all && ips.isEmpty()) {
        throw new UsageException("give addresses to unban, or --all");
      }
      Replies.BanResult r = connection.call(c -> c.unban(all ? List.of("--all") : ips));
      print(r, () -> out().println("lifted " + r.count() + " ban(s)"));
      return honest(r, err());
    }
  }

  /**
   * The answers to the requests of one long {@code ban} as one: counts added up, each action's
   * counts added up (its first error kept), the store's first reason kept.
   */
  static Replies.BanResult sum(Replies.BanResult a, Replies.BanResult b) {
    java.util.Map<List<String>, Replies.ActionResult> actions = new java.util.LinkedHashMap<>();
    for (Replies.ActionResult x : a.actions()) {
      actions.put(List.of(x.jail(), x.action()), x);
    }
    for (Replies.ActionResult y : b.actions()) {
      actions.merge(
          List.of(y.jail(), y.action()),
          y,
          (x, z) ->
              new Replies.ActionResult(
                  x.jail(),
                  x.action(),
                  x.keepsOut(),
                  x.applied() + z.applied(),
                  x.failed() + z.failed(),
                  x.pending() + z.pending(),
                  x.error() != null ? x.error() : z.error()));
    }
    return new Replies.BanResult(
        a.count() + b.count(),
        a.stored() + b.stored(),
        a.store() != null ? a.store() : b.store(),
        new ArrayList<>(actions.values()));
  }

  /**
   * Exit 1, with what is missing on stderr, when the store or an action that keeps addresses out
   * did not take every change.
   */
  static int honest(Replies.BanResult r, PrintWriter err) {
    if (r.complete()) {
      return Main.OK;
    }
    if (r.stored() < r.count()) {
      err.println(
          "error: the store has "
              + r.stored()
              + " of "
              + r.count()
              + " ("
              + r.store()
              + "); they are in force until the server stops, and written when the store can");
    }
    for (Replies.ActionResult a : r.actions()) {
      if (a.keepsOut() && a.failed() + a.pending() > 0) {
        err.println(
            "error: ["
                + a.jail()
                + "] action '"
                + a.action()
                + "' applied "
                + a.applied()
                + " of "
                + (a.applied() + a.failed() + a.pending())
                + " ("
                + a.failed()
                + " failed, "
                + a.pending()
                + " not done yet): "
                + a.error());
      }
    }
    err.flush();
    return Main.FAILURE;
  }

  @Command(
      name = "banned",
      mixinStandardHelpOptions = true,
      description = "Lists bans in force (of one address if given).")
  static final class Banned extends Base {
    @Parameters(arity = "0..1", paramLabel = "IP")
    String ip;

    @Override
    public Integer call() {
      List<Replies.BanEntry> r = connection.call(c -> c.banned(ip));
      return print(
          r,
          () -> {
            if (r.isEmpty()) {
              out().println(ip == null ? "no address is banned" : ip + " is not banned");
            }
            r.forEach(
                b ->
                    out()
                        .printf(
                            "%-16s %-40s since %s until %s (%s)%n",
                            b.jail(),
                            b.country() == null ? b.ip() : b.ip() + " " + b.country(),
                            Instant.ofEpochSecond(b.time()),
                            b.end() == null
                                ? "for ever"
                                : Instant.ofEpochSecond(b.end()).toString(),
                            b.origin() != null
                                ? "remote, from node " + b.origin()
                                : b.failures()
                                    + (b.ip().contains("/") ? " bans inside it" : " failures")
                                    + ", ban #"
                                    + b.bancount()));
            r.stream()
                .filter(b -> !b.inside().isEmpty())
                .forEach(
                    b ->
                        out()
                            .printf("  %s earned by: %s%n", b.ip(), String.join(", ", b.inside())));
          });
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description =
          "Changes a running jail: addignoreip|delignoreip IP, addallow IP [DURATION], delallow IP, bantime|findtime DURATION, maxretry N.")
  static final class Set extends Base {
    @Parameters(index = "0", paramLabel = "JAIL")
    String jail;

    @Parameters(index = "1", paramLabel = "OPTION")
    String option;

    @Parameters(index = "2..*", arity = "1..*", paramLabel = "VALUE")
    List<String> values;

    @Override
    public Integer call() {
      Client.Value r = connection.call(c -> c.set(jail, option, values));
      return print(json(r), () -> out().println(option + ": " + oneLine(r)));
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description =
          "Reads a running jail's bantime, findtime, maxretry, ignoreip, allowed, logpath or actions.")
  static final class Get extends Base {
    @Parameters(index = "0", paramLabel = "JAIL")
    String jail;

    @Parameters(index = "1", paramLabel = "OPTION")
    String option;

    @Override
    public Integer call() {
      Client.Value r = connection.call(c -> c.get(jail, option));
      return print(json(r), () -> lines(r).forEach(out()::println));
    }
  }

  /** A jail option's value as the server sent it (for --json). */
  static Object json(Client.Value v) {
    if (v instanceof Client.Value.Number n) {
      return n.value();
    }
    if (v instanceof Client.Value.AllowedList a) {
      return a.entries();
    }
    return ((Client.Value.Texts) v).values();
  }

  /** A jail option's value, one line per item. */
  static List<String> lines(Client.Value v) {
    if (v instanceof Client.Value.Number n) {
      return List.of(Long.toString(n.value()));
    }
    if (v instanceof Client.Value.AllowedList a) {
      return a.entries().stream()
          .map(e -> e.ip() + " until " + Instant.ofEpochSecond(e.until()))
          .toList();
    }
    return ((Client.Value.Texts) v).values();
  }

  /** A jail option's value on one line, as {@code set} prints it. */
  /**
   * Why and until when an address is trusted, as {@code status JAIL} and {@code why} print it:
   * "until T (login as 100: ...; PJSIP only; 2 failure(s) since)".
   */
  static String trust(Replies.Trusted t) {
    return "until "
        + Instant.ofEpochSecond(t.until())
        + " ("
        + t.reason()
        + (t.account() == null ? "" : " as " + t.account())
        + (t.detail() == null ? "" : ": " + t.detail())
        + (t.service() == null ? "" : "; " + t.service() + " only")
        + (t.failures() > 0 ? "; " + t.failures() + " failure(s) since" : "")
        + ")";
  }

  static String oneLine(Client.Value v) {
    if (v instanceof Client.Value.Number n) {
      return Long.toString(n.value());
    }
    return String.join(", ", lines(v));
  }

  @Command(
      name = "reload",
      mixinStandardHelpOptions = true,
      description =
          "Re-reads the configuration: added jails start, removed ones stop, changed ones take their new settings; bans stay in force.")
  static final class Reload extends Base {
    @Parameters(
        arity = "0..1",
        paramLabel = "JAIL",
        description =
            "The jail to reload; this version re-reads every jail (bans and read positions carry over).")
    String jail;

    @Override
    public Integer call() {
      List<String> r = connection.call(c -> c.reload(jail));
      return print(r, () -> out().println("reloaded; jails running: " + String.join(", ", r)));
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stops the server (bans stay in the database and, with firewall actions, in the kernel).")
  static final class Stop extends Base {
    @Override
    public Integer call() {
      String r = connection.call(Client::stop);
      return print(r, () -> out().println("server " + r));
    }
  }

  @Command(
      name = "flushlogs",
      mixinStandardHelpOptions = true,
      description = "Reopens the log file (after logrotate).")
  static final class FlushLogs extends Base {
    @Override
    public Integer call() {
      String r = connection.call(Client::flushLogs);
      return print(r, () -> out().println(r));
    }
  }
}
