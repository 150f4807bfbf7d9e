package io.portcullis.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a database with fail2ban's schema 4, written here with what Fail2banImportIT saw Debian's
 * fail2ban-server write (data as a UTF-8 JSON blob, a match as a line or as its parts).
 */
class Fail2banDatabaseTest {
  @TempDir Path dir;

  private Path database(int version) throws Exception {
    Path file = dir.resolve("fail2ban.sqlite3");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE fail2banDb(version INTEGER)");
      s.execute("INSERT INTO fail2banDb VALUES (" + version + ")");
      for (String table : new String[] {"bans", "bips"}) {
        s.execute(
            "CREATE TABLE "
                + table
                + "(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL, bantime INTEGER NOT"
                + " NULL, bancount INTEGER NOT NULL DEFAULT 1, data JSON)");
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO bips VALUES (?, ?, ?, ?, ?, ?)")) {
        row(
            p,
            "sshd",
            "198.51.100.77",
            1_748_779_200L,
            3600,
            1,
            "{\"matches\": [[\"\", \"Jun  1 12:00:00\", \" host sshd[1]: Failed password\"],"
                + " \"Jun  1 12:00:01 host sshd[1]: Failed password\"], \"failures\": 5,"
                + " \"user\": \"root\"}");
        row(p, "sshd", "203.0.113.4", 1_748_779_300L, -1, 2, "{}");
        row(p, "asterisk", "203.0.113.5", 1_748_779_400L, -2, 1, "not json");
        row(p, "sshd", "", 1_748_779_500L, 600, 1, null);
      }
    }
    return file;
  }

  private static void row(
      PreparedStatement p, String jail, String ip, long time, long bantime, int count, String data)
      throws Exception {
    p.setString(1, jail);
    p.setString(2, ip);
    p.setLong(3, time);
    p.setLong(4, bantime);
    p.setInt(5, count);
    p.setBytes(6, data == null ? null : data.getBytes(StandardCharsets.UTF_8));
    p.executeUpdate();
  }

  @Test
  void latestBans_readsTimesLengthsCountsAndMatches_withoutWriting() throws Exception {
    Path file = database(4);
    byte[] before = Files.readAllBytes(file);

    try (Fail2banDatabase db = Fail2banDatabase.open(file)) {
      assertThat(db.latestBans())
          .containsExactly(
              new Fail2banBan(
                  "sshd",
                  "198.51.100.77",
                  Instant.ofEpochSecond(1_748_779_200L),
                  Duration.ofHours(1),
                  1,
                  5,
                  java.util.List.of(
                      "Jun  1 12:00:00 host sshd[1]: Failed password",
                      "Jun  1 12:00:01 host sshd[1]: Failed password")),
              new Fail2banBan(
                  "sshd",
                  "203.0.113.4",
                  Instant.ofEpochSecond(1_748_779_300L),
                  Duration.ofSeconds(-1),
                  2,
                  0,
                  java.util.List.of()),
              new Fail2banBan(
                  "asterisk",
                  "203.0.113.5",
                  Instant.ofEpochSecond(1_748_779_400L),
                  null,
                  1,
                  0,
                  java.util.List.of()));
      assertThat(db.history()).isEmpty();
    }

    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(dir.resolve("fail2ban.sqlite3-journal")).doesNotExist();
    assertThat(dir.resolve("fail2ban.sqlite3-wal")).doesNotExist();
  }

  @Test
  void open_otherSchemaOrNotFail2ban_saysWhatItReads() throws Exception {
    Path old = database(2);
    assertThatThrownBy(() -> Fail2banDatabase.open(old))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("schema 2")
        .hasMessageContaining("schema 4 (fail2ban 0.11 and later)");

    Path other = dir.resolve("other.sqlite3");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(x)");
    }
    assertThatThrownBy(() -> Fail2banDatabase.open(other))
        .hasMessageContaining("is not fail2ban's database");

    assertThatThrownBy(() -> Fail2banDatabase.open(dir.resolve("missing.sqlite3")))
        .hasMessageContaining("no fail2ban database at")
        .hasMessageContaining("--db FILE");
    assertThat(dir.resolve("missing.sqlite3")).doesNotExist();
  }
}
