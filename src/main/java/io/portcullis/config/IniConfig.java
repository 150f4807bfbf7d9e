package io.portcullis.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Several INI files merged the way fail2ban merges them: a file's [INCLUDES] before/after files are
 * read around it, every file is followed by its .local twin, later files override earlier ones
 * option by option, overridden values stay reachable as {@code known/option}, and conditional
 * sections such as {@code [Init?family=inet6]} become options {@code name?family=inet6} of the
 * plain section. Values are interpolated on read ({@code %(name)s}, {@code %(section/name)s}).
 *
 * <p>Design note: one class because fail2ban's merge rules interlock (includes around a file, the
 * .local twin after each, {@code known/} values, conditional sections, interpolation): each step
 * reads what the previous ones built. The steps are private methods in the order a file is read.
 */
public final class IniConfig {
  private static final String INCLUDES = "INCLUDES";
  private static final String KNOWN = "KNOWN/";
  private static final int MAX_DEPTH = 10;

  /**
   * The longest value interpolation may build. Ten levels of references that each repeat the next
   * eight times turn a 600-byte file into 8^9 copies (an OutOfMemoryError, seen while writing
   * IniFileFuzzTest; kept as its input); real values (a filter's failregex) are a few KiB.
   */
  static final int MAX_VALUE = 1 << 20;

  private static final Pattern CONDITIONAL = Pattern.compile("^(\\w+)(\\?.+)$");
  private static final Pattern SECTION_OPTION = Pattern.compile("^([\\w\\-]+)/([^\\s>]+)$");

  private final Map<String, IniValue> defaults = new LinkedHashMap<>();
  private final Map<String, Map<String, IniValue>> sections = new LinkedHashMap<>();
  private final List<Path> files = new ArrayList<>();

  private IniConfig() {}

  /**
   * Reads {@code base/name.conf}, {@code base/name.d/*.conf}, {@code base/name.local} and {@code
   * base/name.d/*.local} with their includes. Fails when none of them exists.
   */
  public static IniConfig load(Path base, String name) {
    Path conf = base.resolve(name + ".conf");
    Path dir = base.resolve(name + ".d");
    List<Path> candidates = new ArrayList<>();
    candidates.add(conf);
    candidates.addAll(sortedGlob(dir, ".conf"));
    candidates.add(base.resolve(name + ".local"));
    candidates.addAll(sortedGlob(dir, ".local"));
    List<Path> existing = candidates.stream().filter(Files::isRegularFile).toList();
    if (existing.isEmpty()) {
      throw new ConfigException(
          "no configuration file for '" + name + "' under " + base + " (looked for " + conf + ")");
    }
    return loadFiles(existing);
  }

  /** Reads the given files in order, each with its includes and .local twin. */
  public static IniConfig loadFiles(List<Path> paths) {
    IniConfig config = new IniConfig();
    List<Path> ordered = new ArrayList<>();
    for (Path p : withLocals(paths)) {
      config.collectIncludes(p, new ArrayList<>(), ordered);
    }
    for (Path p : ordered) {
      config.merge(IniFile.read(p));
    }
    return config;
  }

  /** Parses one in-memory file (no includes); for tests and literal snippets. */
  public static IniConfig of(IniFile file) {
    IniConfig config = new IniConfig();
    config.merge(file);
    return config;
  }

  public List<Path> files() {
    return Collections.unmodifiableList(files);
  }

  public boolean hasSection(String section) {
    return sections.containsKey(section);
  }

  public Set<String> sectionNames() {
    return Collections.unmodifiableSet(sections.keySet());
  }

  /** Option names of a section, optionally with the [DEFAULT] ones. */
  public Set<String> options(String section, boolean withDefaults) {
    Set<String> names = new LinkedHashSet<>(sections.getOrDefault(section, Map.of()).keySet());
    if (withDefaults) {
      names.addAll(defaults.keySet());
    }
    return names;
  }

  /** Every raw value of every file read, overridden ones included (to find the names used). */
  public List<String> rawValues() {
    List<String> out = new ArrayList<>();
    defaults.values().forEach(v -> out.add(v.raw()));
    sections.values().forEach(s -> s.values().forEach(v -> out.add(v.raw())));
    return out;
  }

  /** Where an option's effective value was written, if known. */
  public Origin origin(String section, String option) {
    IniValue v = rawValue(section, option.toLowerCase(Locale.ROOT), Map.of());
    return v == null ? Origin.NONE : v.origin();
  }

  /** The raw, uninterpolated value. */
  public Optional<String> raw(String section, String option) {
    IniValue v = rawValue(section, option.toLowerCase(Locale.ROOT), Map.of());
    return v == null ? Optional.empty() : Optional.of(v.raw());
  }

