package io.portcullis.date;

import java.time.LocalDate;
import java.time.Year;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * strptime-style directives ({@code %Y}, {@code %b}, {@code %H} ...) and fail2ban's stricter {@code
 * %Ex...} variants, each turned into a named regex group whose name is the directive letter.
 */
final class Strptime {
  static final Pattern DIRECTIVE =
      Pattern.compile("%(%|Ex[YymdHkMSlZz]|[aAbBcdfHIjklmMpSUwWxXyYzZ])");
  private static final String TZ_ABBR = "[A-Z](?:[A-Z]{2,4})?";
  private static final String OFFSET = "[+-][01]\\d(?::?\\d{2})?";
  private static final Map<String, String> REGEX = new LinkedHashMap<>();
  private static final Map<String, String> NAMES = new LinkedHashMap<>();

  static {
    def("Y", "(?P<Y>\\d{4})", "Year");
    def("ExY", "(?P<Y>" + recentCenturyYears() + ")", "ExYear");
    def("y", "(?P<y>\\d\\d)", "Year2");
    def("Exy", "(?P<y>\\d\\d)", "ExYear2");
    def("m", "(?P<m>0?[1-9]|1[0-2])", "Month");
    def("Exm", "(?P<m>0[1-9]|1[0-2])", "ExMonth");
    def("d", "(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])", "Day");
    def("Exd", "(?P<d>[1-2]\\d|0[1-9]|3[0-1])", "ExDay");
    def("H", "(?P<H>[0-1]?\\d|2[0-3])", "24hour");
    def("ExH", "(?P<H>[0-1]\\d|2[0-3])", "Ex24hour");
    def("k", " ?(?P<H>[0-2]?\\d)", "%k");
    def("Exk", " ?(?P<H>[0-1]?\\d|2[0-3])", "Ex%k");
    def("I", "(?P<I>1[0-2]|0[1-9]|[1-9])", "12hour");
    def("l", " ?(?P<I>1?\\d)", "%l");
    def("Exl", " ?(?P<I>1[0-2]|\\d)", "Ex%l");
    def("M", "(?P<M>[0-5]?\\d)", "Minute");
    def("ExM", "(?P<M>[0-5]\\d)", "ExMinute");
    def("S", "(?P<S>[0-5]?\\d|6[0-1])", "Second");
    def("ExS", "(?P<S>[0-5]\\d|6[0-1])", "ExSecond");
    def("f", "(?P<f>[0-9]{1,6})", "Microseconds");
    def("a", "(?P<a>mon|tue|wed|thu|fri|sat|sun)", "DAY");
    def("A", "(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)", "DAYNAME");
    def("b", "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", "MON");
    def(
        "B",
        "(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)",
        "MONTH");
    def("p", "(?P<p>am|pm)", "AMPM");
    def(
        "j",
        "(?P<j>36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])",
        "Yearday");
    def("U", "(?P<U>5[0-3]|[0-4]\\d|\\d)", "Yearweek");
    def("W", "(?P<W>5[0-3]|[0-4]\\d|\\d)", "Yearweek");
    def("w", "(?P<w>[0-6])", "Weekday");
    def("z", "(?P<z>Z|UTC|GMT|" + OFFSET + ")", "Zone offset");
    def("Z", "(?P<Z>Z|[A-Z]{3,5})", "Zone name");
    def("ExZ", "(?P<Z>" + TZ_ABBR + ")", "ExZone name");
    def("Exz", "(?P<z>(?:" + TZ_ABBR + ")?" + OFFSET + "|" + TZ_ABBR + ")", "ExZone offset");
    def("%", "%", "%");
  }

  private Strptime() {}

  private static void def(String key, String regex, String name) {
    REGEX.put(key, regex);
    NAMES.put(key, name);
  }

  /** 2000 up to three years from now: fail2ban's %ExY refuses implausible years. */
  private static String recentCenturyYears() {
    int last = Year.now().getValue() + 3;
    int decade = (last / 10) % 10;
    if (last >= 2100) {
      return "20\\d\\d";
    }
    return "20[0-" + decade + "]\\d";
  }

  /** Expands locale composites (C locale) before the directives themselves. */
  private static String expandComposites(String pattern) {
    return pattern
        .replace("%c", "%a %b %d %H:%M:%S %Y")
        .replace("%x", "%m/%d/%y")
        .replace("%X", "%H:%M:%S");
  }

  /** The pattern with each directive replaced by its Python-syntax group. */
  static String toRegex(String pattern) {
    return substitute(expandComposites(pattern), REGEX);
  }

  /** A readable name for a pattern ("Year-Month-Day 24hour:Minute:Second"). */
  static String toName(String pattern) {
    return substitute(expandComposites(pattern), NAMES);
  }

  static boolean hasAlphaDirective(String pattern) {
    return Pattern.compile("(?<!%)%[aAbBpc]").matcher(pattern).find();
  }

  private static String substitute(String pattern, Map<String, String> table) {
    Matcher m = DIRECTIVE.matcher(pattern);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      out.append(pattern, last, m.start());
      out.append(table.get(m.group(1)));
      last = m.end();
    }
    out.append(pattern.substring(last));
    return out.toString();
  }

  static int monthOfAbbreviation(String s) {
    String[] months = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    };
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    for (int i = 0; i < months.length; i++) {
      if (lower.startsWith(months[i])) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("not a month: " + s);
  }

  static LocalDate ofYearDay(int year, int day) {
    return LocalDate.ofYearDay(year, day);
  }
}
