package io.portcullis.ban;

import io.portcullis.net.IpAddress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The store's account of what happened to each address: failures with their evidence, bans (each
 * with the failures that led to it), unbans and allows. One row per event in {@code events}; the
 * regexes the evidence names are kept once each in {@code regexes}. Part of {@link BanStore}, on
 * its connection and its thread.
 */
public final class AddressEvents {
  /** At most this many failures are kept as a ban's evidence (the newest). */
  public static final int MAX_EVIDENCE = 100;

  /** The tables, as one step of {@link BanStore}'s migrations. */
  static final String[] SCHEMA = {
    "CREATE TABLE regexes(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
    "CREATE TABLE events(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, jail TEXT NOT NULL,"
        + " fid TEXT NOT NULL, ip TEXT, kind TEXT NOT NULL, ban INTEGER, file TEXT, filter TEXT,"
        + " regex INTEGER, lines TEXT, failures INTEGER, bantime INTEGER, bancount INTEGER,"
        + " until INTEGER, reason TEXT)",
    "CREATE INDEX events_ip ON events(ip)",
    "CREATE INDEX events_time ON events(time)"
  };

  private static final String COLUMNS =
      "e.id, e.time, e.jail, e.fid, e.ip, e.kind, e.ban, e.file, e.filter, r.text, e.lines,"
          + " e.failures, e.bantime, e.bancount, e.until, e.reason";
  private static final String FROM = " FROM events e LEFT JOIN regexes r ON r.id = e.regex";

  private final Statements statements;
  private final Map<String, Long> regexIds = new HashMap<>();

  AddressEvents(Statements statements) {
    this.statements = statements;
  }

  /** An event as stored: its row id, and for a failure the id of the ban it led to (0: none). */
  public record Stored(long id, AddressEvent event, long ban) {}

  /**
   * Keeps an event. A ban takes as its evidence the failures of its jail and address that no
   * earlier ban took: the newest {@code failures} of them (at most {@link #MAX_EVIDENCE}).
   */
  public void add(AddressEvent e) throws SQLException {
    PreparedStatement p =
        statement(
            "INSERT INTO events(time, jail, fid, ip, kind, file, filter, regex, lines, failures,"
                + " bantime, bancount, until, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (int i = 6; i <= 14; i++) {
      p.setNull(i, Types.NULL);
    }
    p.setLong(1, e.time().toEpochMilli());
    p.setString(2, e.jail());
    p.setString(3, e.fid());
    p.setString(4, e.ip() == null ? null : e.ip().toString());
    p.setString(5, e.kind().word());
    if (e instanceof AddressEvent.Failure f) {
      evidence(p, f.evidence());
      p.setInt(10, f.count());
    } else if (e instanceof AddressEvent.Ban b) {
      p.setInt(10, b.failures());
      p.setLong(11, b.bantime().isNegative() ? -1 : b.bantime().getSeconds());
      p.setInt(12, b.bancount());
    } else if (e instanceof AddressEvent.Unban u) {
      p.setString(14, u.reason().name().toLowerCase(Locale.ROOT));
    } else if (e instanceof AddressEvent.Allow a) {
      if (a.evidence() != null) {
        evidence(p, a.evidence());
      }
      p.setLong(13, a.until().toEpochMilli());
    }
    p.executeUpdate();
    if (e instanceof AddressEvent.Ban b && b.failures() > 0 && b.ip() != null) {
      link(lastId(), b);
    }
  }

  /**
   * Adds events as {@link #add} does, in order; bans that link no failures (by command) go in
   * multi-row statements of {@link BanStore#ROWS} rows.
   */
  void addAll(List<AddressEvent> events) throws SQLException {
    int n = events.size();
    int i = 0;
    while (i < n) {
      int run = 0;
      while (i + run < n && run < BanStore.ROWS && linksNothing(events.get(i + run))) {
        run++;
      }
      if (run < BanStore.ROWS) {
        // a short run, or an event that needs its own statement: one by one
        add(events.get(i));
        i++;
        continue;
      }
      PreparedStatement p =
          statement(
              BanStore.rows(
                  "INSERT INTO events(time, jail, fid, ip, kind, failures, bantime, bancount)"
                      + " VALUES ",
                  8,
                  run));
      int k = 0;
      for (int j = i; j < i + run; j++) {
        AddressEvent.Ban b = (AddressEvent.Ban) events.get(j);
        p.setLong(k + 1, b.time().toEpochMilli());
        p.setString(k + 2, b.jail());
        p.setString(k + 3, b.fid());
        p.setString(k + 4, b.ip() == null ? null : b.ip().toString());
        p.setString(k + 5, b.kind().word());
        p.setInt(k + 6, b.failures());
        p.setLong(k + 7, b.bantime().isNegative() ? -1 : b.bantime().getSeconds());
        p.setInt(k + 8, b.bancount());
        k += 8;
      }
      p.executeUpdate();
      i += run;
    }
  }

