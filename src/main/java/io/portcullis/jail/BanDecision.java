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
 */
public record BanDecision(
    String jail,
    String fid,
    IpAddress ip,
    Instant time,
    Duration bantime,
    int count,
    int failures,
    List<String> matches) {
  public BanDecision {
    matches = List.copyOf(matches);
  }

  /** When the ban ends, or null for a permanent ban. */
  public Instant end() {
    return bantime.isNegative() ? null : time.plus(bantime);
  }
}
