package io.portcullis.server;

import io.portcullis.filter.FilterSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The lines a jail's warm-up reads ({@link JailRunner#warmUp}): the same moment dated the ways logs
 * commonly date a line, so that a filter's date detection runs the path of a found date; and a
 * filter that every such line matches as a failure with the captures failures usually carry (user,
 * port, and a service the jail pairs attempts by). No jail's own filter can be relied on to match a
 * made-up line, but the code after a match is the same for every filter: running it once on this
 * one links it for all.
 */
final class WarmUpLines {
  /** Where the warm-up's failures come from (TEST-NET-1, RFC 5737: never a real source). */
  static final String ADDRESS = "192.0.2.1";

  /** A filter that matches {@link #failure} lines, with a prefregex as many filters have. */
  static final FilterSpec FILTER =
      new FilterSpec(
          "warm-up",
          new FilterSpec.Source(
              "^\\s*(?:\\[\\] )?<F-CONTENT>.+</F-CONTENT>$", "the warm-up's prefregex"),
          List.of(
              new FilterSpec.Source(
                  "^portcullis warm-up: failed login for <F-USER>\\S+</F-USER> from <HOST> port"
                      + " <F-PORT>\\d+</F-PORT> service <F-SERVICE>\\S+</F-SERVICE>$",
                  "the warm-up's failregex")),
          List.of(),
          List.of(),
          1,
          null,
          false);

  private static final List<DateTimeFormatter> DATES =
      List.of(
          DateTimeFormatter.ofPattern("'['yyyy-MM-dd HH:mm:ss'] '", Locale.ROOT),
          DateTimeFormatter.ofPattern("MMM dd HH:mm:ss 'host '", Locale.ENGLISH),
          DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX ", Locale.ROOT));

  private WarmUpLines() {}

  /** {@code text} once per date form, each line dated {@code now} in {@code zone}. */
  static byte[] dated(Instant now, ZoneId zone, String text) {
    StringBuilder out = new StringBuilder();
    for (DateTimeFormatter f : DATES) {
      out.append(f.format(now.atZone(zone))).append(text).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A line {@link #FILTER} reads as a failure of {@link #ADDRESS}, dated {@code now}; the {@code
   * n}th attempt comes from another source port (one attempt is never counted twice).
   */
  static byte[] failure(Instant now, ZoneId zone, int n) {
    String line =
        DATES.get(0).format(now.atZone(zone))
            + "portcullis warm-up: failed login for 100 from "
            + ADDRESS
            + " port "
            + (5060 + n)
            + " service chan_sip\n";
    return line.getBytes(StandardCharsets.UTF_8);
  }
}
