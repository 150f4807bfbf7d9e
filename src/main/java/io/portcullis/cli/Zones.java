package io.portcullis.cli;

import io.portcullis.date.TimeZones;
import java.time.ZoneId;

/** The zone of dates that carry none: the option, else the config's, else this machine's. */
final class Zones {
  private Zones() {}

  static ZoneId resolve(String option, String... configured) {
    String z = option;
    for (String c : configured) {
      if (z == null) {
        z = c;
      }
    }
    if (z == null) {
      return ZoneId.systemDefault();
    }
    try {
      return TimeZones.parse(z);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--timezone: " + e.getMessage());
    }
  }
}
