package io.portcullis.filter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connections a filter follows by {@code <F-MLFID>} (fail2ban's multi-line failures): the lines
 * of one connection are merged into one state, so a failure can be reported on the line that names
 * the address although an earlier line said what failed.
 *
 * <p>Design note, the rules of fail2ban 1.0.2 in our words: a line carrying {@code <F-NOFAIL>} is
 * no failure, it only adds data (its lines are held back); {@code <F-MLFGAINED>} (a successful
 * login) is no failure either and drops failures still waiting for an address; {@code
 * <F-MLFFORGET>} ends the connection. A connection whose failure came before its address is
 * <em>pending</em>, and attempts with more than one user always count: an attacker cannot wipe
 * failed guesses with a login as someone else. Held lines join the reported ones once the
 * connection turns out to have failed.
 */
final class Connections {
  private final int capacity;
  private final Duration ttl;
  private final Map<String, Connection> byId;

  Connections(int capacity, Duration ttl) {
    this.capacity = capacity;
    this.ttl = ttl;
    this.byId =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Connection> eldest) {
            return size() > Connections.this.capacity;
          }
        };
  }

  /** What a matched line says about its connection, beside its captures. */
  record LineFlags(boolean noFail, boolean gained, boolean forget) {
    static final LineFlags NONE = new LineFlags(false, false, false);

    /**
     * Takes the control captures ({@code nofail}, {@code mlfgained}, {@code mlfforget}) out of a
     * line's captures; each is set when it captured some text.
     */
    static LineFlags take(Map<String, String> captured) {
      boolean gained = nonEmpty(captured.remove("mlfgained"));
      boolean noFail = nonEmpty(captured.remove("nofail"));
      boolean forget = nonEmpty(captured.remove("mlfforget"));
      return noFail || gained || forget ? new LineFlags(noFail || gained, gained, forget) : NONE;
    }

    private static boolean nonEmpty(String v) {
      return v != null && !v.isEmpty();
    }
  }

  /** One connection's merged state. */
  static final class Connection {
    /** Every capture seen on the connection, the latest value of each. */
    final Map<String, String> fields = new LinkedHashMap<>();

    /** Every non-empty user captured on the connection. */
    final Set<String> users = new LinkedHashSet<>();

    /** The lines that make up the failure reported so far. */
    List<String> lines = new ArrayList<>();

    /** Lines of no-failure lines, held back until the connection fails. */
    List<String> held = new ArrayList<>();

    /** A failure was seen before the connection's address was known. */
    boolean pending;

    /** The last line was no failure ({@code F-NOFAIL} or {@code F-MLFGAINED}). */
    boolean noFail;

    /** The last line was a successful login ({@code F-MLFGAINED}). */
    boolean gained;

    Instant seen;

    private void addUser(String user) {
      if (user != null && !user.isEmpty()) {
        users.add(user);
      }
    }

    /** Whether the connection's current state is a failure that counts. */
    boolean counts() {
      return !noFail;
    }
  }

  /**
   * Merges a matched line into its connection and returns the connection's state after it.
   *
   * @param captured the line's captures, control captures already taken out as {@code flags}
   * @param matched the log lines the match covers
   */
  Connection merge(
      String id,
      Map<String, String> captured,
      LineFlags flags,
      List<String> matched,
      Instant time) {
    expire(time);
    Connection c = byId.get(id);
    boolean hadNoFail = false;
    if (c != null) {
      c.addUser(captured.get("user"));
      hadNoFail = c.noFail || c.gained;
      if (flags.gained()) {
        c.pending = false;
      }
      if (!hadNoFail && !c.pending) {
        // the lines reported before were reported with that failure
        c.lines = new ArrayList<>();
      }
      c.fields.putAll(captured);
      c.seen = time;
      if (flags.forget()) {
        byId.remove(id);
      }
    } else {
      c = new Connection();
      c.fields.putAll(captured);
      c.seen = time;
      if (!flags.forget()) {
        c.addUser(captured.get("user"));
        byId.put(id, c);
      }
    }
    c.noFail = flags.noFail();
    c.gained = flags.gained();
    boolean wasPending = c.pending;
    c.pending = false;
    if (wasPending || c.users.size() > 1) {
      c.noFail = false;
      c.gained = false;
    }
    if (c.counts()) {
      List<String> all = new ArrayList<>(c.held);
      all.addAll(c.lines);
      if (!c.gained) {
        all.addAll(matched);
      }
      c.held = new ArrayList<>();
      c.lines = all;
    } else if (!flags.forget()) {
      c.held.addAll(matched);
    }
    return c;
  }

  private void expire(Instant now) {
    if (now == null || byId.isEmpty()) {
      return;
    }
    Instant limit = now.minus(ttl);
    byId.values().removeIf(e -> e.seen != null && e.seen.isBefore(limit));
  }
}
