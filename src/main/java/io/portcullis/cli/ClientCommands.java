package io.portcullis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.config.ServerSettings;
import io.portcullis.control.ControlClient;
import io.portcullis.control.Protocol;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that talk to a running server through its control socket. */
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

    JsonNode call(String command, List<String> args) {
      Path s = socketPath();
      try {
        return ControlClient.call(s, command, args);
      } catch (Protocol.CommandException e) {
        throw new CliException(e.getMessage(), e.code());
      } catch (IOException e) {
        throw new CliException(
            "cannot reach the server at "
                + s
                + " ("
                + e.getMessage()
                + "); is it running? (portcullis server, or systemctl start portcullis)",
            Main.FAILURE);
      }
    }
  }

  /** Base of a client command: connection options and output. */
  abstract static class Base implements Callable<Integer> {
    @Mixin Connection connection;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    int print(JsonNode result, Runnable human) {
      if (connection.json) {
        out().println(result.toPrettyString());
      } else {
        human.run();
      }
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
      JsonNode r = connection.call("ping", List.of());
      return print(r, () -> out().println("server answers: " + r.asText()));
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
      JsonNode r = connection.call("status", jail == null ? List.of() : List.of(jail));
      return print(
          r,
          () -> {
            PrintWriter o = out();
            if (jail == null) {
              List<String> names = new ArrayList<>();
              r.path("jails").forEach(j -> names.add(j.asText()));
              o.println("Portcullis status");
              o.println(
                  "|- jails running: "
                      + names.size()
                      + (names.isEmpty() ? "" : " (" + String.join(", ", names) + ")"));
              r.path("broken")
                  .properties()
                  .forEach(
                      e ->
                          e.getValue()
                              .forEach(
                                  p ->
                                      o.println(
                                          "|- NOT RUNNING " + e.getKey() + ": " + p.asText())));
              o.println("`- addresses banned: " + r.path("bans").asInt());
              return;
            }
            List<String> files = new ArrayList<>();
            r.path("files").forEach(f -> files.add(f.asText()));
            List<String> ips = new ArrayList<>();
            r.path("bans").path("list").forEach(i -> ips.add(i.asText()));
            o.println(
                "Jail " + r.path("jail").asText() + " (filter " + r.path("filter").asText() + ")");
            o.println(
                "|- reading:  "
                    + (files.isEmpty() ? "(no file yet)" : String.join(", ", files))
                    + ", "
                    + r.path("lines").asLong()
                    + " lines so far");
            o.println(
                "|- failing:  "
                    + r.path("failures").path("current").asInt()
                    + " address(es) now, "
                    + r.path("failures").path("total").asLong()
                    + " failures in all");
            o.println(
                "|- banned:   "
                    + r.path("bans").path("current").asInt()
                    + " now, "
                    + r.path("bans").path("total").asLong()
                    + " in all"
                    + (ips.isEmpty() ? "" : ": " + String.join(" ", ips)));
            List<String> allowed = new ArrayList<>();
            r.path("allowed")
                .forEach(
                    a ->
                        allowed.add(
                            a.path("ip").asText()
                                + " until "
                                + Instant.ofEpochSecond(a.path("until").asLong())));
            o.println(
                "|- allowed after a successful login: "
                    + (allowed.isEmpty() ? "none" : String.join(", ", allowed)));
            List<String> actions = new ArrayList<>();
            r.path("actions")
                .forEach(
                    a ->
                        actions.add(
                            a.path("name").asText()
                                + (!a.path("ok").asBoolean()
                                    ? " (FAILING: " + a.path("error").asText() + ")"
                                    : a.path("inPlace").isBoolean()
                                            && !a.path("inPlace").asBoolean()
                                        ? " (NOT IN PLACE: being repaired)"
                                        : " (ok)")));
            if (r.has("conntrack")) {
              actions.add(
                  r.path("conntrack").asBoolean()
                      ? "conntrack: flows of banned addresses are cut"
                      : "conntrack tool missing: ongoing UDP flows of banned addresses are not cut");
            }
            o.println(
                (r.path("problems").isEmpty() ? "`- " : "|- ")
                    + "actions:  "
                    + (actions.isEmpty() ? "none" : String.join(", ", actions)));
            List<String> problems = new ArrayList<>();
            r.path("problems").forEach(p -> problems.add(p.asText()));
            for (int i = 0; i < problems.size(); i++) {
              o.println((i == problems.size() - 1 ? "`- " : "|- ") + "PROBLEM: " + problems.get(i));
            }
          });
    }
  }

  @Command(
      name = "ban",
      mixinStandardHelpOptions = true,
      description = "Bans addresses in a jail now.")
  static final class Ban extends Base {
    @Parameters(index = "0", paramLabel = "JAIL")
    String jail;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IP")
    List<String> ips;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of(jail));
      args.addAll(ips);
      JsonNode r = connection.call("ban", args);
      return print(r, () -> out().println("banned " + r.asInt() + " address(es) in " + jail));
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
      JsonNode r = connection.call("unban", all ? List.of("--all") : ips);
      return print(r, () -> out().println("lifted " + r.asInt() + " ban(s)"));
    }
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
      JsonNode r = connection.call("banned", ip == null ? List.of() : List.of(ip));
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
                            "%-16s %-40s since %s until %s (%d failures, ban #%d)%n",
                            b.path("jail").asText(),
                            b.path("ip").asText(),
                            Instant.ofEpochSecond(b.path("time").asLong()),
                            b.path("end").isNull()
                                ? "for ever"
                                : Instant.ofEpochSecond(b.path("end").asLong()).toString(),
                            b.path("failures").asInt(),
                            b.path("bancount").asInt()));
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
      List<String> args = new ArrayList<>(List.of(jail, option));
      args.addAll(values);
      JsonNode r = connection.call("set", args);
      return print(
          r, () -> out().println(option + ": " + (r.isValueNode() ? r.asText() : r.toString())));
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
      JsonNode r = connection.call("get", List.of(jail, option));
      return print(
          r,
          () -> {
            if (r.isArray()) {
              r.forEach(
                  v ->
                      out()
                          .println(
                              v.isObject()
                                  ? v.path("ip").asText()
                                      + " until "
                                      + Instant.ofEpochSecond(v.path("until").asLong())
                                  : v.asText()));
            } else {
              out().println(r.asText());
            }
          });
    }
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
      JsonNode r = connection.call("reload", jail == null ? List.of() : List.of(jail));
      return print(
          r, () -> out().println("reloaded; jails running: " + String.join(", ", names(r))));
    }

    private static List<String> names(JsonNode r) {
      List<String> out = new ArrayList<>();
      r.forEach(n -> out.add(n.asText()));
      return out;
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
      JsonNode r = connection.call("stop", List.of());
      return print(r, () -> out().println("server " + r.asText()));
    }
  }

  @Command(
      name = "flushlogs",
      mixinStandardHelpOptions = true,
      description = "Reopens the log file (after logrotate).")
  static final class FlushLogs extends Base {
    @Override
    public Integer call() {
      JsonNode r = connection.call("flushlogs", List.of());
      return print(r, () -> out().println(r.asText()));
    }
  }
}
