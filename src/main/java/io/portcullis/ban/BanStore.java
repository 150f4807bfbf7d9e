package io.portcullis.ban;

import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQLite file that makes bans survive restarts: active bans, ban history, read positions,
 * allowed addresses, journal cursors, what happened to each address ({@link #events}), and unbans
 * the kernel has not confirmed yet ({@link #lifted}). Not thread-safe: {@link StoreWriter} owns it
 * while the server runs.
 *
 * <p>Durability: WAL with {@code synchronous=FULL}, so a transaction that returned is on disk
 * (fsync'd), not only in the page cache: an acknowledged ban survives a power cut, not just a
 * {@code kill -9}. The writer groups many writes into one transaction, so this costs one fsync per
 * batch, not per ban.
 */
public final class BanStore implements AutoCloseable {
  /** Each entry brings the schema from version i to i + 1. */
  private static final List<String[]> MIGRATIONS =
      List.<String[]>of(
          new String[] {
            "CREATE TABLE bans(jail TEXT NOT NULL, fid TEXT NOT NULL, ip TEXT, time INTEGER NOT NULL,"
                + " bantime INTEGER NOT NULL, bancount INTEGER NOT NULL, failures INTEGER NOT NULL,"
                + " matches TEXT NOT NULL, PRIMARY KEY(jail, fid))",
            "CREATE TABLE ban_history(jail TEXT NOT NULL, fid TEXT NOT NULL, time INTEGER NOT NULL,"
                + " bantime INTEGER NOT NULL, bancount INTEGER NOT NULL, failures INTEGER NOT NULL)",
            "CREATE INDEX ban_history_fid ON ban_history(fid, jail)",
            "CREATE TABLE positions(jail TEXT NOT NULL, path TEXT NOT NULL, inode INTEGER,"
                + " fingerprint TEXT, offset INTEGER NOT NULL, PRIMARY KEY(jail, path))",
            "CREATE TABLE allowed(jail TEXT NOT NULL, ip TEXT NOT NULL, until INTEGER NOT NULL,"
                + " PRIMARY KEY(jail, ip))",
            "CREATE TABLE cursors(jail TEXT PRIMARY KEY, cursor TEXT NOT NULL)"
          },
          AddressEvents.SCHEMA,
          new String[] {
            // an unban not yet confirmed by the kernel: at start, an element of the kernel that
            // the store has no ban for is removed if it is here, and adopted as a ban otherwise
            "CREATE TABLE lifted(jail TEXT NOT NULL, fid TEXT NOT NULL, time INTEGER NOT NULL,"
                + " PRIMARY KEY(jail, fid))"
          },
          new String[] {
            // a ban in force that came from another node of a fleet (its row in bans has no
            // history): at start it is restored as remote, so its kernel element is not adopted
            // as this node's own ban and the fleet's catch-up lifts it if it ended meanwhile
            "CREATE TABLE remote_bans(jail TEXT NOT NULL, fid TEXT NOT NULL, node TEXT NOT NULL,"
                + " PRIMARY KEY(jail, fid))"
          });

  private final Connection db;
  private final Path path;
  private final Statements statements;
  private final AddressEvents events;

  private BanStore(Connection db, Path path) {
    this.db = db;
    this.path = path;
    this.statements = new Statements(db);
    this.events = new AddressEvents(statements);
  }

  /** What happened to each address, with the evidence of each ban (for {@code why}). */
  public AddressEvents events() {
    return events;
  }

  /** Opens (creating it and its directory if needed) and migrates the store. */
  public static BanStore open(Path file) throws StoreException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !file.toString().equals(":memory:")) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new StoreException(file, StoreException.Kind.READ_ONLY, e.toString(), e);
      }
    }
    try {
      java.util.Properties props = new java.util.Properties();
      // no row ids are ever read back: without this the driver inspects every insert for them
      props.setProperty("jdbc.get_generated_keys", "false");
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, props);
      // before anything is written to it (journal mode, tables): never into fail2ban's database
      if (isFail2banDatabase(c)) {
        c.close();
        throw new SQLException(
            "it is fail2ban's database; Portcullis keeps its own store (dbfile) and never writes"
                + " into fail2ban's: 'portcullis import fail2ban' carries its bans over");
      }
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=5000");
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
      }
      BanStore store = new BanStore(c, file);
      try {
        store.migrate();
      } catch (SQLException e) {
        store.close();
        throw e;
      }
      return store;
    } catch (SQLException e) {
      throw new StoreException(file, e);
    }
  }

  private static boolean isFail2banDatabase(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fail2banDb'")) {
      return rs.next();
    }
  }

  /**
   * Opens an existing store for reading only (a read-only file or file system: its bans can still
   * be put back in force).
   */
  public static BanStore openReadOnly(Path file) throws StoreException {
    try {
      org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
      config.setReadOnly(true);
      java.util.Properties props = config.toProperties();
      props.setProperty("jdbc.get_generated_keys", "false");
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, props);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=5000");
      }
      return new BanStore(c, file);
    } catch (SQLException e) {
      throw new StoreException(file, e);
    }
  }

  /**
   * Moves what the write-ahead log holds into the file and empties the log: on a full disk that is
   * what frees room (the log only shrinks at a checkpoint, which a small disk may never reach by
   * itself).
   */
  public void checkpoint() throws SQLException {
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  /**
   * SQLite's {@code PRAGMA quick_check}: "ok", or what is wrong (a damaged page, a broken index).
   */
  public String quickCheck() throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA quick_check(5)")) {
      while (rs.next()) {
        out.append(out.length() == 0 ? "" : "; ").append(rs.getString(1));
      }
    }
    return out.toString();
  }

  public Path path() {
    return path;
  }

  public int schemaVersion() throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private void migrate() throws SQLException {
    int version = schemaVersion();
    if (version > MIGRATIONS.size()) {
      throw new SQLException(
          "the database was written by a newer Portcullis (schema " + version + ")");
    }
    if (version == MIGRATIONS.size()) {
      return;
    }
    inTransaction(
        () -> {
          try (Statement s = db.createStatement()) {
            for (int v = version; v < MIGRATIONS.size(); v++) {
              for (String sql : MIGRATIONS.get(v)) {
                s.execute(sql);
              }
              s.execute("PRAGMA user_version = " + (v + 1));
            }
          }
        });
  }

  /**
   * Runs several writes as one transaction (one fsync for many bans). On failure the transaction is
   * rolled back and the first error is thrown: SQLite may already have rolled back by itself (a
   * full disk does that), and the rollback's own complaint ("no transaction is active") must not
   * hide why.
   */
  public void inTransaction(SqlWork work) throws SQLException {
    // the driver stays in auto-commit: its own commit/rollback would begin a new transaction after
    // a rollback and report the next "commit" failing instead of the real error
    exec("BEGIN IMMEDIATE");
    try {
      work.run();
      exec("COMMIT");
    } catch (SQLException | RuntimeException e) {
      try {
        exec("ROLLBACK");
      } catch (SQLException rollback) {
        // nothing to roll back: SQLite did it when the write failed
        e.addSuppressed(rollback);
      }
      throw e;
    }
  }

  /**
   * Writes a ban and its events as {@link #addBan} and {@link AddressEvents#add} do, in a
   * transaction that is then rolled back: the statements are compiled and the driver's paths run
   * once before the first real ban (a jail's warm-up), and nothing is kept. Returns false when the
   * store could not take them (only the warm-up is lost).
   */
  public boolean rehearse(BanDecision b, List<AddressEvent> events) {
    try {
      exec("BEGIN IMMEDIATE");
      try {
        for (AddressEvent e : events) {
          events().add(e);
        }
        addBan(b);
      } finally {
        exec("ROLLBACK");
        // the regexes it named are gone again: their ids must not be remembered
        events().forgetRegexIds();
      }
      return true;
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  private void exec(String sql) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }

  /** A unit of work on the store. */
  @FunctionalInterface
  public interface SqlWork {
    void run() throws SQLException;
  }

  // ---- bans

  public void addBan(BanDecision b) throws SQLException {
    putBan(b);
    forgetRemote(b.jail(), b.fid());
    PreparedStatement p = statement("INSERT INTO ban_history VALUES (?,?,?,?,?,?)");
    bindHistory(p, 0, b);
    p.executeUpdate();
    forgetLifted(b.jail(), b.fid());
  }

  /** Rows a multi-row insert of {@link #addBans} carries (8 columns: 800 values, under 999). */
  static final int ROWS = 100;

  /**
   * Writes many bans and their events, as {@link #addBan} and {@link AddressEvents#add} do one by
   * one, in the caller's transaction, with multi-row statements: a flood of 10,000 bans by command
   * ran 50,000 statements (0.65-0.9 s at load 5 on C1, a store bench), most of it per statement.
   * The removals from {@code remote_bans} and {@code lifted} run only when those tables hold rows
   * (they are empty but for a fleet or an unban the kernel has not confirmed).
   */
  public void addBans(List<BanDecision> bans, List<AddressEvent> events) throws SQLException {
    insertRows("INSERT OR REPLACE INTO bans VALUES ", 8, bans, BanStore::bindBan);
    insertRows("INSERT INTO ban_history VALUES ", 6, bans, BanStore::bindHistory);
    boolean remote = holdsRows("remote_bans");
    boolean lifted = holdsRows("lifted");
    for (BanDecision b : bans) {
      if (remote) {
        forgetRemote(b.jail(), b.fid());
      }
      if (lifted) {
        forgetLifted(b.jail(), b.fid());
      }
    }
    events().addAll(events);
  }

  /** "prefix(?,..),(?,..)...": {@code rows} rows of {@code columns} values. */
  static String rows(String prefix, int columns, int rows) {
    StringBuilder sb = new StringBuilder(prefix);
    String row = "(" + "?,".repeat(columns - 1) + "?)";
    for (int r = 0; r < rows; r++) {
      sb.append(r == 0 ? "" : ",").append(row);
    }
    return sb.toString();
  }

  /** Binds one ban's values into a statement from parameter {@code k + 1} on. */
  private interface RowBinder {
    void bind(PreparedStatement p, int k, BanDecision b) throws SQLException;
  }

  /**
   * Inserts a row per ban: the full chunks of {@link #ROWS} through one statement of that many
   * rows, the rest through a one-row statement.
   */
  private void insertRows(String prefix, int columns, List<BanDecision> bans, RowBinder binder)
      throws SQLException {
    int n = bans.size();
    int whole = n - n % ROWS;
    if (whole > 0) {
      PreparedStatement p = statement(rows(prefix, columns, ROWS));
      for (int i = 0; i < whole; i += ROWS) {
        for (int r = 0; r < ROWS; r++) {
          binder.bind(p, r * columns, bans.get(i + r));
        }
        p.executeUpdate();
      }
    }
    if (whole < n) {
      PreparedStatement p = statement(rows(prefix, columns, 1));
      for (int i = whole; i < n; i++) {
        binder.bind(p, 0, bans.get(i));
        p.executeUpdate();
      }
    }
  }

  /** A {@code bans} row's values (jail, fid, ip, time, bantime, count, failures, matches). */
  private static void bindBan(PreparedStatement p, int k, BanDecision b) throws SQLException {
    p.setString(k + 1, b.jail());
    p.setString(k + 2, b.fid());
    p.setString(k + 3, b.ip() == null ? null : b.ip().toString());
    p.setLong(k + 4, b.time().toEpochMilli());
    p.setLong(k + 5, b.bantime().isNegative() ? -1 : b.bantime().getSeconds());
    p.setInt(k + 6, b.count());
    p.setInt(k + 7, b.failures());
    p.setString(k + 8, StringArrays.write(b.matches()));
  }

  /** A {@code ban_history} row's values (jail, fid, time, bantime, count, failures). */
  private static void bindHistory(PreparedStatement p, int k, BanDecision b) throws SQLException {
    p.setString(k + 1, b.jail());
    p.setString(k + 2, b.fid());
    p.setLong(k + 3, b.time().toEpochMilli());
    p.setLong(k + 4, b.bantime().isNegative() ? -1 : b.bantime().getSeconds());
    p.setInt(k + 5, b.count());
    p.setInt(k + 6, b.failures());
  }

  /** Whether a table holds any row (in the writer's transaction: nobody else writes it). */
  private boolean holdsRows(String table) throws SQLException {
    try (ResultSet rs = statement("SELECT EXISTS(SELECT 1 FROM " + table + ")").executeQuery()) {
      return rs.next() && rs.getInt(1) != 0;
    }
  }

  /**
   * Adds a past ban to the ban history (which makes repeat bans longer) unless the same ban of the
   * same address (jail, id, time, count) is there already: for importing another program's history
   * more than once.
   *
   * @return whether it was added
   */
  public boolean addHistory(BanDecision b) throws SQLException {
    PreparedStatement p =
        statement(
            "INSERT INTO ban_history SELECT ?,?,?,?,?,? WHERE NOT EXISTS (SELECT 1 FROM"
                + " ban_history WHERE fid = ? AND jail = ? AND time = ? AND bancount = ?)");
    bindHistory(p, 0, b);
    p.setString(7, b.fid());
    p.setString(8, b.jail());
    p.setLong(9, b.time().toEpochMilli());
    p.setInt(10, b.count());
    return p.executeUpdate() == 1;
  }

  /**
   * A ban in force that came from another node of a fleet: kept with its origin, without history
   * (it does not lengthen this node's repeat offenders' bans).
   */
  public void addRemoteBan(BanDecision b, String node) throws SQLException {
    putBan(b);
    PreparedStatement p = statement("INSERT OR REPLACE INTO remote_bans VALUES (?,?,?)");
    p.setString(1, b.jail());
    p.setString(2, b.fid());
    p.setString(3, node);
    p.executeUpdate();
    forgetLifted(b.jail(), b.fid());
  }

  private void putBan(BanDecision b) throws SQLException {
    PreparedStatement p = statement("INSERT OR REPLACE INTO bans VALUES (?,?,?,?,?,?,?,?)");
    bindBan(p, 0, b);
    p.executeUpdate();
  }

  private void forgetRemote(String jail, String fid) throws SQLException {
    PreparedStatement p = statement("DELETE FROM remote_bans WHERE jail = ? AND fid = ?");
    p.setString(1, jail);
    p.setString(2, fid);
    p.executeUpdate();
  }

  /** A stored ban that came from another node, and that node. */
  public record RemoteOrigin(String jail, String fid, String node) {}

  /** The stored bans that came from other nodes of a fleet. */
  public List<RemoteOrigin> remoteOrigins() throws SQLException {
    List<RemoteOrigin> out = new ArrayList<>();
    try (Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT r.jail, r.fid, r.node FROM remote_bans r JOIN bans b"
                    + " ON b.jail = r.jail AND b.fid = r.fid")) {
      while (rs.next()) {
        out.add(new RemoteOrigin(rs.getString(1), rs.getString(2), rs.getString(3)));
      }
    }
    return out;
  }

  /**
   * Lifts a ban: its row goes, and the unban is remembered ({@link #lifted}) until the kernel has
   * confirmed it ({@link #forgetLifted}), so that a crash in between cannot bring it back.
   */
  public void removeBan(String jail, String fid, Instant at) throws SQLException {
    PreparedStatement p = statement("DELETE FROM bans WHERE jail = ? AND fid = ?");
    p.setString(1, jail);
    p.setString(2, fid);
    p.executeUpdate();
    forgetRemote(jail, fid);
    PreparedStatement l = statement("INSERT OR REPLACE INTO lifted VALUES (?,?,?)");
    l.setString(1, jail);
    l.setString(2, fid);
    l.setLong(3, at.toEpochMilli());
    l.executeUpdate();
  }

  /** The kernel confirmed an unban (or the address is banned again): nothing left to remember. */
  public void forgetLifted(String jail, String fid) throws SQLException {
    PreparedStatement p = statement("DELETE FROM lifted WHERE jail = ? AND fid = ?");
    p.setString(1, jail);
    p.setString(2, fid);
    p.executeUpdate();
  }

  /** An unban the kernel had not confirmed when the store was last written. */
  public record Lifted(String jail, String fid, Instant time) {}

  /** Every unban not yet confirmed by the kernel. */
  public List<Lifted> lifted() throws SQLException {
    List<Lifted> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT jail, fid, time FROM lifted")) {
      while (rs.next()) {
        out.add(new Lifted(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
      }
    }
    return out;
  }

  /**
   * Every ban that was active when the store was last written, oldest first.
   *
   * <p>Design note: read at every start (100,000 bans: most of it). A row read column by column
   * costs eight calls into the driver's native code; here SQLite joins the rows into blocks of
   * {@value #BLOCK} (fields split by U+001F, rows by U+001E, characters JSON escapes and that a
   * jail or failure id does not hold), one call per block, which are split here. A block that does
   * not split into its rows and fields (an id with such a character after all) makes the whole read
   * go the column-by-column way.
   */
  public List<BanDecision> bans() throws SQLException {
    List<BanDecision> out = bansInBlocks();
    if (out == null) {
      out = bansByColumns();
    }
    // rowid order is nearly time order (bans are inserted as they happen): a quick stable sort
    out.sort(java.util.Comparator.comparing(BanDecision::time));
    return out;
  }

  private static final int BLOCK = 2000;

  /** The bans read in blocks, or null when a block does not split into its rows (see bans()). */
  private List<BanDecision> bansInBlocks() throws SQLException {
    List<BanDecision> out = new ArrayList<>();
    Map<String, String> jails = new HashMap<>();
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*), group_concat(jail || char(31) || fid || char(31) || ifnull(ip, '')"
                    + " || char(31) || time || char(31) || bantime || char(31) || bancount"
                    + " || char(31) || failures || char(31) || matches, char(30))"
                    + " FROM bans GROUP BY rowid / "
                    + BLOCK)) {
      while (rs.next()) {
        int rows = rs.getInt(1);
        String block = rs.getString(2);
        int before = out.size();
        if (block == null || !splitBlock(block, jails, out) || out.size() - before != rows) {
          return null;
        }
      }
    }
    return out;
  }

  /** Splits one block into bans; false when a row does not have its eight fields. */
  private static boolean splitBlock(
      String block, Map<String, String> jails, List<BanDecision> out) {
    int at = 0;
    int[] cut = new int[7];
    while (at <= block.length()) {
      int end = block.indexOf('\u001e', at);
      if (end < 0) {
        end = block.length();
      }
      int from = at;
      for (int i = 0; i < 7; i++) {
        int c = block.indexOf('\u001f', from);
        if (c < 0 || c > end) {
          return false;
        }
        cut[i] = c;
        from = c + 1;
      }
      if (block.indexOf('\u001f', from) >= 0 && block.indexOf('\u001f', from) < end) {
        return false;
      }
      try {
        String jail = jails.computeIfAbsent(block.substring(at, cut[0]), j -> j);
        String fid = block.substring(cut[0] + 1, cut[1]);
        String ipText = block.substring(cut[1] + 1, cut[2]);
        IpAddress ip =
            ipText.isEmpty() ? null : IpAddress.parseOrNull(ipText.equals(fid) ? fid : ipText);
        long time = Long.parseLong(block, cut[2] + 1, cut[3], 10);
        long bantime = Long.parseLong(block, cut[3] + 1, cut[4], 10);
        int bancount = Integer.parseInt(block, cut[4] + 1, cut[5], 10);
        int failures = Integer.parseInt(block, cut[5] + 1, cut[6], 10);
        out.add(
            new BanDecision(
                jail,
                fid,
                ip,
                Instant.ofEpochMilli(time),
                bantime < 0 ? Duration.ofSeconds(-1) : Duration.ofSeconds(bantime),
                bancount,
                failures,
                matches(block.substring(cut[6] + 1, end))));
      } catch (NumberFormatException e) {
        return false;
      }
      at = end + 1;
    }
    return true;
  }

  private static List<String> matches(String stored) {
    if (stored == null || stored.equals("[]")) {
      return List.of();
    }
    try {
      return StringArrays.parse(stored);
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private List<BanDecision> bansByColumns() throws SQLException {
    List<BanDecision> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT jail, fid, ip, time, bantime, bancount, failures, matches FROM bans")) {
      while (rs.next()) {
        String ip = rs.getString(3);
        long bantime = rs.getLong(5);
        out.add(
            new BanDecision(
                rs.getString(1),
                rs.getString(2),
                ip == null ? null : IpAddress.parseOrNull(ip),
                Instant.ofEpochMilli(rs.getLong(4)),
                bantime < 0 ? Duration.ofSeconds(-1) : Duration.ofSeconds(bantime),
                rs.getInt(6),
                rs.getInt(7),
                matches(rs.getString(8))));
      }
    }
    return out;
  }

  /** How often a failure id was banned in a jail, from the history. */
  public record BanCount(String jail, String fid, int bans) {}

  /** How many bans each (jail, fid) had in the history: for bantime.increment. */
  public List<BanCount> banCounts() throws SQLException {
    List<BanCount> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT jail, fid, COUNT(*) FROM ban_history GROUP BY jail, fid")) {
      while (rs.next()) {
        out.add(new BanCount(rs.getString(1), rs.getString(2), rs.getInt(3)));
      }
    }
    return out;
  }

  /**
   * Forgets history (and unbans never confirmed by the kernel) older than {@code before}
   * (dbpurgeage); returns history rows removed.
   */
  public int purgeHistory(Instant before) throws SQLException {
    try (PreparedStatement l = db.prepareStatement("DELETE FROM lifted WHERE time < ?")) {
      l.setLong(1, before.toEpochMilli());
      l.executeUpdate();
    }
    try (PreparedStatement p = db.prepareStatement("DELETE FROM ban_history WHERE time < ?")) {
      p.setLong(1, before.toEpochMilli());
      return p.executeUpdate();
    }
  }

  // ---- read positions

  /** Where a jail stopped reading a file. */
  public record Position(long inode, String fingerprint, long offset) {}

  public Optional<Position> position(String jail, String file) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT inode, fingerprint, offset FROM positions WHERE jail = ? AND path = ?")) {
      p.setString(1, jail);
      p.setString(2, file);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next()
            ? Optional.of(new Position(rs.getLong(1), rs.getString(2), rs.getLong(3)))
            : Optional.empty();
      }
    }
  }

  public void savePosition(String jail, String file, Position pos) throws SQLException {
    PreparedStatement p = statement("INSERT OR REPLACE INTO positions VALUES (?,?,?,?,?)");
    p.setString(1, jail);
    p.setString(2, file);
    p.setLong(3, pos.inode());
    p.setString(4, pos.fingerprint());
    p.setLong(5, pos.offset());
    p.executeUpdate();
  }

  // ---- allow list

  public void allow(String jail, IpAddress ip, Instant until) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement("INSERT OR REPLACE INTO allowed VALUES (?,?,?)")) {
      p.setString(1, jail);
      p.setString(2, ip.toString());
      p.setLong(3, until.toEpochMilli());
      p.executeUpdate();
    }
  }

  public void disallow(String jail, IpAddress ip) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement("DELETE FROM allowed WHERE jail = ? AND ip = ?")) {
      p.setString(1, jail);
      p.setString(2, ip.toString());
      p.executeUpdate();
    }
  }

  /** An address allowed after a successful login, and until when. */
  public record Allowed(IpAddress ip, Instant until) {}

  /** Allowed addresses of a jail still allowed at {@code now}. */
  public List<Allowed> allowed(String jail, Instant now) throws SQLException {
    List<Allowed> out = new ArrayList<>();
    try (PreparedStatement p =
        db.prepareStatement("SELECT ip, until FROM allowed WHERE jail = ? AND until > ?")) {
      p.setString(1, jail);
      p.setLong(2, now.toEpochMilli());
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          IpAddress ip = IpAddress.parseOrNull(rs.getString(1));
          if (ip != null) {
            out.add(new Allowed(ip, Instant.ofEpochMilli(rs.getLong(2))));
          }
        }
      }
    }
    return out;
  }

  // ---- journal cursors

  public Optional<String> cursor(String jail) throws SQLException {
    try (PreparedStatement p = db.prepareStatement("SELECT cursor FROM cursors WHERE jail = ?")) {
      p.setString(1, jail);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  public void saveCursor(String jail, String cursor) throws SQLException {
    try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO cursors VALUES (?,?)")) {
      p.setString(1, jail);
      p.setString(2, cursor);
      p.executeUpdate();
    }
  }

  /** A statement compiled once and kept: a flood of bans runs the same few thousands of times. */
  private PreparedStatement statement(String sql) throws SQLException {
    return statements.get(sql);
  }

  @Override
  public void close() throws SQLException {
    statements.close();
    db.close();
  }
}
