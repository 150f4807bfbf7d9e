package io.portcullis.filter;

import io.portcullis.regex.MatchBudget;
import io.portcullis.regex.Need;
import io.portcullis.regex.PythonRegex;
import io.portcullis.regex.RegexFacts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One compiled filter regex (prefregex, failregex, ignoreregex or successregex): tags expanded,
 * Python syntax translated, searched within a step budget. Knows how to read its groups the way
 * fail2ban does ({@code F-ALT_USER} fills {@code user} when that is empty) and which buffered lines
 * a match spans.
 */
final class FilterRegex {
  private static final Pattern ALT = Pattern.compile("^(alt_|tuple_)(.*?)(?:_\\d+)?$");

  private final String source;
  private final PythonRegex regex;
  private final List<String[]> alternates = new ArrayList<>();
  // the named groups in order, and their Java group numbers: read by number on every match
  private final String[] names;
  private final int[] numbers;
  private final int skipLineGroups;
  private final Need need;

  /** {@link #find}'s matcher (a filter reads its lines on one thread). */
  private Matcher reused;

  FilterRegex(String source, boolean multiline, boolean useDns) {
    this.source = source;
    if (source.strip().isEmpty()) {
      throw new IllegalArgumentException("empty regex");
    }
    String expanded = FailTags.expand(source, useDns);
    this.regex = PythonRegex.compile(expanded, multiline);
    this.need = RegexFacts.of(expanded).need();
    int skips = 0;
    for (String name : regex.groupNames().keySet()) {
      Matcher m = ALT.matcher(name);
      if (name.length() > 4 && m.matches()) {
        alternates.add(
            new String[] {
              name, FailTags.groupName(m.group(2).toUpperCase(java.util.Locale.ROOT)), m.group(1)
            });
      }
      if (name.startsWith("skiplines")) {
        skips++;
      }
    }
    alternates.sort((a, b) -> a[0].compareTo(b[0]));
    this.names = regex.groupNames().keySet().toArray(new String[0]);
    this.numbers = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      numbers[i] = regex.javaGroup(names[i]);
    }
    this.skipLineGroups = skips;
  }

  String source() {
    return source;
  }

  /** The words every match holds. */
  Need need() {
    return need;
  }

  PythonRegex compiled() {
    return regex;
  }

  boolean hasGroup(String name) {
    return regex.hasGroup(name);
  }

  /** Searches the text; null when it does not match. */
  Matcher search(CharSequence text, MatchBudget budget) {
    Matcher m = regex.pattern().matcher(budget.reset(text));
    return m.find() ? m : null;
  }

  /**
   * {@link #search} with this regex's one reused matcher, for the filter's own thread: the answer
   * is good until the next call. A matcher of the shipped asterisk filter's regexes holds a dozen
   * groups' arrays, made again for every line before.
   */
  Matcher find(CharSequence text, MatchBudget budget) {
    Matcher m = reused;
    if (m == null) {
      m = reused = regex.pattern().matcher(budget.reset(text));
    } else {
      m.reset(budget.reset(text));
    }
    return m.find() ? m : null;
  }

  /** Named groups that took part in the match, with alternates folded in. */
  Map<String, String> groups(Matcher m) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      String v = m.group(numbers[i]);
      if (v != null) {
        out.put(names[i], v);
      }
    }
    for (String[] alt : alternates) {
      String v = out.get(alt[0]);
      if (alt[2].equals("alt_")) {
        if (v != null && !v.isEmpty() && isEmpty(out.get(alt[1]))) {
          out.put(alt[1], v);
        }
      } else {
        String t = out.get(alt[1]);
        out.put(alt[1], (t == null ? "" : t + ",") + (v == null ? "" : v));
      }
    }
    return out;
  }

  private static boolean isEmpty(String v) {
    return v == null || v.isEmpty();
  }

  /**
   * Splits the buffered lines into those the match covers and the rest (lines before it, lines
   * skipped by {@code <SKIPLINES>}, lines after it).
   */
  Span span(Matcher m, String text, List<LogLine> lines) {
    if (lines.size() <= 1) {
      return new Span(lines, List.of());
    }
    int startLine = count(text, m.start());
    int lastNewline = m.end() > 0 ? text.indexOf('\n', m.end() - 1) : text.indexOf('\n');
    int endLine = lastNewline < 0 ? count(text, text.length()) + 1 : count(text, lastNewline) + 1;
    endLine = Math.min(endLine, lines.size());
    List<LogLine> matched = new ArrayList<>(lines.subList(Math.min(startLine, endLine), endLine));
    List<LogLine> unmatched = new ArrayList<>(lines.subList(0, Math.min(startLine, endLine)));
    for (String skipped : skippedLines(m)) {
      for (int i = 0; i < matched.size(); i++) {
        if (matched.get(i).withoutDate().equals(skipped)) {
          unmatched.add(matched.remove(i));
          break;
        }
      }
    }
    unmatched.addAll(lines.subList(endLine, lines.size()));
    return new Span(matched, unmatched);
  }

  private List<String> skippedLines(Matcher m) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < skipLineGroups; i++) {
      String v = regex.group(m, "skiplines" + i);
      if (v != null && !v.isEmpty()) {
        out.addAll(List.of(v.split("\n")));
      }
    }
    return out;
  }

  private static int count(String text, int end) {
    int n = 0;
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  /** The lines a match covers, and those it leaves in the buffer. */
  record Span(List<LogLine> matched, List<LogLine> unmatched) {}

  @Override
  public String toString() {
    return source;
  }
}
