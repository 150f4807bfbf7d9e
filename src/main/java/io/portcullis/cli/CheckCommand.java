package io.portcullis.cli;

import io.portcullis.config.ConfigException;
import io.portcullis.config.Durations;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.config.ServerSettings;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterException;
import io.portcullis.filter.FilterSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis check}: validates a config dir and prints every problem with file:line. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Reads a config dir as the server would and reports every problem (exit 2 if any).")
final class CheckCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "DIR",
      description =
          "Config dir (default: /etc/portcullis, or the shipped config when run from a checkout).")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = config != null ? config : ConfigDirs.defaultDir();
    List<String> problems = new ArrayList<>();
    try {
      ServerSettings s = ServerSettings.read(dir);
      out.printf(
          "server: socket %s, database %s, log %s (%s)%n",
          s.socket(),
          s.dbfile() == null ? "none (bans are not kept)" : s.dbfile(),
          s.logtarget(),
          s.loglevel());
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
    JailsReader.Jails jails;
    try {
      jails = JailsReader.read(dir);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    for (JailDefinition j : jails.enabled()) {
      try {
        Filter.builder(FilterSpec.of(j.filter(), !j.usedns().equals("no"))).build();
        out.printf(
            "jail %-20s enabled: filter %s, %s, maxretry %d in %s, bantime %s%s, %d action(s)%n",
            j.name(),
            j.filter().name(),
            j.backend().startsWith("systemd") ? "journal" : String.join(" ", j.logpaths()),
            j.maxretry(),
            Durations.format(j.findtime()),
            Durations.format(j.bantime()),
            j.increment().enabled() ? " (increasing)" : "",
            j.actions().size());
      } catch (FilterException e) {
        problems.add(
            "jail '" + j.name() + "': filter " + j.filter().name() + ": " + e.getMessage());
      }
    }
    jails
        .broken()
        .forEach(
            (name, list) ->
                list.forEach(p -> problems.add("jail '" + name + "': " + p.getMessage())));
    out.printf(
        "%d jail(s) enabled, %d disabled, %d broken%n",
        jails.enabled().size()
            - (int)
                problems.stream()
                    .filter(p -> p.startsWith("jail '") && p.contains(": filter "))
                    .count(),
        jails.disabled().size(),
        jails.broken().size());
    for (String p : problems) {
      err.println("error: " + p);
    }
    return problems.isEmpty() ? Main.OK : Main.USAGE;
  }
}
