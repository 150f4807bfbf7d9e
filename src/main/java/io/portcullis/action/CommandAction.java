package io.portcullis.action;

import io.portcullis.jail.BanDecision;
import io.portcullis.process.ProcessRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fail2ban action.d file run as it is: its commands go to {@code /bin/sh -c} with the tags filled
 * in.
 *
 * <p>Safety: the address is passed in its canonical form (hex digits, dots, colons); numbers as
 * numbers. Everything else taken from a log line ({@code <matches>}, {@code <F-USER>} ...) is never
 * put into the command's text: the tag becomes a reference to an environment variable ({@code
 * "${PORTCULLIS_MATCHES}"}) that holds the value. A shell does not re-read the result of an
 * expansion as code, so {@code $(...)}, backquotes or {@code ;} in a user name stay text whatever
 * quotes the template puts around the tag.
 */
public final class CommandAction implements Action {
  private static final Pattern TAG = Pattern.compile("<([^ <>]+)>");

  /** One command at a time across all command actions: iptables and friends race otherwise. */
  private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

  private static final int MAX_DEPTH = 25;

  private final String name;
  private final String jail;
  private final Map<String, String> props;
  private final List<String> prefix;
  private final Consumer<String> log;
  private final Duration timeout;
  private final Set<String> started = new HashSet<>();

  /**
   * @param prefix runs the commands inside something, e.g. {@code ip netns exec NAME}
   */
  public CommandAction(
      String name,
      String jail,
      Map<String, String> props,
      List<String> prefix,
      Consumer<String> log) {
    this.name = name;
    this.jail = jail;
    this.props = new LinkedHashMap<>(props);
    this.props.putIfAbsent("name", jail);
    this.prefix = List.copyOf(prefix);
    this.log = log;
    this.timeout = timeoutOf(this.props);
  }