  /** A ban whose row {@link #add} writes without linking the failures that led to it. */
  private static boolean linksNothing(AddressEvent e) {
    return e instanceof AddressEvent.Ban b && !(b.failures() > 0 && b.ip() != null);
  }

  /** Forgets the regex ids read so far (a rolled-back transaction may have made some). */
  void forgetRegexIds() {
    regexIds.clear();
  }

  private void evidence(PreparedStatement p, Evidence ev) throws SQLException {
    p.setString(6, ev.file());
    p.setString(7, ev.filter());
    p.setLong(8, regexId(ev.regex()));
    p.setString(9, StringArrays.write(ev.lines()));
  }

  private void link(long banId, AddressEvent.Ban b) throws SQLException {
    PreparedStatement p =
        statement(
            "UPDATE events SET ban = ? WHERE id IN (SELECT id FROM events WHERE ip = ? AND jail = ?"
                + " AND fid = ? AND kind = 'failure' AND ban IS NULL AND id < ?"
                + " ORDER BY id DESC LIMIT ?)");
    p.setLong(1, banId);
    p.setString(2, b.ip().toString());
    p.setString(3, b.jail());
    p.setString(4, b.fid());
    p.setLong(5, banId);
    p.setInt(6, Math.min(b.failures(), MAX_EVIDENCE));
    p.executeUpdate();
  }

  private long lastId() throws SQLException {
    try (ResultSet rs = statement("SELECT last_insert_rowid()").executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long regexId(String text) throws SQLException {
    Long id = regexIds.get(text);
    if (id != null) {
      return id;
    }
    PreparedStatement ins = statement("INSERT OR IGNORE INTO regexes(text) VALUES (?)");
    ins.setString(1, text);
    ins.executeUpdate();
    PreparedStatement sel = statement("SELECT id FROM regexes WHERE text = ?");
    sel.setString(1, text);
    try (ResultSet rs = sel.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    regexIds.put(text, id);
    return id;
  }

  /** The events of an address in every jail, newest first, at most {@code limit}. */
  public List<Stored> of(IpAddress ip, int limit) throws SQLException {
    PreparedStatement p =
        statement("SELECT " + COLUMNS + FROM + " WHERE e.ip = ? ORDER BY e.id DESC LIMIT ?");
    p.setString(1, ip.toString());
    p.setInt(2, limit);
    return read(p);
  }

  /** The failures a ban took as its evidence, oldest first. */
  public List<Stored> evidenceOf(long ban) throws SQLException {
    PreparedStatement p = statement("SELECT " + COLUMNS + FROM + " WHERE e.ban = ? ORDER BY e.id");
    p.setLong(1, ban);
    return read(p);
  }

  /** The id of the latest ban of an address in a jail (the one in force, if one is). */
  public OptionalLong lastBan(String jail, IpAddress ip) throws SQLException {
    PreparedStatement p =
        statement(
            "SELECT id FROM events WHERE ip = ? AND jail = ? AND kind = 'ban'"
                + " ORDER BY id DESC LIMIT 1");
    p.setString(1, ip.toString());
    p.setString(2, jail);
    try (ResultSet rs = p.executeQuery()) {
      return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
    }
  }

  /** Events of every address from a time on, newest first, at most {@code limit}. */
  public List<Stored> since(Instant from, int limit) throws SQLException {
    PreparedStatement p =
        statement(
            "SELECT "
                + COLUMNS
                + FROM
                + " WHERE e.time >= ? ORDER BY e.time DESC, e.id DESC LIMIT ?");
    p.setLong(1, from.toEpochMilli());
    p.setInt(2, limit);
    return read(p);
  }

  /** How many events of a kind a jail had in one step of time starting at {@code start}. */
  public record Count(String jail, AddressEvent.Kind kind, Instant start, int events) {}

  /** Events per jail, kind and step of time, from a time on (the steps counted from it). */
  public List<Count> perStep(Instant from, Duration step) throws SQLException {
    PreparedStatement p =
        statement(
            "SELECT jail, kind, (time - ?) / ?, COUNT(*) FROM events WHERE time >= ?"
                + " GROUP BY jail, kind, (time - ?) / ?");
    long f = from.toEpochMilli();
    long s = step.toMillis();
    p.setLong(1, f);
    p.setLong(2, s);
    p.setLong(3, f);
    p.setLong(4, f);
    p.setLong(5, s);
    List<Count> out = new ArrayList<>();
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Count(
                rs.getString(1),
                kind(rs.getString(2)),
                Instant.ofEpochMilli(f + rs.getLong(3) * s),
                rs.getInt(4)));
      }
    }
    return out;
  }

