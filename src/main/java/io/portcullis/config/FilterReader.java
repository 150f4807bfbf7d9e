package io.portcullis.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a filter.d definition the way fail2ban does: options of [Definition] are interpolated with
 * the caller's options taking precedence (a jail's {@code filter = name[mode=aggressive]}), the
 * [Init] section supplies further defaults (also as {@code known/name}), and then {@code <tag>}
 * references are substituted across all of them.
 */
public final class FilterReader {
  private static final String DEFINITION = "Definition";
  private static final String INIT = "Init";
  private static final List<String> OPTIONS =
      List.of(
          "usedns",
          "prefregex",
          "ignoreregex",
          "failregex",
          "successregex",
          "maxlines",
          "datepattern",
          "journalmatch",
          "logtimezone",
          "jsonline");
  private static final Pattern CONDITIONAL = Pattern.compile("^(\\w+)(\\?.+)$");

  private FilterReader() {}

  /** Reads {@code configDir/filter.d/NAME} (.conf, .local, .d/) with the given options. */
  public static FilterDefinition read(Path configDir, String name, Map<String, String> options) {
    return read(configDir, name, options, Map.of(), null);
  }

  /**
   * Reads a filter for a jail: the jail's options are variables for the filter's interpolation (the
   * filter's own {@code name[opts]} options win over them), and {@code logtype} follows the jail's
   * backend unless the filter or its options set it.
   */
  public static FilterDefinition read(
      Path configDir,
      String name,
      Map<String, String> options,
      Map<String, String> jailVars,
      String backend) {
    Path base = configDir.resolve("filter.d");
    if (!Files.isRegularFile(base.resolve(name + ".conf"))
        && !Files.isRegularFile(base.resolve(name + ".local"))) {
      throw new ConfigException(
          "filter '" + name + "' not found: no " + base.resolve(name + ".conf") + " or .local");
    }
    IniConfig ini = IniConfig.load(base, name);
    Map<String, String> merged = new java.util.LinkedHashMap<>();
    jailVars.forEach((k, v) -> merged.put(k.toLowerCase(Locale.ROOT), v));
    for (String o : OPTIONS) {
      merged.remove(o);
    }
    options.forEach((k, v) -> merged.put(k.toLowerCase(Locale.ROOT), v));
    // as fail2ban: unless the filter's own options or [Definition] say, the backend decides
    if (backend != null
        && !options.containsKey("logtype")
        && !ini.options(DEFINITION, false).contains("logtype")) {
      merged.put("logtype", backend.startsWith("systemd") ? "journal" : "file");
    }
    return read(ini, name, merged);
  }

  /** Reads a filter file given by path (with its includes and .local). */
  public static FilterDefinition readFile(Path file, Map<String, String> options) {
    String fileName = file.getFileName().toString();
    String name = fileName.replaceFirst("\\.(conf|local)$", "");
    return read(IniConfig.loadFiles(List.of(file)), name, options);
  }

  public static FilterDefinition read(IniConfig ini, String name, Map<String, String> options) {
    Map<String, String> vars = lowerKeys(options);
    if (!ini.hasSection(DEFINITION)) {
      throw new ConfigException(
          "filter '" + name + "' has no [Definition] section (read " + ini.files() + ")");
    }
    Map<String, String> combined = new LinkedHashMap<>();
    for (String opt : OPTIONS) {
      if (vars.containsKey(opt)) {
        continue;
      }
      ini.get(DEFINITION, opt, vars).ifPresent(v -> combined.put(opt, v));
    }
    Map<String, String> init = new LinkedHashMap<>(vars);
    if (ini.hasSection(INIT)) {
      for (String opt : ini.options(INIT, false)) {
        String v = ini.get(INIT, opt).orElse("");
        if (!opt.startsWith("known/")) {
          init.put("known/" + opt, v);
        }
        init.putIfAbsent(opt, v);
      }
    }
    combined.putAll(init);
    Set<String> ignore = new HashSet<>();
    for (String n : combined.keySet()) {
      Matcher cond = CONDITIONAL.matcher(n);
      if (cond.matches()) {
        ignore.add(cond.group(1));
      }
    }
    Map<String, String> resolved =
        TagSubstitution.resolve(
            combined, ignore, tag -> ini.getEx(DEFINITION, tag, vars).orElse(null));
    return new FilterDefinition(
        name,
        located(ini, resolved, "prefregex", vars),
        lines(ini, resolved, "failregex", vars),
        lines(ini, resolved, "ignoreregex", vars),
        lines(ini, resolved, "successregex", vars),
        maxlines(ini, resolved, vars),
        located(ini, resolved, "datepattern", vars),
        splitLines(resolved.get("journalmatch")),
        blankToNull(resolved.get("logtimezone")),
        located(ini, resolved, "jsonline", vars));
  }

  private static Origin originOf(IniConfig ini, String option, Map<String, String> vars) {
    return vars.containsKey(option) ? Origin.NONE : ini.origin(DEFINITION, option);
  }

  private static FilterDefinition.Located located(
      IniConfig ini, Map<String, String> resolved, String option, Map<String, String> vars) {
    String v = resolved.get(option);
    if (v == null || v.isBlank()) {
      return null;
    }
    return new FilterDefinition.Located(v.strip(), originOf(ini, option, vars), option);
  }

  private static List<FilterDefinition.Located> lines(
      IniConfig ini, Map<String, String> resolved, String option, Map<String, String> vars) {
    List<FilterDefinition.Located> out = new ArrayList<>();
    String v = resolved.get(option);
    if (v == null) {
      return out;
    }
    Origin origin = originOf(ini, option, vars);
    String[] parts = v.split("\n");
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isEmpty()) {
        continue;
      }
      // the n-th regex line sits (roughly) n lines below the option's first line
      Origin at =
          origin == Origin.NONE || origin.file() == null
              ? origin
              : new Origin(origin.file(), origin.line() + i);
      out.add(new FilterDefinition.Located(parts[i], at, option + "[" + out.size() + "]"));
    }
    return out;
  }

  private static Integer maxlines(
      IniConfig ini, Map<String, String> resolved, Map<String, String> vars) {
    String v = resolved.get("maxlines");
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(
          originOf(ini, "maxlines", vars),
          "maxlines: '" + v + "' is not a positive whole number (try 1, 5, 10)");
    }
  }

  private static List<String> splitLines(String v) {
    if (v == null) {
      return List.of();
    }
    return v.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static Map<String, String> lowerKeys(Map<String, String> options) {
    Map<String, String> out = new LinkedHashMap<>();
    options.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    return out;
  }
}
