package io.portcullis.date;

import java.time.Instant;
import java.time.ZoneId;

/**
 * What a timestamp without zone or year is read against: the zone the log is written in and the
 * reference time (for a date without a year, the most recent such date not after now + 1 day).
 */
public record DateContext(ZoneId zone, Instant now) {
  public DateContext {
    if (zone == null || now == null) {
      throw new IllegalArgumentException("zone and now are required");
    }
  }
}