  /** Failures and bans of one address over a time. */
  public record AddressCount(IpAddress ip, int failures, int bans) {}

  /** Failures and bans per address from a time on. */
  public List<AddressCount> perAddress(Instant from) throws SQLException {
    PreparedStatement p =
        statement(
            "SELECT ip, SUM(kind = 'failure'), SUM(kind = 'ban') FROM events"
                + " WHERE time >= ? AND ip IS NOT NULL AND kind IN ('failure', 'ban') GROUP BY ip");
    p.setLong(1, from.toEpochMilli());
    List<AddressCount> out = new ArrayList<>();
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        IpAddress ip = IpAddress.parseOrNull(rs.getString(1));
        if (ip != null) {
          out.add(new AddressCount(ip, rs.getInt(2), rs.getInt(3)));
        }
      }
    }
    return out;
  }

  /**
   * Forgets events older than {@code before} (dbpurgeage) and, beyond that, all but the newest
   * {@code keep}; returns the rows removed.
   */
  public int purge(Instant before, long keep) throws SQLException {
    PreparedStatement old = statement("DELETE FROM events WHERE time < ?");
    old.setLong(1, before.toEpochMilli());
    int n = old.executeUpdate();
    PreparedStatement excess =
        statement("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?");
    excess.setLong(1, keep);
    n += excess.executeUpdate();
    statement(
            "DELETE FROM regexes WHERE id NOT IN"
                + " (SELECT DISTINCT regex FROM events WHERE regex IS NOT NULL)")
        .executeUpdate();
    regexIds.clear();
    return n;
  }

  private List<Stored> read(PreparedStatement p) throws SQLException {
    List<Stored> out = new ArrayList<>();
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(new Stored(rs.getLong(1), event(rs), rs.getLong(7)));
      }
    }
    return out;
  }

  private static AddressEvent event(ResultSet rs) throws SQLException {
    Instant time = Instant.ofEpochMilli(rs.getLong(2));
    String jail = rs.getString(3);
    String fid = rs.getString(4);
    String ipText = rs.getString(5);
    IpAddress ip = ipText == null ? null : IpAddress.parseOrNull(ipText);
    switch (kind(rs.getString(6))) {
      case FAILURE:
        return new AddressEvent.Failure(time, jail, fid, ip, rs.getInt(12), evidence(rs));
      case BAN:
        long bantime = rs.getLong(13);
        return new AddressEvent.Ban(
            time,
            jail,
            fid,
            ip,
            Duration.ofSeconds(bantime < 0 ? -1 : bantime),
            rs.getInt(14),
            rs.getInt(12));
      case UNBAN:
        return new AddressEvent.Unban(
            time,
            jail,
            fid,
            ip,
            AddressEvent.Reason.valueOf(rs.getString(16).toUpperCase(Locale.ROOT)));
      default:
        return new AddressEvent.Allow(
            time, jail, fid, ip, Instant.ofEpochMilli(rs.getLong(15)), evidence(rs));
    }
  }

  private static Evidence evidence(ResultSet rs) throws SQLException {
    String filter = rs.getString(9);
    String regex = rs.getString(10);
    String lines = rs.getString(11);
    if (filter == null || regex == null || lines == null) {
      return null;
    }
    try {
      return new Evidence(rs.getString(8), filter, regex, StringArrays.parse(lines));
    } catch (java.io.IOException e) {
      throw new SQLException("evidence lines that cannot be read: " + e.getMessage(), e);
    }
  }

  private static AddressEvent.Kind kind(String word) throws SQLException {
    try {
      return AddressEvent.Kind.valueOf(word.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SQLException("an event of unknown kind '" + word + "'");
    }
  }

  private PreparedStatement statement(String sql) throws SQLException {
    return statements.get(sql);
  }
}
