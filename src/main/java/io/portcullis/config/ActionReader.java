package io.portcullis.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a fail2ban action.d file: the [Definition] commands and the [Init] parameters (also the
 * conditional {@code [Init?family=inet6]}), with the jail's options and the action's own {@code
 * name[opt=value]} options as variables. Tags ({@code <ip>}, {@code <port>} ...) are left for the
 * action to fill at run time.
 */
public final class ActionReader {
  private ActionReader() {}

  /**
   * Every option of the action, [Init] and conditional ones included, interpolated; options of
   * other sections as {@code section/option} (for tags like {@code <ipt_<type>/_chain_rule>}).
   * {@code name} is the jail's unless the action line gives one, as in fail2ban.
   */
  public static Map<String, String> read(
      Path configDir,
      String name,
      Map<String, String> options,
      Map<String, String> jailVars,
      String jail) {
    Map<String, String> withName = new LinkedHashMap<>(options);
    withName.putIfAbsent("name", jail);
    return read(configDir, name, withName, jailVars);
  }

  /** Every option of the action, [Init] and conditional ones included, interpolated. */
  public static Map<String, String> read(
      Path configDir, String name, Map<String, String> options, Map<String, String> jailVars) {
    Path base = configDir.resolve("action.d");
    if (!Files.isRegularFile(base.resolve(name + ".conf"))
        && !Files.isRegularFile(base.resolve(name + ".local"))) {
      throw new ConfigException(
          "action '" + name + "' not found: no " + base.resolve(name + ".conf") + " or .local");
    }
    IniConfig ini = IniConfig.load(base, name);
    if (!ini.hasSection("Definition")) {
      throw new ConfigException(
          "action '" + name + "' has no [Definition] section (read " + ini.files() + ")");
    }
    Map<String, String> vars = new LinkedHashMap<>();
    jailVars.forEach((k, v) -> vars.put(k.toLowerCase(Locale.ROOT), v));
    options.forEach((k, v) -> vars.put(k.toLowerCase(Locale.ROOT), v));
    // the file's own values ([Init], then [Definition]), each read without the override of its
    // own name so that they stay reachable as <known/name> (jail.conf: chain="<known/chain>")
    Map<String, String> own = new LinkedHashMap<>();
    if (ini.hasSection("Init")) {
      for (String opt : ini.options("Init", false)) {
        own.put(opt, ini.get("Init", opt, without(vars, opt)).orElse(""));
      }
    }
    for (String opt : ini.options("Definition", true)) {
      try {
        own.putIfAbsent(opt, ini.get("Definition", opt, without(vars, opt)).orElse(""));
      } catch (ConfigException unusedUnlessReferenced) {
        // only matters if a command uses it; the command then keeps the tag and fails loudly
      }
    }
    Map<String, String> props = new LinkedHashMap<>();
    // jail options first (port, protocol, chain ... as fail2ban passes them), then the file's own
    props.putAll(vars);
    own.forEach(
        (k, v) -> {
          if (!options.containsKey(k)) {
            props.put(k, v);
          }
          props.put("known/" + k, v);
        });
    for (String section : ini.sectionNames()) {
      if (section.equals("Definition")
          || section.equals("Init")
          || section.equals("INCLUDES")
          || section.startsWith("KNOWN/")) {
        continue;
      }
      for (String opt : ini.options(section, false)) {
        try {
          ini.get(section, opt, vars).ifPresent(v -> props.put(section + "/" + opt, v));
        } catch (ConfigException unusedUnlessReferenced) {
          // as above
        }
      }
    }
    props.putAll(options);
    props.putIfAbsent("actname", name);
    return props;
  }

  private static Map<String, String> without(Map<String, String> vars, String key) {
    if (!vars.containsKey(key)) {
      return vars;
    }
    Map<String, String> copy = new LinkedHashMap<>(vars);
    copy.remove(key);
    return copy;
  }
}
