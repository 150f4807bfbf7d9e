package io.portcullis.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.config.ConfigException;
import io.portcullis.config.Durations;
import io.portcullis.config.JailsReader;
import io.portcullis.control.ControlServer;
import io.portcullis.control.Protocol;
import io.portcullis.control.Protocol.CommandException;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.JailSettings;
import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The server side of every control command. Jail state is only touched on the jail's thread. */
final class Commands implements ControlServer.Handler {
  private static final int FAILURE = 1;
  private static final int USAGE = 2;

  private final Server server;

  Commands(Server server) {
    this.server = server;
  }

  @Override
  public JsonNode handle(Protocol.Request r) throws CommandException {
    List<String> a = r.args();
    try {
      return switch (r.command()) {
        case "ping" -> Protocol.JSON.getNodeFactory().textNode("pong");
        case "status" -> a.isEmpty() ? status() : jailStatus(jail(a.get(0)));
        case "ban" -> ban(a);
        case "unban" -> unban(a);
        case "banned" -> banned(a);
        case "set" -> set(a);
        case "get" -> get(a);
        case "reload" -> {
          if (!a.isEmpty()
              && !server.jails.containsKey(a.get(0))
              && !server.broken.containsKey(a.get(0))
              && !jailInConfig(a.get(0))) {
            throw new CommandException("unknown jail '" + a.get(0) + "'", USAGE);
          }
          yield reload();
        }
        case "flushlogs" -> {
          server.log.reopen();
          yield Protocol.JSON.getNodeFactory().textNode("log reopened");
        }
        case "stop" -> {
          server.requestStop();
          yield Protocol.JSON.getNodeFactory().textNode("stopping");
        }
        default ->
            throw new CommandException(
                "unknown command '"
                    + r.command()
                    + "' (try ping, status, ban, unban, banned, set, get, reload, stop, flushlogs)",
                USAGE);
      };
    } catch (CommandException e) {
      throw e;
    } catch (Exception e) {
      throw new CommandException(e.getMessage() == null ? e.toString() : e.getMessage(), FAILURE);
    }
  }

  private JailRunner jail(String name) throws CommandException {
    JailRunner r = server.jails.get(name);
    if (r == null) {
      List<String> b = server.broken.get(name);
      if (b != null) {
        throw new CommandException(
            "jail '" + name + "' is not running: " + String.join("; ", b), FAILURE);
      }
      throw new CommandException(
          "unknown jail '" + name + "' (running: " + String.join(", ", server.jails.keySet()) + ")",
          USAGE);
    }
    return r;
  }

  private static IpAddress ip(String text) throws CommandException {
    IpAddress ip = IpAddress.parseOrNull(text);
    if (ip == null) {
      throw new CommandException("'" + text + "' is not an IP address", USAGE);
    }
    return ip;
  }

  private static void need(List<String> a, int n, String usage) throws CommandException {
    if (a.size() < n) {
      throw new CommandException("usage: " + usage, USAGE);
    }
  }

  private JsonNode status() {
    ObjectNode o = Protocol.JSON.createObjectNode();
    ArrayNode names = o.putArray("jails");
    server.jails.keySet().forEach(names::add);
    ObjectNode broken = o.putObject("broken");
    server.broken.forEach((k, v) -> v.forEach(broken.putArray(k)::add));
    o.put("bans", server.bans.size(null));
    ObjectNode firewall = o.putObject("firewall");
    server
        .firewallBackends()
        .forEach(fw -> firewall.putObject(fw.name()).put("applied", fw.applied()));
    o.put("started", server.startedAt().getEpochSecond());
    return o;
  }

