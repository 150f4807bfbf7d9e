package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A jail's decision to ban an address (or failure id).
 *
 * @param bantime negative for a permanent ban
 * @param count which ban of this address this is (1 for the first)
 * @param data fields the filter captured from the last failure (user ...): text from a log line
 */
public record BanDecision(
    String jail,
    String fid,
    IpAddress ip,
    Instant time,
    Duration bantime,
    int count,
    int failures,
    List<String> matches,
    java.util.Map<String, String> data) {
  public BanDecision {
    matches = List.copyOf(matches);
    data = java.util.Map.copyOf(data);
  }

  /** A ban without captured fields. */
  public BanDecision(
      String jail,
      String fid,
      IpAddress ip,
      Instant time,
      Duration bantime,
      int count,
      int failures,
      List<String> matches) {
    this(jail, fid, ip, time, bantime, count, failures, matches, java.util.Map.of());
  }

  /** When the ban ends, or null for a permanent ban. */
  public Instant end() {
    return bantime.isNegative() ? null : time.plus(bantime);
  }
}
