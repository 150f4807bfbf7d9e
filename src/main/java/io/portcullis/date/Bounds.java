package io.portcullis.date;

import io.portcullis.regex.RegexFacts;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a date regex is fenced in a line, following fail2ban's conventions: by default a date must
 * start and end on a word boundary; {@code {^LN-BEG}} pins it to the line start (after at most two
 * non-word characters, such as "[" or "<"); {@code {UNB}} removes all fences; a leading or trailing
 * {@code **} removes one. The date itself is group 1 (wrapped in one when the regex has none).
 */
final class Bounds {
  enum Begin {
    NONE,
    WORD,
    LINE
  }

  static final String LINE_BEGIN_MARK = "{^LN-BEG}";
  static final String UNBOUND_MARK = "{UNB}";
  // fail2ban writes these (?=^|\b|\W) and (?=\b|\W|$); for a date, which is never empty, both
  // mean "not between two word characters", said here so that the look-behind runs only when the
  // look-ahead did not decide (\w{1,2}: see PythonRegex on letters outside the BMP)
  static final String WORD_START = "(?:(?<!\\w{1,2})|(?!\\w))";
  static final String WORD_END = "(?:(?!\\w)|(?<!\\w{1,2}))";
  static final String LINE_START = "^(?:\\W{0,2})?";

  private static final Pattern GLOBAL_FLAGS = Pattern.compile("\\(\\?[a-zA-Z]+\\)");
  private static final Pattern PLAIN_GROUP = Pattern.compile("(?<!\\(\\?)(?<!\\\\)\\((?!\\?)");
  private static final Pattern SPLIT =
      Pattern.compile("^((?:\\(\\?\\w+\\))?\\^?(?:\\(\\?\\w+\\))?)(.*?)(\\$?)$", Pattern.DOTALL);
  private static final Pattern NO_WORD_BEGIN =
      Pattern.compile("^\\(*(?:\\(\\?\\w+\\))?(?:\\^|\\(*\\*\\*|\\((?:\\?:)?\\^)");
  private static final Pattern NO_WORD_END =
      Pattern.compile("(?<!\\\\)(?:\\$\\)?|\\\\b|\\\\s|\\*\\*\\)*)$");
  private static final Pattern ANCHORED_BEGIN =
      Pattern.compile("^(?:\\(\\?\\w+\\))?(?:\\^|\\((?:\\?:)?\\^(?!\\|))");
  private static final Pattern ANCHORED_END = Pattern.compile("(?<![\\\\|])(?:\\$\\)?)$");
  private static final Pattern STARS =
      Pattern.compile("^\\(*(?:\\(\\?\\w+\\))?\\(*\\*\\*|(?<!\\\\)\\*\\*\\)*$");

  /**
   * The fenced regex, whether it is anchored at the line start or at the line end, and whether
   * cutting its date out of a line can leave two word characters side by side (see {@link
   * DateTemplate#mayJoinWords}).
   */
  record Fenced(String regex, boolean lineBegin, boolean lineEnd, boolean mayJoinWords) {}

  private Bounds() {}

  static Fenced fence(String regex, Begin begin, boolean wordEnd) {
    String r = regex.strip();
    String flags = "";
    Matcher gf = GLOBAL_FLAGS.matcher(r);
    if (gf.find()) {
      flags = gf.group();
      r = r.substring(0, gf.start()) + r.substring(gf.end());
    }
    boolean fenceBegin = begin != Begin.NONE && !NO_WORD_BEGIN.matcher(r).find();
    boolean fenceEnd = wordEnd && !NO_WORD_END.matcher(r).find();
    // the regex around the date, group 1: what comes before it, the date, what comes after it
    String[] parts = null;
    if (!PLAIN_GROUP.matcher(r).find()) {
      Matcher m = SPLIT.matcher(r);
      if (m.matches()) {
        r = m.group(1) + "(" + m.group(2) + ")" + m.group(3);
        parts = new String[] {m.group(1), m.group(2), m.group(3)};
      }
    } else {
      parts = aroundFirstGroup(r);
    }
    boolean mayJoinWords =
        parts == null
            || mayJoinWords(
                parts,
                fenceBegin && begin == Begin.LINE,
                fenceBegin && begin == Begin.WORD,
                fenceEnd);
    boolean lineBegin = false;
    if (fenceBegin) {
      if (begin == Begin.LINE) {
        r = LINE_START + r;
        lineBegin = true;
      } else {
        r = WORD_START + r;
      }
    }
    if (fenceEnd) {
      r = r + WORD_END;
    }
    if (!lineBegin && ANCHORED_BEGIN.matcher(r).find()) {
      lineBegin = true;
    }
    boolean lineEnd = ANCHORED_END.matcher(r).find();
    Matcher stars = STARS.matcher(r);
    StringBuilder out = new StringBuilder();
    while (stars.find()) {
      stars.appendReplacement(out, Matcher.quoteReplacement(stars.group().replace("**", "")));
    }
    stars.appendTail(out);
    return new Fenced(flags + out, lineBegin, lineEnd, mayJoinWords);
  }

