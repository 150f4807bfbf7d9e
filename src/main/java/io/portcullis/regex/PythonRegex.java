package io.portcullis.regex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression written in Python's {@code re} dialect (as fail2ban's filters are), compiled
 * to a {@link java.util.regex.Pattern} with the same meaning.
 *
 * <p>Design note: the translation is a single scan that rewrites only what the dialects disagree
 * on. Group names become {@code g0, g1, ...} because Java names cannot hold underscores; Python's
 * conditional {@code (?(name)yes|no)}, which Java lacks, becomes {@code (?:\k<m>yes|(?!\k<m>)no)}
 * where {@code m} is an empty group placed at the end of group {@code name}: a back-reference to a
 * group that did not take part fails in Java, so {@code \k<m>} matches (empty) exactly when {@code
 * name} matched. Group numbers shift by those markers, so back-references are renumbered.
 *
 * <p>Python 3 reads a str pattern as Unicode: {@code \w} is every letter, digit or numeric
 * character and the underscore, {@code \d} every decimal digit, {@code \s} every white space
 * (including U+001C..U+001F), {@code \b} a boundary between those word characters and the rest, and
 * {@code (?i)} folds case beyond ASCII. Java's classes are ASCII by default and its {@code
 * UNICODE_CHARACTER_CLASS} means other sets (marks and connector punctuation in {@code \w}), so
 * each class is written out as explicit Unicode categories, {@code \b} as look-arounds over them,
 * and {@code (?i)} gains Java's {@code u}; {@code (?a)} keeps them ASCII, as in Python.
 */
public final class PythonRegex {
  /** Hex digits for {@link #latin1}; declared first, as the classes below are built from it. */
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final String source;
  private final Pattern pattern;
  private final Map<String, String> javaNames;
  private final int[] javaGroupOfPython;

  /**
   * Python group name to Java group number: Matcher.group(String) looks the name up in two hash
   * maps on every call, and a filter reads every named group of every line that matches.
   */
  private final Map<String, Integer> javaNumbers;

  private PythonRegex(
      String source,
      Pattern pattern,
      Map<String, String> javaNames,
      int[] javaGroupOfPython,
      Map<String, Integer> javaNumbers) {
    this.source = source;
    this.pattern = pattern;
    this.javaNames = javaNames;
    this.javaGroupOfPython = javaGroupOfPython;
    this.javaNumbers = javaNumbers;
  }

  /**
   * Compiles a Python-syntax regex.
   *
   * @param multiline whether ^ and $ match at every line (fail2ban's multi-line buffers)
   * @throws RegexSyntaxException when Python would reject the regex or Java cannot express it
   */
  public static PythonRegex compile(String python, boolean multiline) {
    Translator t = new Translator(python);
    String java = t.translate();
    int flags = Pattern.UNIX_LINES | (multiline ? Pattern.MULTILINE : 0);
    try {
      Pattern p = Pattern.compile(java, flags);
      int[] map = new int[t.pythonGroups + 1];
      for (int i = 0; i <= t.pythonGroups; i++) {
        map[i] = t.javaGroupOf.getOrDefault(i, i);
      }
      Map<String, Integer> numbers = new HashMap<>();
      t.pythonNumberOf.forEach((name, number) -> numbers.put(name, map[number]));
      return new PythonRegex(python, p, Collections.unmodifiableMap(t.names), map, numbers);
    } catch (PatternSyntaxException e) {
      throw new RegexSyntaxException(python, describe(e));
    }
  }

  private static String describe(PatternSyntaxException e) {
    String d = e.getDescription();
    return d == null ? "invalid regular expression" : d;
  }

  public String source() {
    return source;
  }

  public Pattern pattern() {
    return pattern;
  }

  /** Python group names in the order they appear, mapped to the Java group names used. */
  public Map<String, String> groupNames() {
    return javaNames;
  }

  public boolean hasGroup(String pythonName) {
    return javaNames.containsKey(pythonName);
  }

  /** The Java group number for a Python group number. */
  public int javaGroup(int pythonGroup) {
    return javaGroupOfPython[pythonGroup];
  }

  public int pythonGroupCount() {
    return javaGroupOfPython.length - 1;
  }

  /** The Java group number of a named Python group, or -1 when there is no such group. */
  public int javaGroup(String pythonName) {
    Integer j = javaNumbers.get(pythonName);
    return j == null ? -1 : j;
  }

  /** The text a named group captured in a match of this regex, or null. */
  public String group(Matcher m, String pythonName) {
    Integer j = javaNumbers.get(pythonName);
    return j == null ? null : m.group(j);
  }

