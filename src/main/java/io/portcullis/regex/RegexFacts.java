package io.portcullis.regex;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What every match of a Python-syntax regex must look like, read from the regex's structure without
 * running it: the literal words a match contains ({@link #need}), whether a match can be empty, and
 * whether it may begin or end with a character that is not a word character.
 *
 * <p>Design note: one recursive-descent pass computes, for each part of the regex, the exact set of
 * texts it can match when that set is small and literal ({@code NOTICE|WARNING} followed by {@code
 * \[} gives {"NOTICE[", "WARNING["}), else a {@link Need} formula. Exact sets of neighbours are
 * multiplied out so that a word split by a group ({@code (?P<s>res_pjsip)_session}) is seen whole.
 * Every answer is conservative: where the regex uses something this reading does not follow
 * (verbose mode, case folding, back-references), it claims nothing there, never something false.
 * Character classes count as "may be a non-word character" unless they plainly hold only word
 * characters.
 */
public final class RegexFacts {
  /** Words shorter than this are too common to be worth searching for. */
  public static final int MIN_WORD = 3;

  private static final int MAX_EXACT = 32;
  private static final RegexFacts UNKNOWN =
      new RegexFacts(Need.ANY, true, new Ends(true, true, true, true));

  private final Need need;
  private final boolean nullable;
  private final Ends ends;

  private RegexFacts(Need need, boolean nullable, Ends ends) {
    this.need = need;
    this.nullable = nullable;
    this.ends = ends;
  }

  /** Which kinds of character a match may begin and end with: a word character, a non-word one. */
  private record Ends(
      boolean firstWord, boolean firstNonWord, boolean lastWord, boolean lastNonWord) {
    static final Ends NONE = new Ends(false, false, false, false);

    /** One character (or class) whose members may be word and non-word characters. */
    static Ends of(boolean word, boolean nonWord) {
      return new Ends(word, nonWord, word, nonWord);
    }

    Ends or(Ends o) {
      return new Ends(
          firstWord || o.firstWord,
          firstNonWord || o.firstNonWord,
          lastWord || o.lastWord,
          lastNonWord || o.lastNonWord);
    }

    Ends firstOnly() {
      return new Ends(firstWord, firstNonWord, false, false);
    }

    Ends lastOnly() {
      return new Ends(false, false, lastWord, lastNonWord);
    }
  }

  /** Reads a regex; one it cannot follow gives facts that claim nothing. */
  public static RegexFacts of(String python) {
    try {
      Parser p = new Parser(python);
      Info i = p.whole();
      return new RegexFacts(i.need(), i.nullable, i.ends);
    } catch (Unsupported | RuntimeException e) {
      return UNKNOWN;
    }
  }

  /** Words every match contains (in the text the regex is searched in). */
  public Need need() {
    return need;
  }

  /** Whether the regex can match the empty text. */
  public boolean nullable() {
    return nullable;
  }

  /** Whether a match may begin with a character that is not a (Unicode) word character. */
  public boolean mayStartNonWord() {
    return ends.firstNonWord();
  }

  /** Whether a match may end with a character that is not a (Unicode) word character. */
  public boolean mayEndNonWord() {
    return ends.lastNonWord();
  }

  /** Whether a match may begin with a (Unicode) word character. */
  public boolean mayStartWord() {
    return ends.firstWord();
  }

  /** Whether a match may end with a (Unicode) word character. */
  public boolean mayEndWord() {
    return ends.lastWord();
  }

  /** A construct this reading does not follow. */
  private static final class Unsupported extends Exception {
    private static final long serialVersionUID = 1L;

    Unsupported() {
      super(null, null, false, false);
    }
  }

  /**
   * What one part of a regex matches: an exact set of texts (null when not small and literal),
   * otherwise a formula; whether it can be empty; what its first and last characters may be.
   */
  private static final class Info {
    final Set<String> exact;
    final Need formula;
    final boolean nullable;
    final Ends ends;

    Info(Set<String> exact, Need formula, boolean nullable, Ends ends) {
      this.exact = exact;
      this.formula = formula;
      this.nullable = nullable;
      this.ends = ends;
    }

    static Info exact(Set<String> texts, Ends ends) {
      return new Info(texts, null, texts.contains(""), ends);
    }

    /** Zero width: an anchor or a look-around. */
    static Info empty() {
      return new Info(Set.of(""), null, true, Ends.NONE);
    }

    /** A character or class that is not a small literal set. */
    static Info chars(boolean word, boolean nonWord) {
      return new Info(null, Need.ANY, false, Ends.of(word, nonWord));
    }

    Need need() {
      return exact != null ? needOf(exact) : formula;
    }
  }

  private static Need needOf(Set<String> texts) {
    List<Need> options = new ArrayList<>();
    for (String t : texts) {
      options.add(Need.wordsOf(t, MIN_WORD));
    }
    return Need.oneOf(options);
  }

  /** Python's Unicode {@code \\w}: a letter, a number or the underscore. */
  public static boolean isWord(int codePoint) {
    if (codePoint == '_') {
      return true;
    }
    int type = Character.getType(codePoint);
    return type == Character.UPPERCASE_LETTER
        || type == Character.LOWERCASE_LETTER
        || type == Character.TITLECASE_LETTER
        || type == Character.MODIFIER_LETTER
        || type == Character.OTHER_LETTER
        || type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  private static Set<String> product(Set<String> a, Set<String> b) {
    if (a.size() == 1 && b.size() == 1) {
      // a run of literal characters, the usual case
      return Set.of(a.iterator().next() + b.iterator().next());
    }
    Set<String> out = new LinkedHashSet<>();
    for (String x : a) {
      for (String y : b) {
        out.add(x + y);
      }
    }
    return out;
  }

  private static final class Parser {
    private final String src;
    private int pos;
    private boolean ignoreCase;

    Parser(String src) {
      this.src = src;
    }

    Info whole() throws Unsupported {
      scanGlobalFlags();
      Info i = alternation();
      if (pos != src.length()) {
        throw new Unsupported();
      }
      return i;
    }

    /** Python applies (?i) and (?x) anywhere to the whole regex (3.11 wants them in front). */
    private void scanGlobalFlags() throws Unsupported {
      for (int i = src.indexOf("(?"); i >= 0; i = src.indexOf("(?", i + 2)) {
        if (escaped(i)) {
          continue;
        }
        int j = i + 2;
        while (j < src.length() && "aiLmsux".indexOf(src.charAt(j)) >= 0) {
          j++;
        }
        if (j > i + 2 && j < src.length() && src.charAt(j) == ')') {
          String flags = src.substring(i + 2, j);
          if (flags.contains("x")) {
            throw new Unsupported();
          }
          if (flags.contains("i")) {
            ignoreCase = true;
          }
        }
      }
    }

    private boolean escaped(int i) {
      int backslashes = 0;
      for (int k = i - 1; k >= 0 && src.charAt(k) == '\\'; k--) {
        backslashes++;
      }
      return backslashes % 2 == 1;
    }

    private Info alternation() throws Unsupported {
      List<Info> options = new ArrayList<>();
      options.add(sequence());
      while (pos < src.length() && src.charAt(pos) == '|') {
        pos++;
        options.add(sequence());
      }
      return options.size() == 1 ? options.get(0) : alternatives(options);
    }

    private static Info alternatives(List<Info> options) {
      Set<String> exact = new LinkedHashSet<>();
      List<Need> needs = new ArrayList<>();
      boolean nullable = false;
      Ends ends = Ends.NONE;
      for (Info o : options) {
        if (exact != null && o.exact != null) {
          exact.addAll(o.exact);
          if (exact.size() > MAX_EXACT) {
            exact = null;
          }
        } else {
          exact = null;
        }
        nullable |= o.nullable;
        ends = ends.or(o.ends);
      }
      if (exact != null) {
        return new Info(exact, null, nullable, ends);
      }
      // the options' formulas only when the set is not exact (each one is a set of word lists)
      for (Info o : options) {
        needs.add(o.need());
      }
      return new Info(null, Need.oneOf(needs), nullable, ends);
    }

    private Info sequence() throws Unsupported {
      List<Info> items = new ArrayList<>();
      while (pos < src.length()) {
        char c = src.charAt(pos);
        if (c == '|' || c == ')') {
          break;
        }
        Info atom = atom();
        if (atom != null) {
          items.add(quantified(atom));
        }
      }
      return concat(items);
    }

    private static Info concat(List<Info> items) {
      List<Need> parts = new ArrayList<>();
      Set<String> run = Set.of("");
      boolean whole = true;
      for (Info i : items) {
        if (i.exact != null && (long) run.size() * i.exact.size() <= MAX_EXACT) {
          run = product(run, i.exact);
          continue;
        }
        whole = false;
        parts.add(needOf(run));
        if (i.exact != null) {
          run = i.exact;
        } else {
          parts.add(i.formula);
          run = Set.of("");
        }
      }
      // the first character comes from the first item, or a later one when those before are empty
      boolean nullable = true;
      Ends ends = Ends.NONE;
      for (Info i : items) {
        ends = ends.or(i.ends.firstOnly());
        if (!i.nullable) {
          nullable = false;
          break;
        }
      }
      for (int k = items.size() - 1; k >= 0; k--) {
        ends = ends.or(items.get(k).ends.lastOnly());
        if (!items.get(k).nullable) {
          break;
        }
      }
      if (whole) {
        return new Info(run, null, nullable, ends);
      }
      parts.add(needOf(run));
      return new Info(null, Need.all(parts), nullable, ends);
    }

    /** One atom, or null for something that matches nothing at all (a comment). */
    private Info atom() throws Unsupported {
      char c = src.charAt(pos);
      switch (c) {
        case '(':
          return group();
        case '[':
          return charClass();
        case '\\':
          return escape();
        case '.':
          pos++;
          return Info.chars(true, true);
        case '^':
        case '$':
          pos++;
          return Info.empty();
        case '*':
        case '+':
        case '?':
          throw new Unsupported();
        case '{':
          if (quantifierAt(pos) != null) {
            throw new Unsupported();
          }
          pos++;
          return literal('{');
        default:
          pos++;
          return literal(c);
      }
    }

    private Info literal(int codePoint) {
      boolean word = isWord(codePoint);
      if (ignoreCase) {
        return Info.chars(word, !word);
      }
      return Info.exact(Set.of(new String(Character.toChars(codePoint))), Ends.of(word, !word));
    }

    private Info group() throws Unsupported {
      pos++; // '('
      if (!src.startsWith("?", pos)) {
        return closeGroup(alternation());
      }
      pos++;
      if (src.startsWith(":", pos) || src.startsWith(">", pos)) {
        pos++;
        return closeGroup(alternation());
      }
      if (src.startsWith("P<", pos)) {
        int close = src.indexOf('>', pos);
        if (close < 0) {
          throw new Unsupported();
        }
        pos = close + 1;
        return closeGroup(alternation());
      }
      if (src.startsWith("P=", pos)) {
        int close = src.indexOf(')', pos);
        if (close < 0) {
          throw new Unsupported();
        }
        pos = close + 1;
        return backReference();
      }
      if (src.startsWith("=", pos) || src.startsWith("!", pos)) {
        pos++;
        closeGroup(alternation());
        return Info.empty();
      }
      if (src.startsWith("<=", pos) || src.startsWith("<!", pos)) {
        pos += 2;
        closeGroup(alternation());
        return Info.empty();
      }
      if (src.startsWith("#", pos)) {
        int close = src.indexOf(')', pos);
        if (close < 0) {
          throw new Unsupported();
        }
        pos = close + 1;
        return null;
      }
      if (src.startsWith("(", pos)) {
        // (?(group)yes|no): one of the two branches
        int close = src.indexOf(')', pos);
        if (close < 0) {
          throw new Unsupported();
        }
        pos = close + 1;
        Info yes = sequence();
        Info no = Info.empty();
        if (pos < src.length() && src.charAt(pos) == '|') {
          pos++;
          no = sequence();
        }
        return closeGroup(alternatives(List.of(yes, no)));
      }
      return flagGroup();
    }

    /** {@code (?aiLmsux)} (read before) or {@code (?flags-flags:...)}. */
    private Info flagGroup() throws Unsupported {
      int start = pos;
      while (pos < src.length() && "aiLmsux-".indexOf(src.charAt(pos)) >= 0) {
        pos++;
      }
      if (pos >= src.length()) {
        throw new Unsupported();
      }
      String flags = src.substring(start, pos);
      if (src.charAt(pos) == ')') {
        pos++;
        return null;
      }
      if (src.charAt(pos) != ':') {
        throw new Unsupported();
      }
      pos++;
      int minus = flags.indexOf('-');
      String on = minus < 0 ? flags : flags.substring(0, minus);
      String off = minus < 0 ? "" : flags.substring(minus + 1);
      if (on.contains("x")) {
        throw new Unsupported();
      }
      boolean saved = ignoreCase;
      if (on.contains("i")) {
        ignoreCase = true;
      }
      // a global (?i) cannot be switched off for a part: keep reading it as folded
      if (off.contains("i") && !saved) {
        ignoreCase = false;
      }
      Info inner = closeGroup(alternation());
      ignoreCase = saved;
      return inner;
    }

    private Info closeGroup(Info inner) throws Unsupported {
      if (pos >= src.length() || src.charAt(pos) != ')') {
        throw new Unsupported();
      }
      pos++;
      return inner;
    }

    private static Info backReference() {
      // the group's text again: may be empty, may be anything
      return new Info(null, Need.ANY, true, Ends.of(true, true));
    }

    private Info quantified(Info atom) throws Unsupported {
      if (pos >= src.length()) {
        return atom;
      }
      int min;
      int max;
      char c = src.charAt(pos);
      if (c == '*' || c == '+' || c == '?') {
        min = c == '+' ? 1 : 0;
        max = c == '?' ? 1 : Integer.MAX_VALUE;
        pos++;
      } else if (c == '{' && quantifierAt(pos) != null) {
        int[] q = quantifierAt(pos);
        min = q[0];
        max = q[1];
        pos = q[2];
      } else {
        return atom;
      }
      if (pos < src.length() && (src.charAt(pos) == '?' || src.charAt(pos) == '+')) {
        pos++; // lazy or possessive: the same texts
      }
      if (pos < src.length() && "*+?".indexOf(src.charAt(pos)) >= 0) {
        throw new Unsupported(); // "multiple repeat" in Python
      }
      return repeat(atom, min, max);
    }

    private static Info repeat(Info atom, int min, int max) {
      if (max == 0) {
        return Info.empty();
      }
      boolean nullable = min == 0 || atom.nullable;
      if (atom.exact != null && max <= 3 && min == max) {
        Set<String> out = Set.of("");
        for (int k = 0; k < min && out != null; k++) {
          out =
              (long) out.size() * atom.exact.size() <= MAX_EXACT ? product(out, atom.exact) : null;
        }
        if (out != null) {
          return new Info(out, null, nullable, atom.ends);
        }
      }
      if (atom.exact != null && min == 0 && max == 1) {
        Set<String> out = new LinkedHashSet<>(atom.exact);
        out.add("");
        return new Info(out, null, true, atom.ends);
      }
      Need need = min >= 1 ? atom.need() : Need.ANY;
      return new Info(null, need, nullable, atom.ends);
    }

    /**
     * Whether the text between braces is {@code \\d*(,\\d*)?} and not empty (read by hand: a regex
     * compiled for each brace was a good part of a cold filter build).
     */
    private static boolean isQuantifierBody(String body) {
      if (body.isEmpty()) {
        return false;
      }
      boolean comma = false;
      for (int i = 0; i < body.length(); i++) {
        char c = body.charAt(i);
        if (c == ',' && !comma) {
          comma = true;
        } else if (c < '0' || c > '9') {
          return false;
        }
      }
      return true;
    }

    /** {min, max, end} of a {m,n} quantifier at {@code at}, or null when it is a literal brace. */
    private int[] quantifierAt(int at) {
      int close = src.indexOf('}', at);
      if (close < 0) {
        return null;
      }
      String body = src.substring(at + 1, close);
      if (!isQuantifierBody(body)) {
        return null;
      }
      int comma = body.indexOf(',');
      if (comma < 0) {
        int n = Integer.parseInt(body);
        return new int[] {n, n, close + 1};
      }
      String lo = body.substring(0, comma);
      String hi = body.substring(comma + 1);
      return new int[] {
        lo.isEmpty() ? 0 : Integer.parseInt(lo),
        hi.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(hi),
        close + 1
      };
    }

    private Info escape() throws Unsupported {
      if (pos + 1 >= src.length()) {
        throw new Unsupported();
      }
      char e = src.charAt(pos + 1);
      pos += 2;
      switch (e) {
        case 'd':
        case 'w':
          return Info.chars(true, false);
        case 's':
        case 'W':
          return Info.chars(false, true);
        case 'D':
        case 'S':
          return Info.chars(true, true);
        case 'b':
        case 'B':
        case 'A':
        case 'Z':
          return Info.empty();
        default:
          break;
      }
      int cp = escapedChar(e);
      if (cp < 0) {
        return backReference();
      }
      return literal(cp);
    }

    /**
     * The character an escape (after its backslash, {@code e} already consumed) stands for; -1 for
     * a back-reference. Throws for escapes this reading does not follow.
     */
    private int escapedChar(char e) throws Unsupported {
      switch (e) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case 'f':
          return '\f';
        case 'v':
          return 0x0b;
        case 'a':
          return 0x07;
        case 'x':
          return hex(2);
        case 'u':
          return hex(4);
        case 'U':
          return hex(8);
        default:
          break;
      }
      if (e == '0') {
        int v = 0;
        for (int k = 0; k < 2 && pos < src.length() && isOctal(src.charAt(pos)); k++) {
          v = v * 8 + (src.charAt(pos++) - '0');
        }
        return v;
      }
      if (e >= '1' && e <= '9') {
        if (pos + 1 < src.length()
            && isOctal(e)
            && isOctal(src.charAt(pos))
            && isOctal(src.charAt(pos + 1))) {
          int v = (e - '0') * 64 + (src.charAt(pos) - '0') * 8 + (src.charAt(pos + 1) - '0');
          pos += 2;
          return v;
        }
        if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
          pos++;
        }
        return -1;
      }
      if (e < 128 && Character.isLetterOrDigit(e)) {
        throw new Unsupported(); // \N{...} and unknown escapes
      }
      return e;
    }

    private static boolean isOctal(char c) {
      return c >= '0' && c <= '7';
    }

    private int hex(int digits) throws Unsupported {
      if (pos + digits > src.length()) {
        throw new Unsupported();
      }
      int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
      pos += digits;
      if (!Character.isValidCodePoint(v)) {
        throw new Unsupported();
      }
      return v;
    }

    private Info charClass() throws Unsupported {
      pos++; // '['
      boolean negated = false;
      if (pos < src.length() && src.charAt(pos) == '^') {
        negated = true;
        pos++;
      }
      Set<String> members = new LinkedHashSet<>();
      boolean listable = true;
      boolean word = false;
      boolean nonWord = false;
      boolean first = true;
      while (true) {
        if (pos >= src.length()) {
          throw new Unsupported();
        }
        char c = src.charAt(pos);
        if (c == ']' && !first) {
          pos++;
          break;
        }
        first = false;
        int lo;
        if (c == '\\') {
          if (pos + 1 >= src.length()) {
            throw new Unsupported();
          }
          char e = src.charAt(pos + 1);
          pos += 2;
          if ("dwDWsS".indexOf(e) >= 0) {
            listable = false;
            word |= e != 's' && e != 'W';
            nonWord |= e != 'd' && e != 'w';
            continue;
          }
          lo = e == 'b' ? 0x08 : escapedChar(e);
          if (lo < 0) {
            throw new Unsupported(); // octal forms only in a class
          }
        } else {
          lo = src.codePointAt(pos);
          pos += Character.charCount(lo);
        }
        if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
          pos++;
          int hi;
          if (src.charAt(pos) == '\\') {
            char e = src.charAt(pos + 1);
            pos += 2;
            hi = escapedChar(e);
            if (hi < 0) {
              throw new Unsupported();
            }
          } else {
            hi = src.codePointAt(pos);
            pos += Character.charCount(hi);
          }
          listable = false;
          // ranges are mostly small ASCII ones; a wide one is read as holding both kinds
          word |= hi > 0x7f || rangeHas(lo, hi, true);
          nonWord |= hi > 0x7f || rangeHas(lo, hi, false);
          continue;
        }
        members.add(new String(Character.toChars(lo)));
        word |= isWord(lo);
        nonWord |= !isWord(lo);
      }
      if (negated) {
        return Info.chars(true, true);
      }
      if (listable && !ignoreCase && !members.isEmpty() && members.size() <= 8) {
        return Info.exact(members, Ends.of(word, nonWord));
      }
      return Info.chars(word, nonWord);
    }

    /** Whether {@code [lo, hi]} holds a word character ({@code word}) or a non-word one. */
    private static boolean rangeHas(int lo, int hi, boolean word) {
      for (int c = lo; c <= hi; c++) {
        if (isWord(c) == word) {
          return true;
        }
      }
      return false;
    }
  }
}
