package io.portcullis.migrate;

import io.portcullis.config.ConfigException;
import io.portcullis.config.IniConfig;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.config.OptionList;
import io.portcullis.config.ServerSettings;
import io.portcullis.plan.ActionKinds;
import io.portcullis.plan.Assembler;
import io.portcullis.plan.Assembly;
import io.portcullis.plan.JailPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What changes when Portcullis runs a fail2ban config dir as it is ({@code portcullis server
 * --config /etc/fail2ban}): jails it would not start and why, actions it would not run or runs
 * differently, and server settings it does not use. The jails are planned by the same {@link
 * Assembler} as the server's, so this says what the server would do.
 */
public final class Fail2banConfigCheck {
  /** fail2ban.conf settings the server reads. */
  private static final Set<String> SERVER_SETTINGS_READ =
      Set.of("loglevel", "logtarget", "socket", "pidfile", "dbfile", "dbpurgeage");

  private Fail2banConfigCheck() {}

  /** What kind of difference. */
  public enum Kind {
    /** The jail does not run at all. */
    JAIL_NOT_STARTED,
    /** The jail runs without this action. */
    ACTION_NOT_RUN,
    /** The jail runs, the action does something other than fail2ban's file of that name. */
    ACTION_RUN_DIFFERENTLY,
    /** A server setting that Portcullis reads differently or not at all. */
    SERVER_SETTING,
    /** Worth knowing about a jail that runs (what the planner noted). */
    NOTE,
    /** Not a difference: a better way Portcullis offers. */
    HINT
  }

  /**
   * One difference.
   *
   * @param jail the jail, or null for the server's settings
   */
  public record Difference(String jail, Kind kind, String detail) {}

  /**
   * A jail that starts.
   *
   * @param reads what it follows (files or the journal) and why
   */
  public record Started(String jail, String reads) {}

  /**
   * @param started jails that start, in config order
   * @param disabled jails not enabled (in either)
   */
  public record Report(List<Started> started, List<String> disabled, List<Difference> differences) {
    public Report {
      started = List.copyOf(started);
      disabled = List.copyOf(disabled);
      differences = List.copyOf(differences);
    }
  }

  /** Plans a fail2ban config dir as the server on this machine would and lists what differs. */
  public static Report check(Path configDir) {
    return check(configDir, Assembler.forThisHost(), ActionKinds.builtIn());
  }

  /** The same with the planner and action kinds given (those the server was started with). */
  public static Report check(Path configDir, Assembler assembler, ActionKinds kinds) {
    List<Difference> out = new ArrayList<>();
    serverSettings(configDir, out);
    Assembly assembly = assembler.assemble(configDir);
    Map<String, JailDefinition> definitions =
        JailsReader.read(configDir).enabled().stream()
            .collect(Collectors.toMap(JailDefinition::name, Function.identity()));
    assembly
        .broken()
        .forEach(
            (name, problems) ->
                problems.forEach(
                    p -> out.add(new Difference(name, Kind.JAIL_NOT_STARTED, p.getMessage()))));
    List<Started> started = new ArrayList<>();
    Set<String> hinted = new HashSet<>();
    for (JailPlan p : assembly.plans()) {
      started.add(new Started(p.name(), p.source().describe()));
      for (ConfigException e : p.actionProblems()) {
        out.add(new Difference(p.name(), Kind.ACTION_NOT_RUN, e.getMessage()));
      }
      JailDefinition d = definitions.get(p.name());
      if (d != null) {
        for (OptionList a : d.actions()) {
          action(configDir, p.name(), a.name(), kinds, out, hinted);
        }
      }
      p.notes().forEach(n -> out.add(new Difference(p.name(), Kind.NOTE, n)));
    }
    return new Report(started, assembly.disabled(), out);
  }

  private static void serverSettings(Path configDir, List<Difference> out) {
    ServerSettings.fail2banDbfile(configDir)
        .ifPresent(
            theirs ->
                out.add(
                    new Difference(
                        null,
                        Kind.SERVER_SETTING,
                        "dbfile "
                            + theirs
                            + ": Portcullis keeps its own store "
                            + ServerSettings.read(configDir).dbfile()
                            + " and never writes fail2ban's")));
    if (!Files.isRegularFile(configDir.resolve("fail2ban.conf"))
        || Files.isRegularFile(configDir.resolve("portcullis.conf"))) {
      return;
    }
    IniConfig conf = IniConfig.load(configDir, "fail2ban");
    if (!conf.hasSection("Definition")) {
      return;
    }
    conf.get("Definition", "socket")
        .map(String::strip)
        .ifPresent(
            socket ->
                out.add(
                    new Difference(
                        null,
                        Kind.SERVER_SETTING,
                        "socket "
                            + socket
                            + ": Portcullis listens there with its own protocol: use"
                            + " 'portcullis status', 'portcullis ban' ... instead of"
                            + " fail2ban-client, and stop fail2ban first")));
    conf.get("Definition", "logtarget")
        .map(String::strip)
        .filter(t -> t.startsWith("/"))
        .ifPresent(
            file ->
                out.add(
                    new Difference(
                        null,
                        Kind.SERVER_SETTING,
                        "logtarget "
                            + file
                            + ": Portcullis writes its own log there, in its own line format")));
    for (String option : conf.options("Definition", false)) {
      if (!SERVER_SETTINGS_READ.contains(option)) {
        out.add(new Difference(null, Kind.SERVER_SETTING, option + ": not used by Portcullis"));
      }
    }
  }

  /** What an action line means in Portcullis next to what it means in fail2ban. */
  private static void action(
      Path configDir,
      String jail,
      String name,
      ActionKinds kinds,
      List<Difference> out,
      Set<String> hinted) {
    Path actionD = configDir.resolve("action.d");
    boolean builtIn = kinds.of(name).name().equals(name);
    if (builtIn) {
      if (Files.isRegularFile(actionD.resolve(name + ".conf"))
          || Files.isRegularFile(actionD.resolve(name + ".local"))) {
        out.add(
            new Difference(
                jail,
                Kind.ACTION_RUN_DIFFERENTLY,
                "action '"
                    + name
                    + "': fail2ban runs action.d/"
                    + name
                    + ".conf; Portcullis runs its own '"
                    + name
                    + "' action instead (see portcullis.conf(5), action)"));
      }
    } else if (name.endsWith(".py")) {
      out.add(
          new Difference(
              jail,
              Kind.HINT,
              "action '"
                  + name
                  + "' is Python code, which Portcullis does not run; for mail, its own 'mail'"
                  + " action"));
    } else if ((name.startsWith("nftables")
            || name.startsWith("iptables")
            || name.startsWith("ipset"))
        && hinted.add(name)) {
      out.add(
          new Difference(
              jail,
              Kind.HINT,
              "action '"
                  + name
                  + "' runs as in fail2ban, one command per ban; Portcullis' own 'firewall'"
                  + " action keeps the bans in an nftables set, many bans per change"));
    }
  }
}
