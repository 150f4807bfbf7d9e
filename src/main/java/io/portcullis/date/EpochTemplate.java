package io.portcullis.date;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.regex.Matcher;

/**
 * Unix time: at the line start, in "[...]" at the line start, or in an audit record; the long form
 * also reads milli- and microseconds. A pattern with {@code {EPOCH}} places it anywhere.
 */
final class EpochTemplate extends DateTemplate {
  private static final String SHORT = "\\d{10,11}\\b(?:\\.\\d{3,6})?";
  private static final String LONG = "\\d{10,11}(?:\\d{3}(?:\\.\\d{1,6}|\\d{3})?)?";

  private final boolean longForm;
  private final int group;

  private EpochTemplate(
      String name,
      String regex,
      boolean lineBegin,
      boolean lineEnd,
      boolean mayJoinWords,
      boolean longForm,
      int group) {
    super(name, regex, lineBegin, lineEnd, mayJoinWords);
    this.longForm = longForm;
    this.group = group;
  }

  static EpochTemplate anywhere(boolean longForm) {
    String e = longForm ? LONG : SHORT;
    String r = "((?:^|(?<=^\\[)|(?<=\\baudit\\())" + e + ")" + Bounds.WORD_END;
    return new EpochTemplate(
        longForm ? "LongEpoch" : "Epoch", r, false, false, /* mayJoinWords= */ false, longForm, 1);
  }

  static EpochTemplate lineStart(boolean longForm) {
    String e = longForm ? LONG : SHORT;
    // after a leading "[" the number must be followed by "]"
    String r =
        Bounds.LINE_START + "((?:(?<=^\\[)(?=" + e + "\\])|(?<!^\\[))" + e + ")" + Bounds.WORD_END;
    String name = Bounds.LINE_BEGIN_MARK + (longForm ? "LongEpoch" : "Epoch");
    return new EpochTemplate(name, r, true, false, /* mayJoinWords= */ false, longForm, 1);
  }

  /** A pattern with {@code {EPOCH}} or {@code {LEPOCH}} in it, e.g. {@code ^\[{EPOCH}\]}. */
  static EpochTemplate pattern(String pattern) {
    boolean longForm = pattern.toUpperCase(java.util.Locale.ROOT).contains("{LEPOCH}");
    String e = longForm ? LONG : SHORT;
    String body =
        pattern.replaceAll(
            "(?i)(?<!\\\\)\\{L?EPOCH}", "(" + java.util.regex.Matcher.quoteReplacement(e) + ")");
    Bounds.Fenced f = Bounds.fence("(" + body + ")", Bounds.Begin.WORD, true);
    EpochTemplate t =
        new EpochTemplate(
            pattern, f.regex(), f.lineBegin(), f.lineEnd(), f.mayJoinWords(), longForm, 2);
    t.compiled(); // a datepattern's own: its error shows when the filter is read
    return t;
  }

  @Override
  protected Instant convert(Matcher m, DateContext context) {
    String v = m.group(compiled().javaGroup(group));
    BigDecimal seconds = new BigDecimal(v);
    if (longForm && v.length() >= 13) {
      seconds = seconds.movePointLeft(v.length() >= 16 && v.indexOf('.') < 0 ? 6 : 3);
    }
    long whole = seconds.longValue();
    long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
    return Instant.ofEpochSecond(whole, nanos);
  }
}
