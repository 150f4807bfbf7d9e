package io.portcullis.web;

import io.portcullis.config.Durations;
import io.portcullis.control.CommandHandler;
import io.portcullis.control.JailControl;
import io.portcullis.control.Protocol;
import io.portcullis.control.ProtocolMapper;
import io.portcullis.control.ServerControl;
import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON API under {@code /api/v1}: the control socket's commands over HTTP. Every command goes
 * through the same {@link CommandHandler} as the socket, so both check the same and answer the same
 * records; an error is {@code {"error", "code"}} with the protocol's code (1 failed, 2 wrong
 * request) and an HTTP status that says the same.
 */
final class Api {
  static final String PREFIX = "/api/v1";

  /** The largest {@code limit} a list accepts. */
  static final int MAX_LIMIT = 10_000;

  /** The longest window {@code stats} covers, and the fewest seconds per step. */
  static final Duration MAX_WINDOW = Duration.ofDays(7);

  static final Duration MIN_STEP = Duration.ofSeconds(10);
  static final int MAX_STEPS = 1_000;

  private final ServerControl server;
  private final CommandHandler commands;

  Api(ServerControl server) {
    this.server = server;
    this.commands = new CommandHandler(server);
  }

  // ---- what the API answers besides the protocol's records

  /** A running jail and its decision settings (seconds; bantime -1: for ever). */
  record JailSummary(String name, long bantime, long findtime, long maxretry) {}

  /** A jail's decision settings (seconds; bantime -1: for ever). */
  record Settings(long bantime, long findtime, long maxretry) {}

  /**
   * {@code POST /bans}: addresses to ban in a jail; {@code force} bans even a network that would
   * cut everything or this host (as {@code ban --force}).
   */
  record BanRequest(String jail, List<String> ips, Boolean force) {}

  /** {@code PUT /jails/{jail}/settings}: durations as in jail.conf (600, 10m, -1), any subset. */
  record SettingsChange(String bantime, String findtime, Integer maxretry) {}

  /** {@code POST .../allowed}: an address and for how long (default: the jail's allowtime). */
  record AllowRequest(String ip, String duration) {}

  /** {@code POST .../ignore}: an address or network. */
  record IgnoreRequest(String ip) {}

  /** An error: the message for a person and the protocol's code. */
  record ApiError(String error, int code) {}