  /**
   * Whether cutting the date out can leave a word character right before another one. It cannot
   * when, on one side, the character next to the date is never a word character: the line start or
   * only non-word characters before it, a part of the regex that always ends (starts) with a
   * non-word character, or a word-boundary fence with a date that always starts (ends) with a word
   * character.
   *
   * @param parts the regex before the date, the date, the regex after it
   */
  private static boolean mayJoinWords(
      String[] parts, boolean lineFence, boolean wordStartFence, boolean wordEndFence) {
    String before = GLOBAL_FLAGS.matcher(parts[0]).replaceAll("");
    String after = parts[2];
    RegexFacts date = RegexFacts.of(parts[1].replace("**", ""));
    boolean nothingBefore;
    if (before.isEmpty() || before.equals("^")) {
      nothingBefore =
          before.equals("^")
              || lineFence
              || (wordStartFence && !date.nullable() && !date.mayStartNonWord());
    } else {
      RegexFacts b = RegexFacts.of(before);
      nothingBefore = !b.mayEndWord() && (before.startsWith("^") || lineFence || !b.nullable());
    }
    boolean nothingAfter;
    if (after.isEmpty() || after.equals("$")) {
      nothingAfter =
          after.equals("$") || (wordEndFence && !date.nullable() && !date.mayEndNonWord());
    } else {
      RegexFacts a = RegexFacts.of(after);
      nothingAfter = !a.mayStartWord() && (after.endsWith("$") || !a.nullable());
    }
    return !nothingBefore && !nothingAfter;
  }

  /**
   * The regex split around its first capturing group when that group is not nested: {before,
   * inside, after}; null otherwise.
   */
  private static String[] aroundFirstGroup(String r) {
    int depth = 0;
    int open = -1;
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = classEnd(r, i);
      } else if (c == '(') {
        // group 1 is the first capturing group, named ones included
        boolean capturing = !r.startsWith("(?", i) || r.startsWith("(?P<", i);
        if (capturing && open < 0) {
          if (depth > 0) {
            return null;
          }
          open = i;
        }
        depth++;
      } else if (c == ')') {
        depth--;
        if (open >= 0 && depth == 0) {
          return new String[] {r.substring(0, open), r.substring(open + 1, i), r.substring(i + 1)};
        }
      }
    }
    return null;
  }

  /** The index of the ']' closing the class opened at {@code i} (the last index if none). */
  private static int classEnd(String r, int i) {
    int j = i + 1;
    if (j < r.length() && r.charAt(j) == '^') {
      j++;
    }
    if (j < r.length() && r.charAt(j) == ']') {
      j++;
    }
    for (; j < r.length(); j++) {
      if (r.charAt(j) == '\\') {
        j++;
      } else if (r.charAt(j) == ']') {
        return j;
      }
    }
    return r.length() - 1;
  }

  /** A template's pattern without its fences, for embedding in a {@code {DATE}} pattern. */
  static String unbound(String pattern) {
    String p = pattern;
    if (p.startsWith(UNBOUND_MARK)) {
      p = p.substring(UNBOUND_MARK.length());
    }
    if (p.startsWith(LINE_BEGIN_MARK)) {
      p = p.substring(LINE_BEGIN_MARK.length());
    }
    p = p.replaceFirst("^\\((?:\\?:)?\\^\\|\\\\b\\|\\\\W\\)", "");
    p = p.replaceFirst("\\(\\?=\\\\b\\|\\\\W\\|\\$\\)$", "");
    return p;
  }
}