  /** The interpolated value of an option in a section (falling back to [DEFAULT]). */
  public Optional<String> get(String section, String option) {
    return get(section, option, Map.of());
  }

  /**
   * The interpolated value; {@code vars} take precedence over the section and defaults, both as the
   * option itself and inside interpolations.
   */
  public Optional<String> get(String section, String option, Map<String, String> vars) {
    String name = option.toLowerCase(Locale.ROOT);
    Map<String, IniValue> varValues = asValues(vars);
    IniValue v = rawValue(section, name, varValues);
    if (v == null) {
      return Optional.empty();
    }
    return Optional.of(interpolate(section, name, v, varValues, 1));
  }

  /**
   * Like {@link #get} but an option named {@code section/option} is read from that section, and
   * {@code known/option} from the value this section had before it was overridden.
   */
  public Optional<String> getEx(String section, String option, Map<String, String> vars) {
    Matcher m = option.contains("/") ? SECTION_OPTION.matcher(option) : null;
    if (m != null && m.matches()) {
      String sec = m.group(1);
      String opt = m.group(2);
      List<String> tries =
          switch (sec.toLowerCase(Locale.ROOT)) {
            case "known" -> List.of(KNOWN + section, section);
            case "default" -> List.of(IniFile.DEFAULT);
            default -> List.of(sec);
          };
      for (String s : tries) {
        if (s.equals(IniFile.DEFAULT)) {
          IniValue d = defaults.get(opt.toLowerCase(Locale.ROOT));
          if (d != null) {
            return Optional.of(interpolate(section, opt, d, asValues(vars), 1));
          }
        } else if (sections.containsKey(s)) {
          Optional<String> v = get(s, opt);
          if (v.isPresent()) {
            return v;
          }
        }
      }
    }
    return get(section, option, vars);
  }

  private IniValue rawValue(String section, String name, Map<String, IniValue> vars) {
    IniValue v = vars.get(name);
    if (v == null) {
      Map<String, IniValue> sec = sections.get(section);
      if (sec != null) {
        v = sec.get(name);
      }
    }
    if (v == null) {
      v = defaults.get(name);
    }
    return v;
  }

  private static Map<String, IniValue> asValues(Map<String, String> vars) {
    if (vars.isEmpty()) {
      return Map.of();
    }
    Map<String, IniValue> values = new LinkedHashMap<>();
    vars.forEach((k, v) -> values.put(k.toLowerCase(Locale.ROOT), new IniValue(v, Origin.NONE)));
    return values;
  }