  /** A request the API refuses before any command runs, with its HTTP status. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final int code;

    Refused(int status, int code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  List<Route> routes() {
    String p = PREFIX;
    return List.of(
        Route.read("GET", p + "/status", c -> run(c, 409, "status")),
        Route.read("GET", p + "/jails", this::jails),
        Route.read("GET", p + "/jails/{jail}", c -> run(c, 409, "status", c.param("jail"))),
        Route.read("GET", p + "/jails/{jail}/settings", this::settings),
        Route.write("PUT", p + "/jails/{jail}/settings", this::changeSettings),
        Route.read(
            "GET",
            p + "/jails/{jail}/allowed",
            c -> run(c, 409, "get", c.param("jail"), "allowed")),
        Route.write("POST", p + "/jails/{jail}/allowed", this::allow),
        Route.write(
            "DELETE",
            p + "/jails/{jail}/allowed/{ip}",
            c -> {
              command(c, 404, "set", c.param("jail"), "delallow", c.param("ip"));
              return run(c, 409, "get", c.param("jail"), "allowed");
            }),
        Route.read(
            "GET",
            p + "/jails/{jail}/ignore",
            c -> run(c, 409, "get", c.param("jail"), "ignoreip")),
        Route.write("POST", p + "/jails/{jail}/ignore", this::ignore),
        Route.write(
            "DELETE",
            p + "/jails/{jail}/ignore/{ip}",
            c -> {
              command(c, 404, "set", c.param("jail"), "delignoreip", c.param("ip"));
              return run(c, 409, "get", c.param("jail"), "ignoreip");
            }),
        Route.read("GET", p + "/bans", this::bans),
        Route.write("POST", p + "/bans", this::ban),
        Route.write("DELETE", p + "/bans/{ip}", c -> run(c, 404, "unban", c.param("ip"))),
        Route.read("GET", p + "/why/{ip}", c -> run(c, 409, "why", c.param("ip"))),
        Route.read("GET", p + "/history", this::history),
        Route.read("GET", p + "/stats", this::stats));
  }

  // ---- reads

  private Answer jails(Call c) {
    List<JailSummary> out = new ArrayList<>();
    for (JailControl j : server.jails()) {
      JailControl.Values v = j.values();
      out.add(
          new JailSummary(
              j.name(),
              v.bantime().isNegative() ? -1 : v.bantime().getSeconds(),
              v.findtime().getSeconds(),
              v.maxretry()));
    }
    return Answer.ok(out);
  }

  private Answer settings(Call c) throws Refused {
    String jail = c.param("jail");
    return Answer.ok(
        new Settings(
            (Long) command(c, 409, "get", jail, "bantime"),
            (Long) command(c, 409, "get", jail, "findtime"),
            (Long) command(c, 409, "get", jail, "maxretry")));
  }

  private Answer bans(Call c) throws Exception {
    IpAddress ip = null;
    if (c.query("ip") != null) {
      ip = address(c.query("ip"));
    }
    String jail = c.query("jail");
    if (jail != null && server.jail(jail).isEmpty()) {
      command(c, 409, "status", jail); // the protocol's message for a jail that is not running
    }
    return Answer.ok(server.bans(ip, jail, limit(c, 1_000)));
  }

  private Answer history(Call c) throws Exception {
    long since = 0;
    if (c.query("since") != null) {
      try {
        since = Long.parseLong(c.query("since"));
      } catch (NumberFormatException e) {
        throw new Refused(
            400, 2, "since: '" + c.query("since") + "' is not a time (epoch seconds)");
      }
    }
    return Answer.ok(server.history(since, limit(c, 100)));
  }

  private Answer stats(Call c) throws Exception {
    Duration window = duration(c, "window", Duration.ofHours(1));
    Duration step = duration(c, "step", Duration.ofMinutes(1));
    if (window.compareTo(MAX_WINDOW) > 0 || window.compareTo(MIN_STEP) < 0) {
      throw new Refused(400, 2, "window: from 10s to 7d");
    }
    if (step.compareTo(MIN_STEP) < 0 || window.dividedBy(step) > MAX_STEPS) {
      throw new Refused(
          400, 2, "step: at least 10s, and at most " + MAX_STEPS + " steps in the window");
    }
    return Answer.ok(server.stats(window, step));
  }

  // ---- writes

  private Answer ban(Call c) throws Exception {
    BanRequest r = body(c, BanRequest.class);
    if (r.jail() == null || r.ips() == null || r.ips().isEmpty()) {
      throw new Refused(400, 2, "a ban needs {\"jail\": NAME, \"ips\": [ADDRESS, ...]}");
    }
    List<String> words = new ArrayList<>(List.of("ban"));
    if (Boolean.TRUE.equals(r.force())) {
      words.add("--force");
    }
    words.add(r.jail());
    words.addAll(r.ips());
    // the same Replies.BanResult the socket answers: count, stored, and each action's part
    return run(c, 409, words.toArray(String[]::new));
  }

  private Answer changeSettings(Call c) throws Exception {
    SettingsChange r = body(c, SettingsChange.class);
    String jail = c.param("jail");
    // every value is checked before the first is changed
    List<String[]> sets = new ArrayList<>();
    if (r.maxretry() != null) {
      sets.add(new String[] {"set", jail, "maxretry", r.maxretry().toString()});
    }
    if (r.findtime() != null) {
      checkDuration("findtime", r.findtime());
      sets.add(new String[] {"set", jail, "findtime", r.findtime()});
    }
    if (r.bantime() != null) {
      checkDuration("bantime", r.bantime());
      sets.add(new String[] {"set", jail, "bantime", r.bantime()});
    }
    if (sets.isEmpty()) {
      throw new Refused(400, 2, "give bantime, findtime or maxretry");
    }
    for (String[] s : sets) {
      command(c, 409, s);
    }
    return settings(c);
  }

  private Answer allow(Call c) throws Exception {
    AllowRequest r = body(c, AllowRequest.class);
    if (r.ip() == null) {
      throw new Refused(400, 2, "an allow needs {\"ip\": ADDRESS, \"duration\"?: DURATION}");
    }
    String jail = c.param("jail");
    if (r.duration() != null) {
      checkDuration("duration", r.duration());
      command(c, 409, "set", jail, "addallow", r.ip(), r.duration());
    } else {
      command(c, 409, "set", jail, "addallow", r.ip());
    }
    return run(c, 409, "get", jail, "allowed");
  }

  private Answer ignore(Call c) throws Exception {
    IgnoreRequest r = body(c, IgnoreRequest.class);
    if (r.ip() == null) {
      throw new Refused(400, 2, "give {\"ip\": ADDRESS or NETWORK}");
    }
    command(c, 409, "set", c.param("jail"), "addignoreip", r.ip());
    return run(c, 409, "get", c.param("jail"), "ignoreip");
  }

  // ---- helpers

  private Answer run(Call c, int failureStatus, String... args) throws Refused {
    return Answer.ok(command(c, failureStatus, args));
  }

  /**
   * Runs a control command; a failure (code 1) becomes {@code failureStatus}, a wrong request (code
   * 2) 400, or 404 when it names a jail that is not configured.
   */
  private Object command(Call c, int failureStatus, String... words) throws Refused {
    List<String> args = List.of(words).subList(1, words.length);
    try {
      return commands.handle(new Protocol.Request(words[0], args));
    } catch (Protocol.CommandException e) {
      if (e.code() == 1) {
        throw new Refused(failureStatus, 1, e.getMessage());
      }
      String jail = c.param("jail") != null ? c.param("jail") : c.query("jail");
      boolean unknownJail = jail != null && !server.configures(jail);
      throw new Refused(unknownJail ? 404 : 400, e.code(), e.getMessage());
    }
  }

  private static <T> T body(Call c, Class<T> type) throws Refused {
    try {
      T value = ProtocolMapper.JSON.readValue(c.body(), type);
      if (value == null) {
        throw new Refused(400, 2, "the request needs a JSON object");
      }
      return value;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new Refused(400, 2, "the request is not the JSON expected: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new Refused(400, 2, "the request cannot be read: " + e.getMessage());
    }
  }

  private static IpAddress address(String text) throws Refused {
    IpAddress ip = IpAddress.parseOrNull(text);
    if (ip == null) {
      throw new Refused(400, 2, "'" + text + "' is not an IP address");
    }
    return ip;
  }

  private static int limit(Call c, int dflt) throws Refused {
    String v = c.query("limit");
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > MAX_LIMIT) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Refused(400, 2, "limit: '" + v + "' is not a number from 1 to " + MAX_LIMIT);
    }
  }

  private static Duration duration(Call c, String name, Duration dflt) throws Refused {
    String v = c.query(name);
    if (v == null) {
      return dflt;
    }
    return checkDuration(name, v);
  }

  private static Duration checkDuration(String name, String v) throws Refused {
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, 2, name + ": " + e.getMessage());
    }
  }
}
