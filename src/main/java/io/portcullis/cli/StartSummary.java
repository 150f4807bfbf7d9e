package io.portcullis.cli;

import io.portcullis.action.IpsetBackend;
import io.portcullis.action.NftablesBackend;
import io.portcullis.config.ServerSettings;
import io.portcullis.control.JailControl;
import io.portcullis.control.Replies;
import io.portcullis.control.ServerControl;
import io.portcullis.plan.Host;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code portcullis server} prints once, to a terminal, when it is ready: the jails and what
 * they read (files that do not exist yet said so), the firewall and its sets, the control socket,
 * where the log goes. After that the log speaks, not the terminal.
 */
final class StartSummary {
  private StartSummary() {}

  static List<String> lines(
      Path configDir,
      ServerSettings settings,
      ServerControl server,
      List<java.net.InetSocketAddress> http,
      Host host) {
    List<String> out = new ArrayList<>();
    Replies.ServerStatus status = server.status();
    out.add(
        "portcullis: ready with "
            + configDir
            + ": "
            + status.jails().size()
            + " jail(s) running"
            + (status.broken().isEmpty() ? "" : ", " + status.broken().size() + " not"));
    List<String> firewalled = new ArrayList<>();
    for (JailControl j : server.jails()) {
      Optional<Replies.JailStatus> s = jailStatus(j);
      out.add("  jail " + j.name() + ": " + reads(j, s.orElse(null), host));
      if (s.isPresent() && s.get().actions().stream().anyMatch(a -> a.name().equals("firewall"))) {
        firewalled.add(j.name());
      }
    }
    status
        .broken()
        .forEach(
            (name, problems) ->
                problems.forEach(p -> out.add("  jail " + name + " NOT RUNNING: " + p)));
    out.addAll(firewall(status.firewall(), firewalled));
    out.add("  control socket: " + settings.socket() + " (portcullis status, ban, unban ...)");
    out.add(
        http.isEmpty()
            ? "  HTTP: off ([http] listen in portcullis.conf turns on the API, /metrics and the"
                + " dashboard)"
            : "  HTTP: "
                + http.stream()
                    .map(StartSummary::url)
                    .collect(java.util.stream.Collectors.joining(" "))
                + " (dashboard, /api/v1, /metrics)");
    String log = settings.logtarget();
    out.add(
        log.equals("STDERR") || log.equals("STDOUT")
            ? "  log: here (" + log.toLowerCase(java.util.Locale.ROOT) + ")"
            : "  log: " + log + "; nothing more is said here");
    return out;
  }

  private static String url(java.net.InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return "http://"
        + (host.contains(":") ? "[" + host.replaceFirst("%.*$", "") + "]" : host)
        + ":"
        + a.getPort()
        + "/";
  }

  private static Optional<Replies.JailStatus> jailStatus(JailControl j) {
    try {
      return Optional.of(j.status());
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** The files (each glob said when nothing matches it yet), or the journal and why. */
  private static String reads(JailControl j, Replies.JailStatus s, Host host) {
    List<String> globs = j.logpaths();
    if (globs.isEmpty()) {
      return s == null ? "the journal" : s.source();
    }
    List<String> parts = new ArrayList<>();
    for (String glob : globs) {
      parts.add(host.anyFile(glob) ? glob : glob + " (not there yet: followed once it appears)");
    }
    return String.join(", ", parts);
  }

  private static List<String> firewall(
      Map<String, Replies.FirewallStatus> backends, List<String> jails) {
    List<String> out = new ArrayList<>();
    if (backends.isEmpty()) {
      out.add("  firewall: none (no jail has the firewall action)");
      return out;
    }
    for (Map.Entry<String, Replies.FirewallStatus> b : backends.entrySet()) {
      String error = b.getValue().error();
      List<String> sets = new ArrayList<>();
      if (backends.size() == 1) {
        for (String jail : jails) {
          for (boolean v4 : new boolean[] {true, false}) {
            sets.add(
                b.getKey().equals("ipset")
                    ? IpsetBackend.setName(jail, v4)
                    : NftablesBackend.setName(jail, v4));
          }
        }
      }
      out.add(
          "  firewall: "
              + b.getKey()
              + (b.getKey().equals("nftables") ? " (table inet " + NftablesBackend.TABLE + ")" : "")
              + (sets.isEmpty() ? "" : ", sets " + String.join(" ", sets))
              + (error == null ? "" : "; NOT IN PLACE: " + error));
    }
    return out;
  }
}