  /**
   * The action's {@code timeout} (fail2ban's, default 60 s).
   *
   * @throws IllegalArgumentException when it is not a positive duration
   */
  public static Duration timeoutOf(Map<String, String> props) {
    String t = props.getOrDefault("timeout", "60");
    Duration d;
    try {
      d = io.portcullis.config.Durations.parse(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("timeout: " + e.getMessage());
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("timeout: '" + t + "' is not positive (try 60, 2m)");
    }
    return d;
  }

  @Override
  public String name() {
    return name;
  }

  /** Whether restored bans are skipped (fail2ban's norestored, e.g. for mail actions). */
  boolean norestored() {
    String v = props.getOrDefault("norestored", "");
    return v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes");
  }

  @Override
  public void start() throws IOException {
    String onDemand = props.getOrDefault("actionstart_on_demand", "false");
    if (!onDemand.equalsIgnoreCase("true") && !onDemand.equals("1")) {
      ensureStarted("inet4");
    }
  }

  private void ensureStarted(String family) throws IOException {
    String cmd = command("actionstart", family);
    // fail2ban starts once per family only when the commands differ between families
    String key =
        cmd.contains("<family>")
                || !command("actionstart", "inet4").equals(command("actionstart", "inet6"))
            ? family
            : "any";
    if (started.add(key)) {
      execute("actionstart", family, null);
    }
  }

  /**
   * Lifts the bans with {@code actionflush} if the file has one (as fail2ban does when a jail
   * stops; they are put back at the next start), then runs {@code actionstop}.
   */
  @Override
  public void stop() throws IOException {
    if (!started.isEmpty()) {
      try {
        flush();
      } catch (IOException e) {
        log.accept("[" + jail + "] action '" + name + "': " + e.getMessage() + " at stop");
      }
    }
    for (String family : List.of("inet4", "inet6")) {
      if (started.remove(family) || (family.equals("inet4") && started.remove("any"))) {
        execute("actionstop", family, null);
      }
    }
  }

  @Override
  public boolean check() throws IOException {
    return execute("actioncheck", "inet4", null);
  }

  @Override
  public void ban(BanDecision b) throws IOException {
    String family = family(b);
    ensureStarted(family);
    if (!command("actioncheck", family).isBlank() && !execute("actioncheck", family, b)) {
      log.accept("[" + jail + "] action '" + name + "': actioncheck failed, repairing");
      if (!command("actionrepair", family).isBlank()) {
        execute("actionrepair", family, b);
      } else {
        execute("actionstart", family, b);
      }
    }
    if (!execute("actionban", family, b)) {
      throw new IOException("actionban failed for " + b.fid());
    }
  }

  @Override
  public void restore(BanDecision b) throws IOException {
    if (!norestored()) {
      ban(b);
    }
  }

  @Override
  public void unban(BanDecision b) throws IOException {
    String family = family(b);
    ensureStarted(family);
    if (!execute("actionunban", family, b)) {
      throw new IOException("actionunban failed for " + b.fid());
    }
  }

  /**
   * fail2ban's {@code actionflush}: false when the file has none (the bans are then lifted one by
   * one, as fail2ban does).
   */
  @Override
  public boolean flush() throws IOException {
    if (command("actionflush", "inet4").isBlank()) {
      return false;
    }
    if (!execute("actionflush", "inet4", null)) {
      throw new IOException("actionflush failed");
    }
    return true;
  }

  private static String family(BanDecision b) {
    return b.ip() != null && !b.ip().isV4() ? "inet6" : "inet4";
  }

  /** A command's template for a family ([Init?family=inet6] values win for inet6). */
  private String command(String option, String family) {
    String v = props.get(option + "?family=" + family);
    return v != null ? v : props.getOrDefault(option, "");
  }

  /** Runs one command; true on exit 0 (an empty command is a success). */
  private boolean execute(String option, String family, BanDecision b) throws IOException {
    String template = command(option, family);
    if (template.isBlank()) {
      return true;
    }
    Map<String, String> env = new HashMap<>();
    String script = render(template, family, b, env);
    ONE_AT_A_TIME.lock();
    try {
      ProcessRunner.Result r =
          new ProcessRunner(prefix, timeout).run(List.of("/bin/sh", "-c", script), null, env);
      if (!r.ok()) {
        log.accept(
            "["
                + jail
                + "] action '"
                + name
                + "' "
                + option
                + " exited "
                + r.exit()
                + ": "
                + r.output());
      }
      return r.ok();
    } finally {
      ONE_AT_A_TIME.unlock();
    }
  }

  /** Fills the tags of a command: static ones from the properties, per-ban ones safely. */
  String render(String template, String family, BanDecision b, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    for (Map.Entry<String, String> e : props.entrySet()) {
      String k = e.getKey();
      int q = k.indexOf('?');
      if (q < 0) {
        values.putIfAbsent(k, e.getValue());
      } else if (k.substring(q).equals("?family=" + family)) {
        values.put(k.substring(0, q), e.getValue());
      }
    }
    values.put("family", family);
    if (b != null) {
      // the address in canonical form holds only [0-9a-f.:/]: safe in a shell word
      String ip = b.ip() != null ? b.ip().toString() : null;
      if (ip != null) {
        values.put("ip", ip);
        values.put("ip-rev", reverse(b));
      }
      values.put("failures", Integer.toString(b.failures()));
      values.put("bancount", Integer.toString(b.count()));
      values.put(
          "bantime", Long.toString(b.bantime().isNegative() ? -1 : b.bantime().getSeconds()));
      values.put("time", Long.toString(b.time().getEpochSecond()));
      untrusted(values, env, "fid", ip != null && ip.equals(b.fid()) ? null : b.fid());
      String matches = String.join("\n", b.matches());
      untrusted(values, env, "matches", matches);
      untrusted(values, env, "ipmatches", matches);
      untrusted(values, env, "ipjailmatches", matches);
      if (ip != null && ip.equals(b.fid())) {
        values.put("fid", ip);
      }
      for (Map.Entry<String, String> d : b.data().entrySet()) {
        String tag = "F-" + d.getKey().toUpperCase(java.util.Locale.ROOT);
        String var =
            "PORTCULLIS_F_"
                + d.getKey().toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        env.put(var, d.getValue());
        values.put(tag, "${" + var + "}");
      }
    }
    String out = template;
    for (int depth = 0; depth < MAX_DEPTH; depth++) {
      Matcher m = TAG.matcher(out);
      StringBuilder sb = new StringBuilder();
      boolean changed = false;
      while (m.find()) {
        String v = values.get(m.group(1));
        if (v == null && m.group(1).startsWith("F-")) {
          v = "";
        }
        if (v == null) {
          m.appendReplacement(sb, Matcher.quoteReplacement(m.group()));
        } else {
          m.appendReplacement(sb, Matcher.quoteReplacement(v));
          changed = true;
        }
      }
      m.appendTail(sb);
      out = sb.toString();
      if (!changed) {
        break;
      }
    }
    return out;
  }

  /** Binds a log-derived value to an environment variable and the tag to a reference to it. */
  private static void untrusted(
      Map<String, String> values, Map<String, String> env, String tag, String value) {
    if (value == null) {
      return;
    }
    String var = "PORTCULLIS_" + tag.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    env.put(var, value);
    values.put(tag, "${" + var + "}");
  }

  private static String reverse(BanDecision b) {
    String ip = b.ip().toString();
    if (b.ip().isV4()) {
      String[] p = ip.split("\\.");
      return p[3] + "." + p[2] + "." + p[1] + "." + p[0] + ".";
    }
    return ip;
  }
}
