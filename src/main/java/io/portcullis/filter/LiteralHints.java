package io.portcullis.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Words a line must contain for any of a filter's regexes to match it. For each regex the longest
 * run of literal characters on its top level (outside groups, classes and optional parts) is a
 * necessary condition; a line holding none of them is passed over. A regex with a top-level
 * alternative, case-insensitive flags or no literal at all disables skipping: then every line is
 * looked at, as correctness comes first. Hints are whole words only (see {@link Runs#end}).
 */
final class LiteralHints {
  private static final int MIN_USEFUL = 3;
  private static final LiteralHints NONE = new LiteralHints(null);

  private final String[] words;

  private LiteralHints(String[] words) {
    this.words = words;
  }

  static LiteralHints none() {
    return NONE;
  }

  static LiteralHints of(List<FilterRegex> regexes) {
    List<String> words = new ArrayList<>();
    for (FilterRegex r : regexes) {
      String w = requiredLiteral(r.source());
      if (w == null || w.length() < MIN_USEFUL) {
        return NONE;
      }
      if (!words.contains(w)) {
        words.add(w);
      }
    }
    return words.isEmpty() ? NONE : new LiteralHints(words.toArray(new String[0]));
  }

  /** Whether the line might match; false only when it certainly cannot. */
  boolean mayMatch(String line) {
    if (words == null) {
      return true;
    }
    for (String w : words) {
      if (line.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** The longest literal every match of this (Python-syntax, tagged) regex contains, or null. */
  static String requiredLiteral(String regex) {
    if (regex.contains("(?i") || regex.contains("(?x")) {
      return null;
    }
    Runs runs = new Runs();
    int i = 0;
    int n = regex.length();
    while (i < n) {
      char c = regex.charAt(i);
      if (c == '|') {
        return null;
      }
      if (c == '(' || c == '[' || (c == '<' && isTag(regex, i))) {
        runs.end();
        i =
            c == '('
                ? skipGroup(regex, i)
                : c == '[' ? skipClass(regex, i) : regex.indexOf('>', i) + 1;
        if (i <= 0) {
          return null;
        }
        i = skipQuantifier(regex, i);
      } else if (c == '.' || c == '^' || c == '$') {
        runs.end();
        i = skipQuantifier(regex, i + 1);
      } else if (c == '\\') {
        if (i + 1 >= n) {
          return null;
        }
        char e = regex.charAt(i + 1);
        if (Character.isLetterOrDigit(e)) {
          runs.end();
          i = skipQuantifier(regex, i + 2);
        } else {
          i = runs.literal(regex, i + 2, e);
        }
      } else {
        i = runs.literal(regex, i + 1, c);
      }
    }
    runs.end();
    return runs.best.isEmpty() ? null : runs.best;
  }

  private static boolean isTag(String regex, int i) {
    int close = regex.indexOf('>', i);
    return close > i && regex.substring(i + 1, close).matches("/?[\\w\\-]+/?");
  }

  /** Literal runs seen so far and the longest finished one. */
  private static final class Runs {
    final StringBuilder run = new StringBuilder();
    String best = "";

    /** Adds a literal character, honouring a quantifier after it; returns the next index. */
    int literal(String regex, int next, char c) {
      char q = next < regex.length() ? regex.charAt(next) : 0;
      if (q == '?' || q == '*' || q == '{') {
        // optional or repeated any number of times: not itself required
        end();
        return skipQuantifier(regex, next);
      }
      run.append(c);
      if (q == '+') {
        end();
        return skipQuantifier(regex, next);
      }
      return next;
    }

    /**
     * Keeps the longest whole word of the run: regexes see the line with its date cut out, and
     * since date templates start and end on word boundaries, a cut never falls inside a word.
     */
    void end() {
      for (String word : run.toString().split("\\W+")) {
        if (word.length() > best.length()) {
          best = word;
        }
      }
      run.setLength(0);
    }
  }

  private static int skipQuantifier(String regex, int i) {
    int n = regex.length();
    if (i < n && "?*+".indexOf(regex.charAt(i)) >= 0) {
      i++;
    } else if (i < n && regex.charAt(i) == '{') {
      int close = regex.indexOf('}', i);
      if (close > 0 && regex.substring(i + 1, close).matches("\\d*,?\\d*")) {
        i = close + 1;
      } else {
        return i;
      }
    } else {
      return i;
    }
    if (i < n && (regex.charAt(i) == '?' || regex.charAt(i) == '+')) {
      i++;
    }
    return i;
  }

  private static int skipGroup(String regex, int i) {
    int depth = 0;
    int n = regex.length();
    while (i < n) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '[') {
        i = skipClass(regex, i);
        if (i < 0) {
          return -1;
        }
        continue;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      }
      i++;
    }
    return -1;
  }

  private static int skipClass(String regex, int i) {
    int n = regex.length();
    i++;
    if (i < n && regex.charAt(i) == '^') {
      i++;
    }
    if (i < n && regex.charAt(i) == ']') {
      i++;
    }
    while (i < n) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == ']') {
        return i + 1;
      }
      i++;
    }
    return -1;
  }
}