  private JsonNode jailStatus(JailRunner r) throws Exception {
    Instant now = server.clock.instant();
    ObjectNode o = Protocol.JSON.createObjectNode();
    o.put("jail", r.name());
    o.put("filter", r.def.filter().name());
    ArrayNode files = o.putArray("files");
    if (r.tailer() != null) {
      r.tailer().files().forEach(p -> files.add(p.toString()));
    }
    Map<String, Integer> pending = r.await(() -> r.jail.pending(now));
    Map<IpAddress, Instant> allowed = r.await(() -> r.jail.allowed(now));
    List<IpAddress> ignore = r.await(r.jail::ignoreList);
    ObjectNode failures = o.putObject("failures");
    failures.put("current", pending.size());
    failures.put("total", r.failuresTotal.get());
    ObjectNode bans = o.putObject("bans");
    List<BanDecision> list = server.bans.list(r.name());
    bans.put("current", list.size());
    bans.put("total", r.bansTotal.get());
    ArrayNode ips = bans.putArray("list");
    list.forEach(b -> ips.add(b.fid()));
    ArrayNode allow = o.putArray("allowed");
    allowed.forEach(
        (ip, until) ->
            allow.addObject().put("ip", ip.toString()).put("until", until.getEpochSecond()));
    ArrayNode ign = o.putArray("ignoreip");
    ignore.forEach(i -> ign.add(i.toString()));
    ArrayNode actions = o.putArray("actions");
    r.actions.forEach(
        a -> {
          ObjectNode n = actions.addObject().put("name", a.name()).put("ok", a.lastError() == null);
          Boolean inPlace = a.inPlace();
          if (inPlace != null) {
            n.put("inPlace", inPlace);
          }
          if (a.lastError() != null) {
            n.put("error", a.lastError());
          }
        });
    if (server.firewallBackend() != null) {
      o.put("conntrack", server.firewallBackend().conntrack());
    }
    ArrayNode problems = o.putArray("problems");
    server.broken.getOrDefault(r.name() + " (actions)", List.of()).forEach(problems::add);
    if (r.tailer() != null) {
      r.tailer().warnings().forEach(problems::add);
    }
    o.put("lines", r.linesRead.get());
    return o;
  }

  private JsonNode ban(List<String> a) throws Exception {
    need(a, 2, "ban JAIL IP...");
    JailRunner r = jail(a.get(0));
    List<IpAddress> ips = new ArrayList<>();
    for (String s : a.subList(1, a.size())) {
      ips.add(ip(s));
    }
    int added =
        r.await(
            () -> {
              int n = 0;
              for (IpAddress ip : ips) {
                if (server.bans.get(r.name(), ip.toString()) == null) {
                  r.ban(
                      r.jail.manualBan(ip.toString(), ip, server.clock.instant()),
                      r.def.findtime());
                  n++;
                }
              }
              return n;
            });
    return Protocol.JSON.getNodeFactory().numberNode(added);
  }

  private JsonNode unban(List<String> a) throws Exception {
    need(a, 1, "unban IP... | unban --all");
    int removed = 0;
    if (a.get(0).equals("--all")) {
      for (JailRunner r : server.jails.values()) {
        removed +=
            r.await(
                () -> {
                  int n = 0;
                  for (BanDecision b : server.bans.list(r.name())) {
                    if (r.unban(b.fid(), "by command")) {
                      n++;
                    }
                  }
                  return n;
                });
      }
      return Protocol.JSON.getNodeFactory().numberNode(removed);
    }
    List<IpAddress> ips = new ArrayList<>();
    for (String s : a) {
      ips.add(ip(s));
    }
    for (JailRunner r : server.jails.values()) {
      removed +=
          r.await(
              () -> {
                int n = 0;
                for (IpAddress ip : ips) {
                  if (r.unban(ip.toString(), "by command")) {
                    n++;
                  }
                }
                return n;
              });
    }
    if (removed == 0) {
      throw new CommandException("not banned: " + String.join(" ", a), FAILURE);
    }
    return Protocol.JSON.getNodeFactory().numberNode(removed);
  }

  private JsonNode banned(List<String> a) throws CommandException {
    ArrayNode out = Protocol.JSON.createArrayNode();
    String only = a.isEmpty() ? null : ip(a.get(0)).toString();
    for (BanDecision b : server.bans.list(null)) {
      if (only != null && !b.fid().equals(only)) {
        continue;
      }
      ObjectNode n = out.addObject();
      n.put("jail", b.jail());
      n.put("ip", b.fid());
      n.put("time", b.time().getEpochSecond());
      if (b.end() == null) {
        n.putNull("end");
      } else {
        n.put("end", b.end().getEpochSecond());
      }
      n.put("failures", b.failures());
      n.put("bancount", b.count());
    }
    return out;
  }

