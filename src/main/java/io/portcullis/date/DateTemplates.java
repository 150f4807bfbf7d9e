package io.portcullis.date;

import io.portcullis.regex.RegexSyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the templates a {@code datepattern} asks for. One pattern per line; besides strptime-like
 * patterns it understands {@code {^LN-BEG}} (the default set, line-start forms only), {@code
 * {DEFAULT}}, {@code {NONE}} (lines carry no date), {@code {DATE}} inside a pattern (each default
 * form in that place), {@code Epoch}, {@code LEpoch}, {@code TAI64N}, and {@code {EPOCH}} inside a
 * pattern.
 */
public final class DateTemplates {
  /** The date forms recognised when a filter names none, most common first. */
  private static final List<String> DEFAULT_PATTERNS =
      List.of(
          "%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?",
          "(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
          "(?:%a )?%b %d %ExY %k:%M:%S(?:\\.%f)?",
          "%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S",
          "%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\\.%f)?(?: %z)?",
          "%m/%d/%ExY:%H:%M:%S",
          "%m-%d-%ExY %k:%M:%S(?:\\.%f)?",
          "EPOCH",
          "{^LN-BEG}%H:%M:%S",
          "^<%m/%d/%Exy@%H:%M:%S>",
          "%Exy%Exm%Exd  ?%H:%M:%S",
          "%b %d, %ExY %I:%M:%S %p",
          "^%b-%d-%Exy %k:%M:%S",
          "%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\\s*%z)?",
          "(?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
          "(?:%z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?",
          "TAI64N");

  private static volatile List<DateTemplate> defaults;
  private static volatile List<DateTemplate> plainDefaults;

  /** What {@code {^LN-BEG}} asks for, when it was built on its own (see {@link #lineBegin()}). */
  private static volatile List<DateTemplate> lineBeginDefaults;

  private DateTemplates() {}

  /** The full default set: line-start forms first (preferred), then the forms found anywhere. */
  public static List<DateTemplate> defaults() {
    List<DateTemplate> d = defaults;
    if (d == null) {
      List<DateTemplate> anchored = new ArrayList<>();
      List<DateTemplate> plain = new ArrayList<>();
      for (String p : DEFAULT_PATTERNS) {
        DateTemplate t = builtIn(p);
        if (!p.startsWith("{^LN-BEG}") && !p.startsWith("^")) {
          // as in fail2ban: the line-start copy of a default form is preferred when sorting
          anchored.add(builtIn("{^LN-BEG}" + p).preferred());
        }
        plain.add(t);
      }
      plainDefaults = List.copyOf(plain);
      anchored.addAll(plain);
      d = List.copyOf(anchored);
      defaults = d;
    }
    return d;
  }

  /**
   * The line-start forms of the default set, in its order: {@code defaults()} filtered by {@link
   * DateTemplate#lineBegin()}, but without building the forms found anywhere when nothing built
   * them yet. A run of {@code portcullis regex} with a filter saying {@code {^LN-BEG}} (most do)
   * compiles 17 date regexes instead of 31, before it reads its first line.
   */
  static List<DateTemplate> lineBegin() {
    List<DateTemplate> all = defaults;
    if (all != null) {
      return all.stream().filter(DateTemplate::lineBegin).toList();
    }
    List<DateTemplate> d = lineBeginDefaults;
    if (d == null) {
      d = buildLineBegin();
      lineBeginDefaults = d;
    }
    return d;
  }

  /**
   * Builds {@link #lineBegin()}'s list afresh: the line-start copies of the forms not pinned to the
   * line start, then the forms that are pinned (a form written with neither {@code {^LN-BEG}} nor
   * {@code ^} is found anywhere: DateTemplatesTest compares this list with the filtered full set).
   */
  static List<DateTemplate> buildLineBegin() {
    List<DateTemplate> out = new ArrayList<>();
    for (String p : DEFAULT_PATTERNS) {
      if (!p.startsWith("{^LN-BEG}") && !p.startsWith("^")) {
        out.add(builtIn("{^LN-BEG}" + p).preferred());
      }
    }
    for (String p : DEFAULT_PATTERNS) {
      if (p.startsWith("{^LN-BEG}") || p.startsWith("^")) {
        DateTemplate t = builtIn(p);
        if (t.lineBegin()) {
          out.add(t);
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * Parses a datepattern value (one or more lines).
   *
   * @throws IllegalArgumentException naming the pattern that is not valid
   */
  public static List<DateTemplate> parse(String datepattern) {
    Map<String, DateTemplate> out = new LinkedHashMap<>();
    for (String line : datepattern.split("\n+")) {
      String p = line.strip();
      if (p.isEmpty()) {
        continue;
      }
      String key = p.contains("%") ? p : p.toUpperCase(Locale.ROOT);
      if (key.equals("{^LN-BEG}")) {
        lineBegin().forEach(t -> out.putIfAbsent(t.name(), t));
      } else if (key.equals("{DEFAULT}")) {
        defaults().forEach(t -> out.putIfAbsent(t.name(), t));
      } else if (key.contains("{DATE}")) {
        defaults();
        for (DateTemplate t : plainDefaults) {
          if (t instanceof PatternTemplate pt) {
            String wrapped =
                p.replaceAll(
                    "(?i)(?<!\\\\)\\{DATE}",
                    java.util.regex.Matcher.quoteReplacement(Bounds.unbound(pt.pattern())));
            DateTemplate w = single(wrapped);
            out.putIfAbsent(w.name(), w);
          }
        }
      } else {
        DateTemplate t = single(p);
        if (out.containsKey(t.name())) {
          throw new IllegalArgumentException("date pattern '" + p + "' is given twice");
        }
        out.put(t.name(), t);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("empty date pattern");
    }
    return List.copyOf(out.values());
  }

  /** A default form: its regex is compiled at first use (DateTemplatesTest compiles them all). */
  private static DateTemplate builtIn(String p) {
    return single(p, true);
  }

  private static DateTemplate single(String p) {
    return single(p, false);
  }

  private static DateTemplate single(String p, boolean lazy) {
    String key = p.contains("%") ? p : p.toUpperCase(Locale.ROOT);
    try {
      if (key.contains("EPOCH")) {
        if (key.matches("(?s).*(?<!\\\\)\\{L?EPOCH}.*")) {
          return EpochTemplate.pattern(p);
        }
        switch (key) {
          case "EPOCH":
            return EpochTemplate.anywhere(false);
          case "{^LN-BEG}EPOCH", "^EPOCH":
            return EpochTemplate.lineStart(false);
          case "LEPOCH":
            return EpochTemplate.anywhere(true);
          case "{^LN-BEG}LEPOCH", "^LEPOCH":
            return EpochTemplate.lineStart(true);
          default:
            break;
        }
      }
      switch (key) {
        case "TAI64N":
          return Tai64nTemplate.of(false);
        case "{^LN-BEG}TAI64N", "^TAI64N":
          return Tai64nTemplate.of(true);
        case "{NONE}":
          return PatternTemplate.of("{UNB}^");
        default:
          return lazy ? PatternTemplate.lazy(p) : PatternTemplate.of(p);
      }
    } catch (RegexSyntaxException e) {
      throw new IllegalArgumentException(
          "date pattern '" + p + "' is not valid: " + e.problem() + " (a literal % is written %%)");
    }
  }
}
