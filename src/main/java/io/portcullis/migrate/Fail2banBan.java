package io.portcullis.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One ban as fail2ban's database remembers it.
 *
 * @param id the address (or other failure id) as fail2ban wrote it
 * @param bantime negative for a ban without end; null when fail2ban no longer knows it (it writes
 *     -2 when it upgrades a database from before version 0.11)
 * @param count which ban of this address in this jail it was (1 for the first)
 * @param failures how many failures led to it (0 for a ban made by hand)
 * @param matches the log lines fail2ban kept with it
 */
public record Fail2banBan(
    String jail,
    String id,
    Instant time,
    Duration bantime,
    int count,
    int failures,
    List<String> matches) {
  public Fail2banBan {
    if (jail == null || jail.isBlank() || id == null || id.isBlank()) {
      throw new IllegalArgumentException("a ban needs a jail and an id");
    }
    if (count < 0 || failures < 0) {
      throw new IllegalArgumentException("count and failures are never negative");
    }
    matches = List.copyOf(matches);
  }

  /** When the ban ends, or null if it never does or fail2ban no longer knows. */
  public Instant end() {
    return bantime == null || bantime.isNegative() ? null : time.plus(bantime);
  }
}