  /** Start of a named group in a match, or -1. */
  public int start(Matcher m, String pythonName) {
    Integer j = javaNumbers.get(pythonName);
    return j == null ? -1 : m.start(j);
  }

  @Override
  public String toString() {
    return source;
  }

  // Java compiles a class to a chain of predicates, one per range or property and one for all
  // single characters below 256 together (a bit table). So each class below lists its Latin-1
  // members one by one, which makes one table look-up decide for nearly every character of a log,
  // and asks a character's Unicode category only from U+0100 on.

  /** Python's Unicode {@code \w}: str.isalnum() (letters and numbers) or the underscore. */
  static final String WORD = "[" + latin1("LN_") + "[\\u0100-\\x{10FFFF}&&[\\p{L}\\p{N}]]]";

  /** Python's Unicode {@code \d}: decimal digits. */
  static final String DIGIT = "[" + latin1("d") + "[\\u0100-\\x{10FFFF}&&\\p{Nd}]]";

  /** Python's Unicode {@code \s}: str.isspace(), which adds U+001C..U+001F to Unicode's set. */
  static final String SPACE =
      "["
          + latin1("s")
          + "[\\u1680-\\u3000&&[\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]]]";

  // The complements are written out the same way rather than as [^...]: a negated class is a
  // predicate around the whole chain, which is then walked to its end for nearly every character.

  /** Python's {@code \W}. */
  static final String NOT_WORD = "[" + latin1("^LN_") + "[\\u0100-\\x{10FFFF}&&[^\\p{L}\\p{N}]]]";

  /** Python's {@code \D}. */
  static final String NOT_DIGIT = "[" + latin1("^d") + "[\\u0100-\\x{10FFFF}&&\\P{Nd}]]";

  /** Python's {@code \S}. */
  static final String NOT_SPACE =
      "["
          + latin1("^s")
          + "[\\u0100-\\x{10FFFF}&&[^\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]]]";

