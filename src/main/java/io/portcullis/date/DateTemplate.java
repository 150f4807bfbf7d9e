package io.portcullis.date;

import io.portcullis.regex.PythonRegex;
import java.util.regex.Matcher;

/** One way a timestamp can be written; finds it in a line and converts it to an instant. */
public abstract class DateTemplate {
  private final String name;
  private final boolean lineBegin;
  protected final PythonRegex regex;

  /** Consecutive lines mostly share their timestamp text: remember the last conversion. */
  private record Converted(String text, DateContext context, java.time.Instant time) {}

  private volatile Converted last;

  protected DateTemplate(String name, PythonRegex regex, boolean lineBegin) {
    this.name = name;
    this.regex = regex;
    this.lineBegin = lineBegin;
  }

  public String name() {
    return name;
  }

  /** Whether the template only matches at the start of a line. */
  public boolean lineBegin() {
    return lineBegin;
  }

  public String regex() {
    return regex.pattern().pattern();
  }

  /** Finds the template in the line; null when absent or when the text is not a valid date. */
  public DateHit find(CharSequence line, DateContext context) {
    Matcher m = regex.pattern().matcher(line);
    if (!m.find()) {
      return null;
    }
    int g = regex.javaGroup(1);
    int start = m.start(g);
    int end = m.end(g);
    if (start < 0) {
      start = m.start();
      end = m.end();
    }
    if (start == end) {
      return new DateHit(start, end, null, this);
    }
    Converted c = last;
    if (c != null && c.context.equals(context) && regionEquals(line, start, end, c.text)) {
      return new DateHit(start, end, c.time, this);
    }
    try {
      java.time.Instant time = convert(m, context);
      last = new Converted(line.subSequence(start, end).toString(), context, time);
      return new DateHit(start, end, time, this);
    } catch (RuntimeException invalid) {
      // e.g. February 30th: not a date, so this template did not find one
      return null;
    }
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

  protected abstract java.time.Instant convert(Matcher m, DateContext context);

  @Override
  public String toString() {
    return name;
  }
}