  private JsonNode set(List<String> a) throws Exception {
    need(
        a, 3, "set JAIL addignoreip|delignoreip|addallow|delallow|bantime|findtime|maxretry VALUE");
    JailRunner r = jail(a.get(0));
    String option = a.get(1);
    String value = a.get(2);
    switch (option) {
      case "addignoreip" -> {
        IpAddress ip = ip(value);
        r.await(
            () -> {
              r.jail.addIgnore(ip);
              return null;
            });
      }
      case "delignoreip" -> {
        IpAddress ip = ip(value);
        if (!r.await(() -> r.jail.removeIgnore(ip))) {
          throw new CommandException(value + " is not on the ignore list of " + r.name(), FAILURE);
        }
      }
      case "addallow" -> {
        IpAddress ip = ip(value);
        Duration d = a.size() > 3 ? duration(a.get(3)) : r.def.allowtime();
        Instant until = server.clock.instant().plus(d);
        r.await(
            () -> {
              r.jail.allowUntil(ip, until);
              r.storeAllow(ip, until);
              return null;
            });
        server.log.notice(
            "[" + r.name() + "] Allow " + ip + " for " + Durations.format(d) + " (by command)");
      }
      case "delallow" -> {
        IpAddress ip = ip(value);
        if (!r.await(() -> r.jail.disallow(ip))) {
          throw new CommandException(value + " is not allowed in " + r.name(), FAILURE);
        }
        r.storeDisallow(ip);
      }
      case "bantime", "findtime", "maxretry" -> {
        JailSettings s = r.jail.settings();
        JailSettings next =
            switch (option) {
              case "bantime" ->
                  new JailSettings(
                      s.name(),
                      s.maxretry(),
                      s.findtime(),
                      duration(value),
                      s.maxmatches(),
                      s.increment(),
                      s.allowtime(),
                      s.ignoreip());
              case "findtime" ->
                  new JailSettings(
                      s.name(),
                      s.maxretry(),
                      positive(duration(value), option),
                      s.bantime(),
                      s.maxmatches(),
                      s.increment(),
                      s.allowtime(),
                      s.ignoreip());
              default ->
                  new JailSettings(
                      s.name(),
                      number(value),
                      s.findtime(),
                      s.bantime(),
                      s.maxmatches(),
                      s.increment(),
                      s.allowtime(),
                      s.ignoreip());
            };
        r.await(
            () -> {
              r.jail.update(next);
              return null;
            });
      }
      default ->
          throw new CommandException(
              "cannot set '"
                  + option
                  + "' (try addignoreip, delignoreip, addallow, delallow, bantime, findtime, maxretry)",
              USAGE);
    }
    return get(
        List.of(
            a.get(0),
            option
                .replace("add", "")
                .replace("del", "")
                .replace("ignoreip", "ignoreip")
                .replace("allow", "allowed")));
  }

  private JsonNode get(List<String> a) throws Exception {
    need(a, 2, "get JAIL bantime|findtime|maxretry|ignoreip|allowed|logpath|actions");
    JailRunner r = jail(a.get(0));
    JailSettings s = r.jail.settings();
    var f = Protocol.JSON.getNodeFactory();
    return switch (a.get(1)) {
      case "bantime" -> f.numberNode(s.bantime().isNegative() ? -1 : s.bantime().getSeconds());
      case "findtime" -> f.numberNode(s.findtime().getSeconds());
      case "maxretry" -> f.numberNode(s.maxretry());
      case "ignoreip" -> {
        ArrayNode n = f.arrayNode();
        r.await(r.jail::ignoreList).forEach(i -> n.add(i.toString()));
        yield n;
      }
      case "allowed", "allow" -> {
        ArrayNode n = f.arrayNode();
        Instant now = server.clock.instant();
        r.await(() -> r.jail.allowed(now))
            .forEach(
                (ip, until) ->
                    n.addObject().put("ip", ip.toString()).put("until", until.getEpochSecond()));
        yield n;
      }
      case "logpath" -> {
        ArrayNode n = f.arrayNode();
        r.def.logpaths().forEach(n::add);
        yield n;
      }
      case "actions" -> {
        ArrayNode n = f.arrayNode();
        r.actions.forEach(x -> n.add(x.name()));
        yield n;
      }
      default ->
          throw new CommandException(
              "unknown option '"
                  + a.get(1)
                  + "' (try bantime, findtime, maxretry, ignoreip, allowed, logpath, actions)",
              USAGE);
    };
  }

  private boolean jailInConfig(String name) {
    try {
      JailsReader.readJail(server.configDir, name);
      return true;
    } catch (ConfigException e) {
      return !e.getMessage().startsWith("no jail '");
    }
  }

  private JsonNode reload() throws CommandException {
    try {
      ArrayNode out = Protocol.JSON.createArrayNode();
      server.reload().forEach(out::add);
      return out;
    } catch (ConfigException e) {
      throw new CommandException(
          "config has problems, nothing reloaded:\n" + e.getMessage(), USAGE);
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
