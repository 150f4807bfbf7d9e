package io.portcullis.date;

import io.portcullis.regex.PythonRegex;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;

/** A date written per a strptime-like pattern, e.g. {@code %Y-%m-%d %H:%M:%S}. */
final class PatternTemplate extends DateTemplate {
  private final String pattern;

  private PatternTemplate(String name, String pattern, String regex, Bounds.Fenced fenced) {
    super(name, regex, fenced.lineBegin(), fenced.lineEnd(), fenced.mayJoinWords());
    this.pattern = pattern;
  }

  String pattern() {
    return pattern;
  }

  /**
   * @throws IllegalArgumentException when the pattern is not a valid regex after expansion
   */
  static PatternTemplate of(String pattern) {
    PatternTemplate t = lazy(pattern);
    t.compiled();
    return t;
  }

  /** {@link #of} with the regex compiled at first use: for the default forms only. */
  static PatternTemplate lazy(String pattern) {
    String p = pattern;
    Bounds.Begin begin = Bounds.Begin.WORD;
    boolean wordEnd = true;
    if (p.startsWith(Bounds.UNBOUND_MARK)) {
      p = p.substring(Bounds.UNBOUND_MARK.length());
      begin = Bounds.Begin.NONE;
      wordEnd = false;
    }
    String name = "";
    if (begin == Bounds.Begin.WORD && p.startsWith(Bounds.LINE_BEGIN_MARK)) {
      p = p.substring(Bounds.LINE_BEGIN_MARK.length());
      begin = Bounds.Begin.LINE;
      name = Bounds.LINE_BEGIN_MARK;
    }
    String regex = Strptime.toRegex(p);
    if (Strptime.hasAlphaDirective(p)) {
      regex = "(?iu)" + regex;
    }
    Bounds.Fenced fenced = Bounds.fence(regex, begin, wordEnd);
    if (fenced.lineBegin() && name.isEmpty() && p.startsWith("^")) {
      name = "";
    }
    return new PatternTemplate(name + Strptime.toName(p), pattern, fenced.regex(), fenced);
  }

  @Override
  protected Instant convert(Matcher m, DateContext context) {
    Fields f = new Fields();
    PythonRegex regex = compiled();
    for (String name : regex.groupNames().keySet()) {
      String v = regex.group(m, name);
      if (v != null) {
        f.set(name, v);
      }
    }
    return f.toInstant(context);
  }

  /** The fields a date's groups supply, and the rules for the ones it leaves out. */
  private static final class Fields {
    Integer year;
    Integer month;
    Integer day;
    Integer julian;
    int hour;
    Integer hour12;
    String ampm;
    int minute;
    int second;
    ZoneOffset offset;

    void set(String name, String v) {
      switch (name) {
        case "Y" -> year = Integer.parseInt(v);
        case "y" -> year = 2000 + Integer.parseInt(v);
        case "m" -> month = Integer.parseInt(v.strip());
        case "b", "B" -> month = Strptime.monthOfAbbreviation(v);
        case "d" -> day = Integer.parseInt(v.strip());
        case "H" -> hour = Integer.parseInt(v.strip());
        case "I" -> hour12 = Integer.parseInt(v.strip());
        case "p" -> ampm = v.toLowerCase(java.util.Locale.ROOT);
        case "M" -> minute = Integer.parseInt(v);
        case "S" -> second = Math.min(59, Integer.parseInt(v));
        case "j" -> julian = Integer.parseInt(v);
        case "z", "Z" -> offset = zoneOffset(v);
        default -> {
          // weekday names, week numbers, fractions: not needed for the instant
        }
      }
    }

    private static ZoneOffset zoneOffset(String v) {
      if (v.equals("Z") || v.equals("UTC") || v.equals("GMT")) {
        return ZoneOffset.UTC;
      }
      ZoneOffset o = TimeZones.offsetOrNull(v);
      if (o == null) {
        throw new IllegalArgumentException("unknown zone " + v);
      }
      return o;
    }

    Instant toInstant(DateContext context) {
      if (hour12 != null) {
        int h = hour12 % 12;
        hour = "pm".equals(ampm) ? h + 12 : h;
      }
      ZoneId zone = offset != null ? offset : context.zone();
      LocalDate today = context.now().atZone(zone).toLocalDate();
      boolean assumeYear = year == null;
      int y = assumeYear ? today.getYear() : year;
      boolean assumeToday = false;
      int mo;
      int d;
      if (month == null || day == null) {
        if (julian != null) {
          LocalDate jd = LocalDate.ofYearDay(y, julian);
          mo = jd.getMonthValue();
          d = jd.getDayOfMonth();
        } else if (month == null && day == null) {
          mo = today.getMonthValue();
          d = today.getDayOfMonth();
          assumeToday = true;
        } else {
          mo = month == null ? 1 : month;
          d = day == null ? 1 : day;
        }
      } else {
        mo = month;
        d = day;
      }
      ZonedDateTime t = LocalDateTime.of(y, mo, d, hour, minute, second).atZone(zone);
      if (assumeToday && t.toInstant().isAfter(context.now())) {
        t = t.minusDays(1);
      }
      if (assumeYear && t.toInstant().isAfter(context.now().plusSeconds(86_400))) {
        t = LocalDateTime.of(y - 1, mo, d, hour, minute, second).atZone(zone);
      }
      return t.toInstant();
    }
  }
}
