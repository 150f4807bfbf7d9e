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
  private static final LiteralHints NONE = new LiteralHints(null, null, false);

  private final String[][] words;
  private final String[][] perRegex;
  private final ByteWords bytes;
  private final boolean jsonLines;

  private LiteralHints(String[][] words, String[][] perRegex, boolean jsonLines) {
    this.words = words;
    this.perRegex = perRegex;
    this.bytes = words == null ? null : new ByteWords(words);
    this.jsonLines = jsonLines;
  }

  /**
   * The same hints, except that a raw line starting with a brace is always looked at: it may be a
   * JSON line whose decoded text holds a word its raw text does not, so it is judged by {@link
   * #mayMatch(String)} once decoded.
   */
  LiteralHints decodingJsonLines() {
    return words == null ? this : new LiteralHints(words, perRegex, true);
  }

  /**
   * The same question as {@link #mayMatch(String)} asked of a UTF-8 line before decoding it. The
   * words are ASCII, and UTF-8 never hides an ASCII byte inside a multi-byte character, so
   * searching the bytes gives the same answer.
   */
  boolean mayMatch(byte[] line, int start, int end) {
    return bytes == null
        || (jsonLines && end > start && line[start] == '{')
        || bytes.anyAll(line, start, end);
  }

  static LiteralHints none() {
    return NONE;
  }

  static LiteralHints of(List<FilterRegex> regexes) {
    List<String[]> distinct = new ArrayList<>();
    String[][] perRegex = new String[regexes.size()][];
    for (int i = 0; i < regexes.size(); i++) {
      List<String> w = requiredWords(regexes.get(i).source());
      if (w == null || w.isEmpty() || w.get(0).length() < MIN_USEFUL) {
        return NONE;
      }
      String[] words = w.toArray(new String[0]);
      perRegex[i] = words;
      if (distinct.stream().noneMatch(d -> java.util.Arrays.equals(d, words))) {
        distinct.add(words);
      }
    }
    return distinct.isEmpty()
        ? NONE
        : new LiteralHints(distinct.toArray(new String[0][]), perRegex, false);
  }

  /** Receives one line of a block: its 0-based index in the block and {@code [start, end)}. */
  @FunctionalInterface
  interface Lines {
    void line(int index, int start, int end);
  }

  /**
   * Calls back, in order, the lines of a block (a Latin-1 view of UTF-8 bytes, whole lines) that
   * might match, and returns how many lines the block holds. Each required word is searched over
   * the whole block with {@link String#indexOf(String, int)}, which the JIT turns into vector
   * instructions; only lines holding a word are looked at one by one.
   */
  int candidates(String block, Lines out) {
    int n = block.length();
    int tail = n > 0 && block.charAt(n - 1) != '\n' ? 1 : 0;
    if (words == null) {
      int index = 0;
      for (int s = 0; s < n; index++) {
        int e = block.indexOf('\n', s);
        out.line(index, s, e < 0 ? n : e);
        s = e < 0 ? n : e + 1;
      }
      return index;
    }
    int[] hits = new int[64];
    int size = 0;
    if (jsonLines) {
      for (int p = block.startsWith("{") ? 0 : block.indexOf("\n{");
          p >= 0;
          p = block.indexOf("\n{", p + 1)) {
        if (size == hits.length) {
          hits = java.util.Arrays.copyOf(hits, size * 2);
        }
        hits[size++] = block.charAt(p) == '{' ? p : p + 1;
      }
    }
    for (String[] set : words) {
      String first = set[0];
      for (int p = block.indexOf(first); p >= 0; p = block.indexOf(first, p + first.length())) {
        if (size == hits.length) {
          hits = java.util.Arrays.copyOf(hits, size * 2);
        }
        hits[size++] = p;
      }
    }
    java.util.Arrays.sort(hits, 0, size);
    int index = 0;
    int countedTo = 0;
    int lastStart = -1;
    for (int i = 0; i < size; i++) {
      int p = hits[i];
      int start = block.lastIndexOf('\n', p) + 1;
      if (start == lastStart) {
        continue;
      }
      lastStart = start;
      int end = block.indexOf('\n', p);
      if (end < 0) {
        end = n;
      }
      if ((jsonLines && block.charAt(start) == '{') || mayMatch(block.substring(start, end))) {
        index += newlines(block, countedTo, start);
        countedTo = start;
        out.line(index, start, end);
      }
    }
    return index + newlines(block, countedTo, n) + tail;
  }

  /** Newlines in {@code block[from, to)}. */
  private static int newlines(String block, int from, int to) {
    int count = 0;
    for (int p = block.indexOf('\n', from); p >= 0 && p < to; p = block.indexOf('\n', p + 1)) {
      count++;
    }
    return count;
  }

  /**
   * Whether regex {@code index} (in the order given to {@link #of}) might match the line; false
   * only when its own required word is absent.
   */
  boolean mayMatch(int index, String line) {
    return perRegex == null || containsAll(line, perRegex[index]);
  }

  private static boolean containsAll(String line, String[] required) {
    for (String w : required) {
      if (!line.contains(w)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the line might match; false only when it certainly cannot. */
  boolean mayMatch(String line) {
    if (words == null) {
      return true;
    }
    for (String[] w : words) {
      if (containsAll(line, w)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The longest literal word every match of this (Python-syntax, tagged) regex contains, or null.
   */
  static String requiredLiteral(String regex) {
    List<String> w = requiredWords(regex);
    return w == null || w.isEmpty() ? null : w.get(0);
  }

  /**
   * Every literal word (three characters or more) that every match contains, longest first; null
   * when the regex gives no guarantee (top-level alternative, case-insensitive).
   */
  static List<String> requiredWords(String regex) {
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
    List<String> out = new ArrayList<>(runs.words);
    out.sort((a, b) -> b.length() - a.length());
    return out;
  }

  private static boolean isTag(String regex, int i) {
    int close = regex.indexOf('>', i);
    return close > i && regex.substring(i + 1, close).matches("/?[\\w\\-]+/?");
  }

  /** Literal runs seen so far and the longest finished one. */
  private static final class Runs {
    final StringBuilder run = new StringBuilder();
    final java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();

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
        if (word.length() >= MIN_USEFUL) {
          words.add(word);
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
