package io.portcullis.action;

import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ipset + iptables dialect, for hosts without nftables: an ipset per jail and family ({@code
 * hash:net} with timeouts) and one rule per set in the raw table's PREROUTING chain (before
 * conntrack and before anybody's "established, accept" rule), added with {@code -w}. A batch is one
 * {@code ipset restore -exist}. Creating a set that exists keeps its elements.
 */
public final class IpsetBackend extends FirewallBackend {
  private static final String PREFIX = "portcullis-";

  public IpsetBackend(ProcessRunner commands, Clock clock, Consumer<String> log) {
    super(commands, clock, log, "ipset");
  }

  @Override
  public String name() {
    return "ipset";
  }

  /** ipset names hold at most 31 characters. */
  public static String setName(String jail, boolean v4) {
    String j = jail.replaceAll("[^A-Za-z0-9_]", "_");
    String suffix = v4 ? "-4" : "-6";
    int room = 31 - PREFIX.length() - suffix.length();
    return PREFIX + (j.length() > room ? j.substring(0, room) : j) + suffix;
  }

  @Override
  protected String setKey(String jail, boolean v4) {
    return setName(jail, v4);
  }

  @Override
  protected synchronized void create() throws IOException {
    StringBuilder s = new StringBuilder();
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        s.append("create ")
            .append(setName(j.jail(), v4))
            .append(" hash:net family ")
            .append(v4 ? "inet" : "inet6")
            .append(" timeout 0 maxelem 1048576\n");
      }
    }
    ipset(s.toString());
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        for (List<String> rule : rules(j, v4)) {
          String tool = v4 ? "iptables" : "ip6tables";
          List<String> check =
              new ArrayList<>(List.of(tool, "-w", "-t", "raw", "-C", "PREROUTING"));
          check.addAll(rule);
          if (!commands.run(check, null).ok()) {
            List<String> insert =
                new ArrayList<>(List.of(tool, "-w", "-t", "raw", "-I", "PREROUTING", "1"));
            insert.addAll(rule);
            ProcessRunner.Result r = commands.run(insert, null);
            if (!r.ok()) {
              throw new IOException(String.join(" ", insert) + " failed: " + r.output());
            }
          }
        }
      }
    }
  }

  /** The rule(s) that drop a jail's set: all traffic, or per protocol the jail's ports. */
  private static List<List<String>> rules(JailRule j, boolean v4) {
    List<String> match = List.of("-m", "set", "--match-set", setName(j.jail(), v4), "src");
    List<List<String>> out = new ArrayList<>();
    if (j.ports().isEmpty()) {
      List<String> r = new ArrayList<>(match);
      r.addAll(List.of("-j", "DROP"));
      out.add(r);
      return out;
    }
    String ports = String.join(",", j.ports().stream().map(Port::iptables).toList());
    for (Protocol proto : j.protocols()) {
      List<String> r = new ArrayList<>(List.of("-p", proto.tool()));
      r.addAll(match);
      r.addAll(List.of("-m", "multiport", "--dports", ports, "-j", "DROP"));
      out.add(r);
    }
    return out;
  }

  @Override
  protected void apply(List<Change> batch) throws IOException {
    StringBuilder s = new StringBuilder();
    for (Change c : batch) {
      if (c.op() == Op.FLUSH) {
        s.append("flush ").append(setName(c.jail(), true)).append('\n');
        s.append("flush ").append(setName(c.jail(), false)).append('\n');
        continue;
      }
      String set = setName(c.jail(), c.ip().isV4());
      if (c.add()) {
        // timeout 0 is "for ever" in ipset
        s.append("add ")
            .append(set)
            .append(' ')
            .append(c.ip())
            .append(" timeout ")
            .append(c.timeout() == null ? 0 : Math.max(1, c.timeout().getSeconds()))
            .append('\n');
      } else {
        s.append("del ").append(set).append(' ').append(c.ip()).append('\n');
      }
    }
    ipset(s.toString());
  }

  private void ipset(String script) throws IOException {
    runScript(List.of("ipset", "restore", "-exist"), script);
  }

  @Override
  protected Map<String, List<Element>> list() throws IOException {
    Map<String, List<Element>> out = new LinkedHashMap<>();
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        String set = setName(j.jail(), v4);
        ProcessRunner.Result r = commands.run(List.of("ipset", "list", set, "-o", "save"), null);
        if (!r.ok()) {
          return null;
        }
        out.put(set, elements(r.output()));
      }
    }
    return out;
  }

  /** The elements of {@code ipset list -o save} output: {@code add SET IP [timeout N]}. */
  static List<Element> elements(String save) {
    List<Element> els = new ArrayList<>();
    for (String line : save.split("\n")) {
      String[] f = line.split(" ");
      if (f.length >= 3 && f[0].equals("add")) {
        IpAddress ip = IpAddress.parseOrNull(f[2]);
        if (ip == null) {
          continue;
        }
        Duration left = null;
        for (int i = 3; i + 1 < f.length; i++) {
          if (f[i].equals("timeout")) {
            long t = Long.parseLong(f[i + 1]);
            left = t == 0 ? null : Duration.ofSeconds(t);
          }
        }
        els.add(new Element(ip, left));
      }
    }
    return els;
  }

  @Override
  public boolean inPlace() {
    try {
      for (JailRule j : jails.values()) {
        for (boolean v4 : new boolean[] {true, false}) {
          if (!commands.run(List.of("ipset", "list", setName(j.jail(), v4), "-name"), null).ok()) {
            return false;
          }
          for (List<String> rule : rules(j, v4)) {
            List<String> check =
                new ArrayList<>(
                    List.of(v4 ? "iptables" : "ip6tables", "-w", "-t", "raw", "-C", "PREROUTING"));
            check.addAll(rule);
            if (!commands.run(check, null).ok()) {
              return false;
            }
          }
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