  /**
   * The characters below U+0100 of a class, each as an escape: {@code L} letters, {@code N}
   * numbers, {@code _} the underscore, {@code d} decimal digits, {@code s} Python's spaces; with a
   * leading {@code ^}, the characters below U+0100 that are none of those.
   */
  private static String latin1(String what) {
    StringBuilder out = new StringBuilder();
    for (char c = 0; c < 0x100; c++) {
      int type = Character.getType(c);
      boolean letter =
          type == Character.UPPERCASE_LETTER
              || type == Character.LOWERCASE_LETTER
              || type == Character.TITLECASE_LETTER
              || type == Character.MODIFIER_LETTER
              || type == Character.OTHER_LETTER;
      boolean number =
          type == Character.DECIMAL_DIGIT_NUMBER
              || type == Character.LETTER_NUMBER
              || type == Character.OTHER_NUMBER;
      boolean in =
          (what.contains("L") && letter)
              || (what.contains("N") && number)
              || (what.contains("_") && c == '_')
              || (what.contains("d") && type == Character.DECIMAL_DIGIT_NUMBER)
              || (what.contains("s")
                  && ((c >= 0x09 && c <= 0x0D)
                      || (c >= 0x1C && c <= 0x20)
                      || c == 0x85
                      || c == 0xA0));
      if (in != what.startsWith("^")) {
        // not String.format: this runs 1,536 times in the class's initialisation, before any
        // regex compiles, and a Formatter each time was a fifth of a cold date set's build
        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  /** One scan over the Python text, emitting Java text. */
  private static final class Translator {
    private static final Pattern CONDITIONAL_REF = Pattern.compile("\\(\\?\\((\\w+)\\)");
    private static final Pattern QUANTIFIER = Pattern.compile("\\{(\\d*)(,?)(\\d*)}");

    private final String src;
    private final StringBuilder out = new StringBuilder();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<Integer, Integer> javaGroupOf = new HashMap<>();
    private final Map<String, Integer> pythonNumberOf = new HashMap<>();
    private final Set<String> conditionalTargets = new HashSet<>();
    private final Map<String, String> markerOf = new HashMap<>();
    private final List<Frame> stack = new ArrayList<>();
    private int pythonGroups;
    private int javaGroups;
    private int pos;

    /** What an open parenthesis needs when it closes. */
    private static final class Frame {
      String closeWith = ")";
      // closeWith writes an empty marker group (a group a conditional tests), counted at the close
      boolean closesWithMarker;
      String conditionalMarker;
      boolean sawAlternative;
      boolean asciiBefore;
    }

    /** Whether {@code \w \d \s \b} are ASCII here: Python's {@code (?a)}. */
    private boolean ascii;

    Translator(String src) {
      this.src = src;
    }

    String translate() {
      findConditionalTargets();
      while (pos < src.length()) {
        char c = src.charAt(pos);
        int at = out.length();
        int atom = -1;
        switch (c) {
          case '\\' -> {
            char n = pos + 1 < src.length() ? src.charAt(pos + 1) : 0;
            escape(false);
            // a class (\d, \S ...) or an escaped symbol (\. \') is one character's test
            atom =
                "wWdDsS".indexOf(n) >= 0 || (n > ' ' && n < 0x7f && !Character.isLetterOrDigit(n))
                    ? at
                    : -1;
          }
          case '[' -> {
            charClass();
            atom = at;
          }
          case '(' -> open();
          case ')' -> close();
          case '|' -> alternative();
          case '{' -> brace();
          case '}' -> {
            out.append("\\}");
            pos++;
          }
          case '*', '+' -> {
            if (lastAtom >= 0 && pos + 1 < src.length() && src.charAt(pos + 1) == '+') {
              possessive(c);
            } else {
              out.append(c);
              pos++;
            }
          }
          default -> {
            atom = c == '.' ? at : -1;
            out.append(c);
            pos++;
          }
        }
        lastAtom = atom;
      }
      if (!stack.isEmpty()) {
        throw new RegexSyntaxException(src, "missing ), unterminated subpattern");
      }
      return out.toString();
    }

    /**
     * Where in {@link #out} the element just written starts when it tests one character (a class,
     * {@code .}, a class escape or an escaped symbol), else -1.
     */
    private int lastAtom = -1;

    /**
     * {@code C*+} or {@code C++} after a one-character test {@code C}: written {@code (?>C*)},
     * which Java defines as the same thing. Java runs a greedy class loop in one tight loop
     * (CharPropertyGreedy) but a possessive one through a node call per character: on the shipped
     * asterisk filter's pjsip line the form took 0.5 of its 3.8 us.
     */
    private void possessive(char quantifier) {
      out.insert(lastAtom, "(?>").append(quantifier).append(')');
      pos += 2;
    }

    /** Conditionals refer back to groups: learn which ones need a marker before emitting. */
    private void findConditionalTargets() {
      Matcher m = CONDITIONAL_REF.matcher(src);
      while (m.find()) {
        if (m.start() > 0 && src.charAt(m.start() - 1) == '\\') {
          continue;
        }
        conditionalTargets.add(m.group(1));
      }
    }

    private void escape(boolean inClass) {
      if (pos + 1 >= src.length()) {
        throw new RegexSyntaxException(src, "bad escape (end of pattern)");
      }
      char n = src.charAt(pos + 1);
      pos += 2;
      switch (n) {
        case 'Z' -> out.append(inClass ? "Z" : "\\z");
        case 'v' -> out.append("\\x0B");
        case 'a' -> out.append("\\x07");
        case 'b' -> out.append(inClass ? "\\x08" : boundary(true));
        case 'B' -> out.append(inClass ? "\\B" : boundary(false));
        case 'w', 'W', 'd', 'D', 's', 'S' -> out.append(classEscape(n));
        case 'U' -> {
          String hex = src.substring(pos, Math.min(pos + 8, src.length()));
          out.append("\\x{").append(hex).append('}');
          pos += hex.length();
        }
        case '0' -> out.append("\\x00");
        default -> {
          if (!inClass && n >= '1' && n <= '9') {
            backReference(n);
          } else if (Character.isLetter(n) && "dDsSwWntrfxuAB".indexOf(n) < 0) {
            throw new RegexSyntaxException(src, "bad escape \\" + n + " at position " + (pos - 2));
          } else {
            out.append('\\').append(n);
          }
        }
      }
    }

    /** {@code \w \W \d \D \s \S} with Python's meaning, inside a class or standing alone. */
    private String classEscape(char n) {
      if (ascii) {
        return "\\" + n;
      }
      // a class nested in a class joins it, also in a negated one: [^\W\d] is [^[W][d]]
      return switch (n) {
        case 'w' -> WORD;
        case 'W' -> NOT_WORD;
        case 'd' -> DIGIT;
        case 'D' -> NOT_DIGIT;
        case 's' -> SPACE;
        default -> NOT_SPACE;
      };
    }

    /** Python's {@code \b} (or {@code \B}): between a word character and anything else. */
    private String boundary(boolean at) {
      String word = ascii ? "[a-zA-Z0-9_]" : WORD;
      // {1,2}: Java looks one char back, which for a letter outside the BMP is half of it; from
      // two chars back a class reads the whole code point (and two word chars end in one)
      String behind = ascii ? word : word + "{1,2}";
      return at
          ? "(?:(?<=" + behind + ")(?!" + word + ")|(?<!" + behind + ")(?=" + word + "))"
          : "(?:(?<=" + behind + ")(?=" + word + ")|(?<!" + behind + ")(?!" + word + "))";
    }

    private void backReference(char first) {
      int number = first - '0';
      if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
        number = number * 10 + (src.charAt(pos) - '0');
        pos++;
      }
      Integer java = javaGroupOf.get(number);
      if (java == null) {
        throw new RegexSyntaxException(src, "invalid group reference " + number);
      }
      out.append("(?:\\").append(java).append(')');
    }

    private void charClass() {
      out.append('[');
      pos++;
      if (pos < src.length() && src.charAt(pos) == '^') {
        out.append('^');
        pos++;
      }
      if (pos < src.length() && src.charAt(pos) == ']') {
        out.append("\\]");
        pos++;
      }
      while (pos < src.length()) {
        char c = src.charAt(pos);
        if (c == ']') {
          out.append(']');
          pos++;
          return;
        }
        if (c == '\\') {
          escape(true);
          continue;
        }
        if (c == '[' || c == '&' || c == '{' || c == '}') {
          out.append('\\');
        }
        out.append(c);
        pos++;
      }
      throw new RegexSyntaxException(src, "unterminated character set");
    }

    private void open() {
      Frame frame = new Frame();
      frame.asciiBefore = ascii;
      if (src.startsWith("(?P<", pos) || (src.startsWith("(?<", pos) && isNameStart(pos + 3))) {
        int nameStart = pos + (src.charAt(pos + 2) == 'P' ? 4 : 3);
        int end = src.indexOf('>', nameStart);
        if (end < 0) {
          throw new RegexSyntaxException(src, "missing >, unterminated name");
        }
        String name = src.substring(nameStart, end);
        if (!name.matches("[A-Za-z_]\\w*")) {
          throw new RegexSyntaxException(src, "bad character in group name '" + name + "'");
        }
        if (names.containsKey(name)) {
          throw new RegexSyntaxException(src, "redefinition of group name '" + name + "'");
        }
        String java = "g" + names.size();
        names.put(name, java);
        int number = newGroup();
        pythonNumberOf.put(name, number);
        out.append("(?<").append(java).append('>');
        pos = end + 1;
        frame.closeWith = markerClose(name, frame);
      } else if (src.startsWith("(?P=", pos)) {
        int end = src.indexOf(')', pos);
        if (end < 0) {
          // was a StringIndexOutOfBoundsException (PythonRegexFuzzTest)
          throw new RegexSyntaxException(src, "missing ), unterminated name");
        }
        String name = src.substring(pos + 4, end);
        String java = names.get(name);
        if (java == null) {
          throw new RegexSyntaxException(src, "unknown group name '" + name + "'");
        }
        out.append("\\k<").append(java).append('>');
        pos = end + 1;
        return;
      } else if (src.startsWith("(?#", pos)) {
        int end = src.indexOf(')', pos);
        if (end < 0) {
          throw new RegexSyntaxException(src, "missing ), unterminated comment");
        }
        pos = end + 1;
        return;
      } else if (src.startsWith("(?(", pos)) {
        int end = src.indexOf(')', pos + 3);
        if (end < 0) {
          // was a StringIndexOutOfBoundsException (PythonRegexFuzzTest)
          throw new RegexSyntaxException(src, "missing ), unterminated name");
        }
        String ref = src.substring(pos + 3, end);
        if (ref.isEmpty()) {
          throw new RegexSyntaxException(src, "missing group name");
        }
        String marker = markerOf.get(ref);
        // at most 9 ASCII digits: a longer number was a NumberFormatException (no such group)
        if (marker == null
            && ref.length() <= 9
            && ref.chars().allMatch(c -> c >= '0' && c <= '9')) {
          marker = markerOf.get(numberedName(Integer.parseInt(ref)));
        }
        if (marker == null) {
          throw new RegexSyntaxException(
              src, "conditional refers to group '" + ref + "' that is not defined before it");
        }
        frame.conditionalMarker = marker;
        out.append("(?:\\k<").append(marker).append('>');
        pos = end + 1;
      } else if (src.startsWith("(?", pos)) {
        frame.asciiBefore = ascii;
        if (!flags(frame)) {
          return;
        }
      } else {
        int number = newGroup();
        out.append('(');
        pos++;
        frame.closeWith = markerClose("#" + number, frame);
      }
      stack.add(frame);
    }

    private String numberedName(int number) {
      for (Map.Entry<String, Integer> e : pythonNumberOf.entrySet()) {
        if (e.getValue() == number) {
          return e.getKey();
        }
      }
      return "#" + number;
    }

    private boolean isNameStart(int at) {
      return at < src.length() && (Character.isLetter(src.charAt(at)) || src.charAt(at) == '_');
    }

    private int newGroup() {
      pythonGroups++;
      javaGroups++;
      javaGroupOf.put(pythonGroups, javaGroups);
      return pythonGroups;
    }

    /** A group a conditional tests gets an empty marker group just before it closes. */
    private String markerClose(String key, Frame frame) {
      boolean target =
          conditionalTargets.contains(key)
              || (key.startsWith("#") && conditionalTargets.contains(key.substring(1)));
      if (!target) {
        return ")";
      }
      String marker = "m" + markerOf.size();
      frame.closesWithMarker = true;
      markerOf.put(key, marker);
      if (key.startsWith("#")) {
        markerOf.put(key.substring(1), marker);
      }
      // counted in close(), where it is written: Java numbers groups by where they open, and
      // groups nested in this one open before its marker
      return "(?<" + marker + ">))";
    }

    /** Emits an extension group's opening; false when it was a global flag set with no body. */
    private boolean flags(Frame frame) {
      int i = pos + 2;
      StringBuilder keep = new StringBuilder();
      boolean asciiFlag = false;
      while (i < src.length() && Character.isLetter(src.charAt(i))) {
        char f = src.charAt(i);
        if ("imsx".indexOf(f) >= 0) {
          keep.append(f);
        } else if (f == 'a') {
          asciiFlag = true;
        } else if ("uL".indexOf(f) < 0) {
          throw new RegexSyntaxException(src, "unknown flag '" + f + "'");
        }
        i++;
      }
      if (keep.indexOf("i") >= 0 && !asciiFlag) {
        // Python folds case beyond ASCII in a str pattern; Java does with u
        keep.append('u');
      }
      if (i < src.length() && src.charAt(i) == ')' && i > pos + 2) {
        // global flags: (?iu)
        if (keep.length() > 0) {
          out.append("(?").append(keep).append(')');
        }
        ascii |= asciiFlag;
        pos = i + 1;
        return false;
      }
      if (i < src.length() && (src.charAt(i) == ':' || src.charAt(i) == '-') && i > pos + 2) {
        out.append("(?").append(keep);
        frame.asciiBefore = ascii;
        ascii |= asciiFlag;
        pos = i;
        return true;
      }
      // (?: (?= (?! (?<= (?<! (?> and anything else Java understands alike
      out.append("(?");
      pos += 2;
      return true;
    }

    private void close() {
      if (stack.isEmpty()) {
        throw new RegexSyntaxException(src, "unbalanced parenthesis at position " + pos);
      }
      Frame frame = stack.remove(stack.size() - 1);
      ascii = frame.asciiBefore;
      if (frame.conditionalMarker != null && !frame.sawAlternative) {
        out.append("|(?!\\k<").append(frame.conditionalMarker).append(">)");
      }
      if (frame.closesWithMarker) {
        javaGroups++; // the marker group
      }
      out.append(frame.closeWith);
      pos++;
    }

    private void alternative() {
      Frame top = stack.isEmpty() ? null : stack.get(stack.size() - 1);
      if (top != null && top.conditionalMarker != null && !top.sawAlternative) {
        top.sawAlternative = true;
        out.append("|(?!\\k<").append(top.conditionalMarker).append(">)");
      } else {
        out.append('|');
      }
      pos++;
    }

    private void brace() {
      Matcher m = QUANTIFIER.matcher(src);
      m.region(pos, src.length());
      if (m.lookingAt() && (!m.group(1).isEmpty() || !m.group(3).isEmpty())) {
        String min = m.group(1).isEmpty() ? "0" : m.group(1);
        out.append('{').append(min).append(m.group(2)).append(m.group(3)).append('}');
        pos = m.end();
      } else {
        out.append("\\{");
        pos++;
      }
    }
  }
}
