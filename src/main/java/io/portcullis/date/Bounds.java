package io.portcullis.date;

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

  /** The fenced regex and whether it is anchored at the line start or at the line end. */
  record Fenced(String regex, boolean lineBegin, boolean lineEnd) {}

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
    if (!PLAIN_GROUP.matcher(r).find()) {
      Matcher m = SPLIT.matcher(r);
      if (m.matches()) {
        r = m.group(1) + "(" + m.group(2) + ")" + m.group(3);
      }
    }
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
    return new Fenced(flags + out, lineBegin, lineEnd);
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
