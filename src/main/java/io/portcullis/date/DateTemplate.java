package io.portcullis.date;

import io.portcullis.regex.PythonRegex;
import java.time.Instant;
import java.util.regex.Matcher;

/** One way a timestamp can be written; finds it in a line and converts it to an instant. */
public abstract class DateTemplate {
  /** The weight of a default form pinned to the line start: preferred when templates are sorted. */
  static final double PREFERRED = 100.0;

  private final String name;
  private final boolean lineBegin;
  private final boolean lineEnd;
  private final boolean mayJoinWords;

  /** The regex's Python text, compiled at first use when {@link #regex} is still null. */
  private final String source;

  private volatile PythonRegex regex;
  private double weight = 1.0;

  /** Consecutive lines mostly share their timestamp text: remember the last conversion. */
  private record Converted(String text, DateContext context, Instant time) {}

  private volatile Converted last;

  /**
   * A template whose regex is compiled when first searched with: a default set holds 17 to 31
   * templates, a detector stops at the first pinned one that matches, and a log is mostly read by
   * one, so most of them were compiled (cold, before the first line) for nothing. Only for regexes
   * known to compile (the default forms, DateTemplatesTest); a datepattern's own is compiled at
   * once (see PatternTemplate.of) so that its error shows when the filter is read.
   */
  protected DateTemplate(
      String name, String source, boolean lineBegin, boolean lineEnd, boolean mayJoinWords) {
    this.name = name;
    this.source = source;
    this.lineBegin = lineBegin;
    this.lineEnd = lineEnd;
    this.mayJoinWords = mayJoinWords;
  }

  /** The compiled regex (compiled now if it was not yet; immutable, so a race only repeats it). */
  protected final PythonRegex compiled() {
    PythonRegex r = regex;
    if (r == null) {
      r = PythonRegex.compile(source, false);
      regex = r;
    }
    return r;
  }

  /** Whether the regex is compiled yet (for tests). */
  boolean isCompiled() {
    return regex != null;
  }

  public String name() {
    return name;
  }

  /** Whether the template only matches at the start of a line. */
  public boolean lineBegin() {
    return lineBegin;
  }

  /** Whether the template is pinned to the start or the end of a line. */
  public boolean anchored() {
    return lineBegin || lineEnd;
  }

  /**
   * Whether cutting this template's date out of a line can leave a word character right before
   * another one ("ab[date]cd" read as "abcd"): then a word the regexes need may be in the line only
   * once its date is cut out, and lines cannot be passed over by their words. False when the date
   * is pinned to a line end, or fenced by a non-word character or a word boundary on one side while
   * always starting (ending) with a word character there.
   */
  public boolean mayJoinWords() {
    return mayJoinWords;
  }

  /** How strongly the template is preferred when a detector sorts its templates by use. */
  double weight() {
    return weight;
  }

  /** Marks a default form pinned to the line start (before the template is shared). */
  DateTemplate preferred() {
    weight = PREFERRED;
    return this;
  }

  public String regex() {
    return compiled().pattern().pattern();
  }

  /**
   * Where the template's regex matched: the whole match (with its fences, e.g. a leading "[") and
   * the date text, group 1.
   */
  record Match(int start, int end, int dateStart, int dateEnd, Matcher matcher) {}

  /** Searches the whole line; null when the regex does not match. */
  Match search(CharSequence line) {
    return search(line, matcher());
  }

  /** A matcher of the template's regex, for {@link #search(CharSequence, Matcher)} to reuse. */
  Matcher matcher() {
    return compiled().pattern().matcher("");
  }

  /**
   * {@link #search(CharSequence)} with a matcher of {@link #matcher()} that is reset for the line
   * (its int arrays were two thirds of what finding a line's date allocated). The match returned
   * reads its groups from that matcher: it is valid until the matcher's next use.
   */
  Match search(CharSequence line, Matcher m) {
    m.reset(line);
    m.useTransparentBounds(false);
    m.useAnchoringBounds(true);
    return m.find() ? match(m) : null;
  }

  /**
   * Searches {@code line[from, to)} as Python's {@code search(line, from, to)} does: the text ends
   * at {@code to}, a look-behind sees before {@code from}, and {@code ^} holds only at the line
   * start.
   */
  Match search(CharSequence line, int from, int to) {
    return search(line, from, to, matcher());
  }

  /** {@link #search(CharSequence, int, int)} with a matcher to reuse, as above. */
  Match search(CharSequence line, int from, int to, Matcher m) {
    int end = Math.min(to, line.length());
    if (from < 0 || from > end) {
      return null;
    }
    m.reset(end == line.length() ? line : line.subSequence(0, end));
    m.useTransparentBounds(true);
    m.useAnchoringBounds(false);
    m.region(from, end);
    return m.find() ? match(m) : null;
  }

  private Match match(Matcher m) {
    int g = compiled().javaGroup(1);
    int start = m.start(g);
    int end = m.end(g);
    if (start < 0) {
      start = m.start();
      end = m.end();
    }
    return new Match(m.start(), m.end(), start, end, m);
  }

  /**
   * The date a match found; null when its text is not a valid date (February 30th). An empty match
   * ({@code {NONE}}) gives a hit without a time.
   */
  DateHit hit(CharSequence line, Match match, DateContext context) {
    int start = match.dateStart();
    int end = match.dateEnd();
    if (start == end) {
      return new DateHit(start, end, null, this);
    }
    Converted c = last;
    if (c != null && c.context.equals(context) && regionEquals(line, start, end, c.text)) {
      return new DateHit(start, end, c.time, this);
    }
    try {
      Instant time = convert(match.matcher(), context);
      last = new Converted(line.subSequence(start, end).toString(), context, time);
      return new DateHit(start, end, time, this);
    } catch (RuntimeException invalid) {
      return null;
    }
  }

  /** Finds the template in the line; null when absent or when the text is not a valid date. */
  public DateHit find(CharSequence line, DateContext context) {
    Match m = search(line);
    return m == null ? null : hit(line, m, context);
  }

  private static boolean regionEquals(CharSequence line, int start, int end, String text) {
    if (end - start != text.length()) {
      return false;
    }
    for (int i = start; i < end; i++) {
      if (line.charAt(i) != text.charAt(i - start)) {
        return false;
      }
    }
    return true;
  }

  protected abstract Instant convert(Matcher m, DateContext context);

  @Override
  public String toString() {
    return name;
  }
}
