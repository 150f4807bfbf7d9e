package io.portcullis.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The answers of the control protocol, as records both sides serialize with Jackson ({@link
 * Protocol#JSON}); docs/protocol.md shows them as JSON. Fields that are null are left out, except
 * where the protocol gives null a meaning.
 */
public final class Replies {
  private Replies() {}

  /** {@code status}: the server as a whole. */
  public record ServerStatus(
      List<String> jails,
      Map<String, List<String>> broken,
      int bans,
      Map<String, FirewallStatus> firewall,
      long started) {
    public ServerStatus {
      jails = List.copyOf(jails);
      broken = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(broken));
      firewall = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(firewall));
    }
  }

  /** A firewall backend: changes the kernel accepted since start, and what is wrong with it now. */
  public record FirewallStatus(long applied, String error) {}

  /** {@code status JAIL}: one jail. */
  public record JailStatus(
      String jail,
      String filter,
      String source,
      List<String> files,
      long lines,
      Failures failures,
      Bans bans,
      List<Allowed> allowed,
      List<String> ignoreip,
      List<ActionState> actions,
      Boolean conntrack,
      List<String> problems,
      LogReading reading) {
    public JailStatus {
      files = List.copyOf(files);
      allowed = List.copyOf(allowed);
      ignoreip = List.copyOf(ignoreip);
      actions = List.copyOf(actions);
      problems = List.copyOf(problems);
    }
  }

  /**
   * What reading the jail's log files met since start (null for the journal): lines over the length
   * limit skipped whole, lines cut by a truncation dropped, NUL bytes removed, rotations and
   * truncations followed, unread ends read from a rotated copy, and bytes lost because the copy was
   * gone (compressed) before they could be read.
   */
  public record LogReading(
      long overlongLines,
      long cutLines,
      long nulBytes,
      long rotations,
      long truncations,
      long tailsFromCopies,
      long unreadBytesLost) {}

  /** Addresses failing now (within findtime), and failures counted since start. */
  public record Failures(int current, long total) {}

  /** Bans in force now (and their addresses), and bans since start. */
  public record Bans(int current, long total, List<String> list) {
    public Bans {
      list = List.copyOf(list);
    }
  }

  /** An address allowed after a successful login, until an epoch second. */
  public record Allowed(String ip, long until) {}

  /**
   * An action of a jail: whether its last call worked, and whether its side is in place (null: the
   * action cannot tell).
   */
  public record ActionState(String name, boolean ok, Boolean inPlace, String error) {}

  /** {@code banned}: a ban in force; {@code end} null for a ban for ever. */
  public record BanEntry(
      String jail,
      String ip,
      long time,
      @JsonInclude(JsonInclude.Include.ALWAYS) Long end,
      int failures,
      int bancount) {}
}
