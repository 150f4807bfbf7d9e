package io.portcullis.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * fail2ban's SQLite database (its {@code dbfile}), opened read-only: Portcullis never writes into
 * it. Schema version 4 (fail2ban 0.11 and later) keeps every ban it still remembers in {@code bans}
 * (purged after its dbpurgeage) and the latest ban of each address per jail, with the address's ban
 * count, in {@code bips}. Times are epoch seconds; a ban's data is JSON holding the matched lines
 * and the number of failures.
 *
 * <p>The schema is the one fail2ban writes: {@code fail2ban/server/database.py}, class {@code
 * Fail2BanDb}, its {@code _CREATE_SCRIPTS} (tables {@code bans} and {@code bips}) and {@code
 * __version__ = 4}, as in Debian's fail2ban 1.0.2; {@code Fail2banImportIT} reads a database that
 * Debian's own fail2ban-server wrote in the test.
 */
public final class Fail2banDatabase implements AutoCloseable {
  /** The schema this reader knows (fail2ban 0.11 to 1.1). */
  public static final int VERSION = 4;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Connection db;
  private final Path file;

  private Fail2banDatabase(Connection db, Path file) {
    this.db = db;
    this.file = file;
  }

  /**
   * Opens a fail2ban database read-only.
   *
   * @throws IOException if the file is missing, is not fail2ban's database, or has another schema
   */
  public static Fail2banDatabase open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          "no fail2ban database at "
              + file
              + " (fail2ban.conf's dbfile; give another with --db FILE)");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5000); // fail2ban may be writing right now
    Connection c = null;
    try {
      c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
      int version = version(c, file);
      if (version != VERSION) {
        throw new IOException(
            file
                + " has fail2ban's database schema "
                + version
                + "; this import reads schema "
                + VERSION
                + " (fail2ban 0.11 and later): start a newer fail2ban once on it to upgrade it");
      }
      return new Fail2banDatabase(c, file);
    } catch (SQLException e) {
      close(c);
      throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      close(c);
      throw e;
    }
  }

  private static int version(Connection c, Path file) throws SQLException, IOException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fail2banDb'")) {
      if (!rs.next()) {
        throw new IOException(file + " is not fail2ban's database (it has no fail2banDb table)");
      }
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version FROM fail2banDb LIMIT 1")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  public Path file() {
    return file;
  }

  /** The latest ban of each address in each jail, with its ban count (table bips). */
  public List<Fail2banBan> latestBans() throws SQLException {
    return read("SELECT jail, ip, timeofban, bantime, bancount, data FROM bips ORDER BY timeofban");
  }

  /** Every ban fail2ban still remembers, oldest first (table bans). */
  public List<Fail2banBan> history() throws SQLException {
    return read("SELECT jail, ip, timeofban, bantime, bancount, data FROM bans ORDER BY timeofban");
  }

  private List<Fail2banBan> read(String sql) throws SQLException {
    List<Fail2banBan> out = new ArrayList<>();
    try (PreparedStatement p = db.prepareStatement(sql);
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        String jail = rs.getString(1);
        String id = rs.getString(2);
        if (jail == null || jail.isBlank() || id == null || id.isBlank()) {
          continue; // fail2ban itself skips such rows when it restores
        }
        long bantime = rs.getLong(4);
        Data data = data(rs.getBytes(6));
        out.add(
            new Fail2banBan(
                jail,
                id.strip(),
                Instant.ofEpochSecond(rs.getLong(3)),
                bantime == -2
                    ? null
                    : bantime < 0 ? Duration.ofSeconds(-1) : Duration.ofSeconds(bantime),
                Math.max(0, rs.getInt(5)),
                data.failures,
                data.matches));
      }
    }
    return out;
  }

  /** What Portcullis keeps of a ban's data: the matched lines and the number of failures. */
  private record Data(int failures, List<String> matches) {
    static final Data NONE = new Data(0, List.of());
  }

  /**
   * A ban's data: {@code {"matches": [...], "failures": N, ...}}. A match is a line, or the parts
   * of a line as a list (fail2ban keeps the parts of lines it joined); other keys are not needed.
   */
  private static Data data(byte[] raw) {
    if (raw == null || raw.length == 0) {
      return Data.NONE;
    }
    JsonNode node;
    try {
      node = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Data.NONE; // fail2ban writes '{}' when it could not encode the data: same here
    }
    if (node == null || !node.isObject()) {
      return Data.NONE;
    }
    List<String> matches = new ArrayList<>();
    for (JsonNode m : node.path("matches")) {
      if (m.isArray()) {
        StringBuilder line = new StringBuilder();
        m.forEach(part -> line.append(part.asText()));
        matches.add(line.toString());
      } else if (!m.isNull()) {
        matches.add(m.asText());
      }
    }
    return new Data(Math.max(0, node.path("failures").asInt(0)), matches);
  }

  @Override
  public void close() throws SQLException {
    db.close();
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the error that brought us here is the one to report
      }
    }
  }
}
