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

  private DateTemplates() {}

  /** The full default set: line-start forms first (preferred), then the forms found anywhere. */
  public static List<DateTemplate> defaults() {
    List<DateTemplate> d = defaults;
    if (d == null) {
      List<DateTemplate> anchored = new ArrayList<>();
      List<DateTemplate> plain = new ArrayList<>();
      for (String p : DEFAULT_PATTERNS) {
        DateTemplate t = single(p);
        if (!p.startsWith("{^LN-BEG}") && !p.startsWith("^")) {
          // as in fail2ban: the line-start copy of a default form is preferred when sorting
          anchored.add(single("{^LN-BEG}" + p).preferred());
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
        defaults().stream()
            .filter(DateTemplate::lineBegin)
            .forEach(t -> out.putIfAbsent(t.name(), t));
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

  private static DateTemplate single(String p) {
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
          return PatternTemplate.of(p);
      }
    } catch (RegexSyntaxException e) {
      throw new IllegalArgumentException(
          "date pattern '" + p + "' is not valid: " + e.problem() + " (a literal % is written %%)");
    }
  }
}
