package io.portcullis.date;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time zones as logs and configs name them: IANA ids ({@code Europe/Paris}), fixed offsets ({@code
 * +0200}, {@code UTC-05:00}) and the common abbreviations, which are read as fixed offsets (CET is
 * always +01:00; a log that says CEST says so itself).
 */
public final class TimeZones {
  private static final Pattern ABBR_AND_OFFSET =
      Pattern.compile("([A-Z](?:[A-Za-z]{2,4})?)?([+-])?([01]?\\d)?(?::?(\\d{2}))?");
  private static final Map<String, Integer> ABBREVIATIONS = new HashMap<>();

  static {
    // minutes east of UTC; standard names of the zones most servers log in
    put(0, "Z", "UTC", "GMT", "WET", "UT");
    put(60, "CET", "WEST", "BST", "IST1", "WAT", "MET");
    put(120, "CEST", "EET", "CAT", "SAST", "IST", "MEST");
    put(180, "EEST", "MSK", "EAT", "AST3", "IDT");
    put(240, "GST", "SAMT", "AMT", "AZT", "GET");
    put(300, "PKT", "UZT", "YEKT");
    put(330, "SLT");
    put(345, "NPT");
    put(360, "BST6", "OMST", "ALMT");
    put(420, "ICT", "WIB", "KRAT");
    put(480, "CST8", "HKT", "SGT", "AWST", "PHT", "WITA", "IRKT");
    put(540, "JST", "KST", "WIT", "YAKT");
    put(570, "ACST");
    put(600, "AEST", "VLAT", "CHST");
    put(630, "ACDT");
    put(660, "AEDT", "MAGT");
    put(720, "NZST", "FJT", "PETT");
    put(780, "NZDT");
    put(-60, "AZOT", "CVT", "EGT");
    put(-120, "BRST", "FNT", "UYST");
    put(-180, "ADT", "ART", "BRT", "CLST", "UYT", "WGT");
    put(-210, "NST", "NT");
    put(-150, "NDT");
    put(-240, "AST", "EDT", "BOT", "CLT", "PYT", "VET4");
    put(-300, "EST", "CDT", "COT", "PET", "ECT");
    put(-360, "CST", "MDT");
    put(-420, "MST", "PDT");
    put(-480, "PST", "AKDT");
    put(-540, "AKST", "HDT");
    put(-600, "HST");
  }

  private TimeZones() {}

  private static void put(int minutes, String... names) {
    for (String n : names) {
      ABBREVIATIONS.put(n, minutes);
    }
  }

  /**
   * Parses a zone as written in a config or on the command line.
   *
   * @throws IllegalArgumentException naming what would be valid
   */
  public static ZoneId parse(String text) {
    String t = text.strip();
    ZoneOffset fixed = offsetOrNull(t);
    if (fixed != null) {
      return fixed;
    }
    try {
      return ZoneId.of(t);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a time zone (try Europe/Paris, UTC, +0100, CET)");
    }
  }

  /** Offset of a zone as logs write it ({@code +0200}, {@code CEST}, {@code UTC+1}), or null. */
  public static ZoneOffset offsetOrNull(String text) {
    if (text.isEmpty()) {
      return null;
    }
    Matcher m = ABBR_AND_OFFSET.matcher(text);
    if (!m.matches()) {
      return null;
    }
    int minutes = 0;
    if (m.group(1) != null) {
      Integer abbr = ABBREVIATIONS.get(m.group(1).toUpperCase(Locale.ROOT));
      if (abbr == null) {
        return null;
      }
      minutes = abbr;
    }
    if (m.group(3) != null) {
      if (m.group(2) == null) {
        return null;
      }
      int h = Integer.parseInt(m.group(3));
      int min = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
      int sign = m.group(2).equals("-") ? -1 : 1;
      minutes += sign * (h * 60 + min);
    } else if (m.group(1) == null) {
      return null;
    }
    return ZoneOffset.ofTotalSeconds(minutes * 60);
  }
}
