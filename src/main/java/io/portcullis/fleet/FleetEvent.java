package io.portcullis.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.net.IpAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * A ban or an unban as the fleet passes it on: which node decided it, in which jail, on which
 * address, when, until when (absolute, so a ban ends at the same moment on every node), and why.
 * What comes from Redis is checked as strictly as a log line: any node (or anybody with the Redis
 * password) writes it.
 *
 * @param end when the ban ends; null for a ban for ever, and for an unban
 * @param reason a short text for the log ("5 failures", "by command")
 */
public record FleetEvent(
    Kind kind, String node, String jail, IpAddress ip, Instant time, Instant end, String reason) {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final int MAX_REASON = 200;

  /** Ban or unban. */
  public enum Kind {
    BAN,
    UNBAN
  }

  public FleetEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(time, "time");
    checkName("node", node);
    checkName("jail", jail);
    reason = reason == null ? "" : reason;
    if (reason.length() > MAX_REASON || reason.chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException("reason: too long or with control characters");
    }
    if (kind == Kind.UNBAN) {
      end = null;
    }
    if (end != null && !end.isAfter(time)) {
      // a ban whose end is not after its start would be a negative bantime: "for ever"
      throw new IllegalArgumentException(
          "end: not after the ban's time (" + end + " <= " + time + ")");
    }
  }

  /** How far ahead of this node's clock a sender's may run before its times are moved back. */
  static final java.time.Duration MAX_SKEW = java.time.Duration.ofSeconds(30);

  /**
   * This event as this node takes it at {@code now}: when the sender's clock ran more than {@link
   * #MAX_SKEW} ahead (its time is in our future), time and end are moved back by the difference, so
   * that the ban lasts what the sender decided and no more; otherwise the event itself.
   */
  public FleetEvent clampedTo(Instant now) {
    if (!time.isAfter(now.plus(MAX_SKEW))) {
      return this;
    }
    java.time.Duration ahead = java.time.Duration.between(now, time);
    return new FleetEvent(kind, node, jail, ip, now, end == null ? null : end.minus(ahead), reason);
  }

  private static void checkName(String what, String value) {
    if (value == null || !FleetSettings.NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(what + ": not a name: " + value);
    }
  }

  /** A ban. */
  public static FleetEvent ban(
      String node, String jail, IpAddress ip, Instant time, Instant end, String reason) {
    return new FleetEvent(Kind.BAN, node, jail, ip, time, end, reason);
  }

  /** An unban. */
  public static FleetEvent unban(String node, String jail, IpAddress ip, Instant time) {
    return new FleetEvent(Kind.UNBAN, node, jail, ip, time, null, "by command");
  }

  /** Where a jail's ban of an address is kept in Redis while in force. */
  public String key(String prefix) {
    return keyOf(prefix, jail, ip);
  }

  static String keyOf(String prefix, String jail, IpAddress ip) {
    return prefix + ":ban:" + jail + ":" + ip;
  }

  /** What the wire carries: JSON with epoch milliseconds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Wire(String k, String node, String jail, String ip, Long t, Long end, String why) {}

  /** The JSON form kept in the stream and in the ban's key. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(
          new Wire(
              kind == Kind.BAN ? "ban" : "unban",
              node,
              jail,
              ip.toString(),
              time.toEpochMilli(),
              end == null ? null : end.toEpochMilli(),
              reason.isEmpty() ? null : reason));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads what {@link #toJson} wrote.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static FleetEvent fromJson(String json) {
    if (json == null || json.length() > 2_000) {
      throw new IllegalArgumentException("no event, or longer than 2000 characters");
    }
    Wire w;
    try {
      w = JSON.readValue(json, Wire.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not an event: " + e.getOriginalMessage());
    }
    if (w == null || w.k() == null || w.ip() == null || w.t() == null) {
      throw new IllegalArgumentException("an event needs k, ip and t");
    }
    Kind kind =
        switch (w.k()) {
          case "ban" -> Kind.BAN;
          case "unban" -> Kind.UNBAN;
          default -> throw new IllegalArgumentException("k: neither ban nor unban: " + w.k());
        };
    return new FleetEvent(
        kind,
        w.node(),
        w.jail(),
        IpAddress.parse(w.ip()),
        Instant.ofEpochMilli(w.t()),
        w.end() == null ? null : Instant.ofEpochMilli(w.end()),
        w.why());
  }
}
