package io.portcullis.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One INI file parsed the way fail2ban's Python configparser reads it: option names are
 * lower-cased, values may continue on indented lines, whole-line comments start with '#' or ';', an
 * inline comment is ';' after white space, and a duplicate option in a section, or a section
 * written twice in one file, is an error.
 */
public final class IniFile {
  public static final String DEFAULT = "DEFAULT";

  private static final Pattern SECTION = Pattern.compile("\\[(.+)]");
  private static final Pattern OPTION = Pattern.compile("(.*?)\\s*[=:]\\s*(.*)");

  private final Path path;
  private final Map<String, Map<String, IniValue>> sections;

  private IniFile(Path path, Map<String, Map<String, IniValue>> sections) {
    this.path = path;
    this.sections = sections;
  }

  public Path path() {
    return path;
  }

  /** Sections in file order; the [DEFAULT] section, when present, is under {@link #DEFAULT}. */
  public Map<String, Map<String, IniValue>> sections() {
    return sections;
  }

  /**
   * Reads a file after checking that only root (or this user) can change it ({@link FileTrust}).
   */
  public static IniFile read(Path path) {
    FileTrust.check(path);
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(new Origin(path, 0), "cannot read: " + e.getMessage());
    }
    return parse(path, text);
  }

  public static IniFile parse(Path path, String text) {
    return new Parser(path).parse(text);
  }

  private static final class Parser {
    private final Path path;
    private final Map<String, Map<String, IniValue>> sections = new LinkedHashMap<>();
    private final List<ConfigException> problems = new ArrayList<>();
    private Map<String, List<String>> pending;
    private Map<String, Integer> pendingLines;
    private final Map<String, Integer> sectionLines = new LinkedHashMap<>();
    private boolean skipping;
    private String section;
    private String option;
    private int optionIndent;

    Parser(Path path) {
      this.path = path;
    }

    IniFile parse(String text) {
      String[] lines = text.split("\r?\n", -1);
      pending = new LinkedHashMap<>();
      pendingLines = new LinkedHashMap<>();
      for (int i = 0; i < lines.length; i++) {
        line(lines[i], i + 1);
      }
      flush();
      if (!problems.isEmpty()) {
        throw ConfigException.of(problems);
      }
      return new IniFile(path, sections);
    }

    private void line(String line, int number) {
      String stripped = line.strip();
      boolean comment = stripped.startsWith("#") || stripped.startsWith(";");
      String value = comment ? "" : stripInlineComment(line).strip();
      if (value.isEmpty()) {
        // an empty line inside a value is kept (trimmed at the end); a comment line is not
        if (!comment && option != null && pending.containsKey(option)) {
          pending.get(option).add("");
        }
        return;
      }
      int indent = indentOf(line);
      if (option != null && section != null && indent > optionIndent) {
        pending.get(option).add(value);
        return;
      }
      optionIndent = indent;
      Matcher header = SECTION.matcher(value);
      if (header.matches()) {
        flush();
        option = null;
        Integer first = sectionLines.putIfAbsent(header.group(1), number);
        if (first != null) {
          // configparser (strict, as fail2ban reads) refuses it too: which one would count?
          problems.add(
              new ConfigException(
                  new Origin(path, number),
                  "section ["
                      + header.group(1)
                      + "] appears twice in this file (first at line "
                      + first
                      + "); merge the two, or put the second in a .local file"));
          section = null;
          skipping = true;
          return;
        }
        skipping = false;
        section = header.group(1);
        sections.computeIfAbsent(section, k -> new LinkedHashMap<>());
        return;
      }
      if (skipping) {
        return; // the options of a duplicated section: its header is the problem reported
      }
      if (section == null) {
        problems.add(
            new ConfigException(
                new Origin(path, number), "line outside any [section]: '" + value + "'"));
        return;
      }
      Matcher opt = OPTION.matcher(value);
      if (!opt.matches() || opt.group(1).isEmpty()) {
        problems.add(
            new ConfigException(
                new Origin(path, number),
                "not an option (expected 'name = value'): '" + value + "'"));
        option = null;
        return;
      }
      String name = opt.group(1).strip().toLowerCase(java.util.Locale.ROOT);
      if (pending.containsKey(name) || sections.get(section).containsKey(name)) {
        problems.add(
            new ConfigException(
                new Origin(path, number),
                "option '" + name + "' appears twice in [" + section + "]"));
        option = null;
        return;
      }
      option = name;
      List<String> parts = new ArrayList<>();
      parts.add(opt.group(2));
      pending.put(name, parts);
      pendingLines.put(name, number);
    }

    private void flush() {
      if (section == null) {
        return;
      }
      Map<String, IniValue> target = sections.get(section);
      pending.forEach(
          (name, parts) ->
              target.put(
                  name,
                  new IniValue(
                      String.join("\n", parts).stripTrailing(),
                      new Origin(path, pendingLines.get(name)))));
      pending.clear();
      pendingLines.clear();
    }

    private static int indentOf(String line) {
      int i = 0;
      while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
        i++;
      }
      return i;
    }

    /** Removes a ';' comment that follows white space, as configparser's inline prefixes do. */
    private static String stripInlineComment(String line) {
      for (int i = 1; i < line.length(); i++) {
        if (line.charAt(i) == ';' && Character.isWhitespace(line.charAt(i - 1))) {
          return line.substring(0, i);
        }
      }
      return line;
    }
  }
}