  private String interpolate(
      String section, String option, IniValue value, Map<String, IniValue> vars, int depth) {
    String raw = value.raw();
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    if (depth > MAX_DEPTH) {
      throw new ConfigException(
          value.origin(),
          option + ": interpolation nested deeper than " + MAX_DEPTH + " levels (a loop?)");
    }
    StringBuilder out = new StringBuilder(raw.length() + 32);
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < raw.length() && raw.charAt(i + 1) == '%') {
        out.append('%');
        i += 2;
        continue;
      }
      int close = raw.indexOf(")s", i);
      if (i + 1 >= raw.length() || raw.charAt(i + 1) != '(' || close < 0) {
        throw new ConfigException(
            value.origin(),
            option
                + ": '%' must be followed by '%' or '(name)s' (write %% for a literal percent): "
                + raw);
      }
      String ref = raw.substring(i + 2, close).toLowerCase(Locale.ROOT);
      IniValue target = reference(section, ref, vars);
      if (target == null) {
        throw new ConfigException(
            value.origin(),
            option
                + ": %("
                + ref
                + ")s refers to an option that is not defined in ["
                + section
                + "] or [DEFAULT]");
      }
      if (target.origin() == null || target.origin() == Origin.NONE) {
        // a value from no file (the section's name, a variable given by the caller): its errors
        // are blamed on the value that refers to it (a loop through %(__name__)s in a section
        // named with a '%' made an error without a file: IniFileFuzzTest, seed 42)
        target = new IniValue(target.raw(), value.origin());
      }
      out.append(interpolate(section, ref, target, vars, depth + 1));
      if (out.length() > MAX_VALUE) {
        throw new ConfigException(
            value.origin(),
            option
                + ": the value grows past "
                + MAX_VALUE
                + " characters when its %(name)s references are filled in (references that"
                + " repeat each other?)");
      }
      i = close + 2;
    }
    return out.toString();
  }

  private IniValue reference(String section, String ref, Map<String, IniValue> vars) {
    IniValue v = rawValue(section, ref, vars);
    if (v == null && ref.equals("__name__")) {
      // the section's name as written, never read as a template (a '%' in it made an error
      // without a file: IniFileFuzzTest)
      return new IniValue(section.replace("%", "%%"), Origin.NONE);
    }
    if (v != null || ref.indexOf('/') < 0) {
      return v;
    }
    int slash = ref.indexOf('/');
    String sec = ref.substring(0, slash);
    String opt = ref.substring(slash + 1);
    switch (sec) {
      case "default":
        return defaults.get(opt);
      case "known":
        {
          IniValue known = sections.getOrDefault(KNOWN + section, Map.of()).get(opt);
          return known != null ? known : defaults.get(opt);
        }
      default:
        {
          Map<String, IniValue> target = findSectionIgnoreCase(sec);
          if (target == null) {
            return null;
          }
          IniValue found = target.get(opt);
          return found != null ? found : defaults.get(opt);
        }
    }
  }

  private Map<String, IniValue> findSectionIgnoreCase(String name) {
    Map<String, IniValue> exact = sections.get(name);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, Map<String, IniValue>> e : sections.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private void merge(IniFile file) {
    files.add(file.path());
    for (Map.Entry<String, Map<String, IniValue>> e : file.sections().entrySet()) {
      String name = e.getKey();
      Map<String, IniValue> options = e.getValue();
      if (name.equals(IniFile.DEFAULT)) {
        defaults.putAll(options);
        continue;
      }
      Matcher cond = CONDITIONAL.matcher(name);
      if (cond.matches()) {
        name = cond.group(1);
        Map<String, IniValue> renamed = new LinkedHashMap<>();
        for (Map.Entry<String, IniValue> o : options.entrySet()) {
          // names are looked up in lower case, the condition included ([INCLUD?ES] once left
          // an option that options() listed and raw() could not find: IniFileFuzzTest)
          renamed.put((o.getKey() + cond.group(2)).toLowerCase(Locale.ROOT), o.getValue());
        }
        options = renamed;
      }
      Map<String, IniValue> existing = sections.get(name);
      if (existing == null) {
        sections.put(name, new LinkedHashMap<>(options));
        continue;
      }
      Map<String, IniValue> known =
          sections.computeIfAbsent(KNOWN + name, k -> new LinkedHashMap<>());
      for (String opt : options.keySet()) {
        IniValue before = existing.get(opt);
        if (before != null) {
          known.put(opt, before);
        }
      }
      existing.putAll(options);
    }
  }

  private void collectIncludes(Path file, List<Path> seen, List<Path> out) {
    if (!Files.isRegularFile(file)) {
      if (!file.getFileName().toString().endsWith(".local")) {
        Path from = seen.isEmpty() ? null : seen.get(seen.size() - 1);
        throw new ConfigException(
            new Origin(from, 0), "[INCLUDES] names " + file + ", which does not exist");
      }
      return;
    }
    IniFile ini = IniFile.read(file);
    List<Path> before = new ArrayList<>();
    List<Path> after = new ArrayList<>();
    Map<String, IniValue> includes = ini.sections().get(INCLUDES);
    if (includes != null) {
      IniConfig local = IniConfig.of(ini);
      Path dir = file.toAbsolutePath().getParent();
      for (String kind : List.of("before", "after")) {
        if (!includes.containsKey(kind)) {
          continue;
        }
        List<Path> target = kind.equals("before") ? before : after;
        for (String entry : local.get(INCLUDES, kind).orElse("").split("\n")) {
          entry = entry.strip();
          if (entry.isEmpty()) {
            continue;
          }
          Path included = dir.resolve(entry).normalize();
          if (seen.contains(included) || included.equals(file.toAbsolutePath().normalize())) {
            continue;
          }
          List<Path> nextSeen = new ArrayList<>(seen);
          nextSeen.add(file.toAbsolutePath().normalize());
          for (Path p : withLocals(List.of(included))) {
            collectIncludes(p, nextSeen, target);
          }
        }
      }
    }
    out.addAll(before);
    out.add(file);
    out.addAll(after);
  }

  private static List<Path> withLocals(List<Path> paths) {
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      if (!out.contains(p)) {
        out.add(p);
      }
      String name = p.getFileName().toString();
      if (name.endsWith(".conf")) {
        Path local = p.resolveSibling(name.substring(0, name.length() - 5) + ".local");
        if (Files.isRegularFile(local) && !out.contains(local) && !paths.contains(local)) {
          out.add(local);
        }
      }
    }
    return out;
  }

  private static List<Path> sortedGlob(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new ConfigException(new Origin(dir, 0), "cannot list directory: " + e.getMessage());
    }
  }
}
