package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BanStoreTest {
  @TempDir Path dir;

  private static BanDecision ban(String ip, Instant time, int count) {
    return new BanDecision(
        "sshd", ip, IpAddress.parse(ip), time, Duration.ofHours(1), count, 5, List.of());
  }

  @Test
  void addHistory_sameBanTwice_isAddedOnce() throws Exception {
    Instant t = Instant.parse("2025-06-01T10:00:00Z");
    try (BanStore store = BanStore.open(dir.resolve("p.sqlite3"))) {
      assertThat(store.addHistory(ban("203.0.113.5", t, 1))).isTrue();
      assertThat(store.addHistory(ban("203.0.113.5", t, 1))).isFalse();
      assertThat(store.addHistory(ban("203.0.113.5", t.plusSeconds(3600), 2))).isTrue();
      // a ban in force is in the history too: importing its history row again adds nothing
      store.addBan(ban("203.0.113.6", t, 1));
      assertThat(store.addHistory(ban("203.0.113.6", t, 1))).isFalse();
      assertThat(store.banCounts())
          .extracting(r -> r.fid() + "=" + r.bans())
          .containsExactlyInAnyOrder("203.0.113.5=2", "203.0.113.6=1");
      assertThat(store.bans()).extracting(BanDecision::fid).containsExactly("203.0.113.6");
    }
  }

  @Test
  void bans_readInBlocks_giveBackEveryFieldOldestFirst() throws Exception {
    Instant t = Instant.parse("2025-06-01T10:00:00Z");
    List<BanDecision> written = new java.util.ArrayList<>();
    for (int i = 0; i < 4500; i++) {
      String ip = i % 2 == 0 ? "2001:db8::" + Integer.toHexString(i + 1) : "198.51.100." + i % 250;
      written.add(
          new BanDecision(
              i % 3 == 0 ? "asterisk" : "sshd",
              i % 7 == 0 ? "user" + i : ip,
              i % 7 == 0 ? null : IpAddress.parse(ip),
              t.minusSeconds(i),
              i % 5 == 0 ? Duration.ofSeconds(-1) : Duration.ofSeconds(60 + i),
              1 + i % 4,
              5 + i % 3,
              i % 11 == 0 ? List.of("line with \u001f, \u001e and \"quotes\"", "two") : List.of()));
    }
    try (BanStore store = BanStore.open(dir.resolve("p.sqlite3"))) {
      store.inTransaction(
          () -> {
            for (BanDecision b : written) {
              store.addBan(b);
            }
          });
      assertThat(store.bans())
          .containsExactlyElementsOf(
              keptLast(written).stream()
                  .sorted(java.util.Comparator.comparing(BanDecision::time))
                  .toList());
    }
  }

  @Test
  void bans_idWithTheBlockSeparators_areReadColumnByColumn() throws Exception {
    // the block read splits on U+001F and U+001E: a failure id holding them must not shift fields
    Instant t = Instant.parse("2025-06-01T10:00:00Z");
    BanDecision odd =
        new BanDecision(
            "sshd", "a\u001fb\u001ec", null, t, Duration.ofHours(1), 2, 5, List.of("x"));
    try (BanStore store = BanStore.open(dir.resolve("p.sqlite3"))) {
      store.addBan(ban("203.0.113.5", t.plusSeconds(1), 1));
      store.addBan(odd);
      assertThat(store.bans()).containsExactly(odd, ban("203.0.113.5", t.plusSeconds(1), 1));
    }
  }

  /** One ban per (jail, fid), the last written (the store's primary key). */
  private static List<BanDecision> keptLast(List<BanDecision> written) {
    java.util.Map<String, BanDecision> last = new java.util.LinkedHashMap<>();
    for (BanDecision b : written) {
      last.put(b.jail() + " " + b.fid(), b);
    }
    return List.copyOf(last.values());
  }

  @Test
  void remoteBan_isKeptWithItsOrigin_withoutHistory_untilLiftedOrBannedHere() throws Exception {
    // regression (store + fleet): a remote ban was not in the store, so after a restart the
    // firewall reconcile adopted its kernel element as this node's own ban, and the fleet's
    // catch-up never lifted it although the origin had unbanned it (FleetNetnsIT)
    Instant t = Instant.parse("2025-06-01T10:00:00Z");
    Path file = dir.resolve("p.sqlite3");
    try (BanStore store = BanStore.open(file)) {
      store.addRemoteBan(ban("203.0.113.7", t, 1), "pbx-2");
      store.addRemoteBan(ban("203.0.113.8", t, 1), "pbx-3");
      store.addRemoteBan(ban("203.0.113.9", t, 1), "pbx-2");
      store.removeBan("sshd", "203.0.113.8", t.plusSeconds(60));
      store.addBan(ban("203.0.113.9", t.plusSeconds(60), 1));
    }
    try (BanStore store = BanStore.open(file)) {
      assertThat(store.bans())
          .extracting(BanDecision::fid)
          .containsExactlyInAnyOrder("203.0.113.7", "203.0.113.9");
      assertThat(store.remoteOrigins())
          .containsExactly(new BanStore.RemoteOrigin("sshd", "203.0.113.7", "pbx-2"));
      assertThat(store.banCounts()).extracting(r -> r.fid()).containsExactly("203.0.113.9");
    }
  }

  @Test
  void addBans_writesTheRowsThatAddBanWritesOneByOne() throws Exception {
    // the bulk path of a ban by command (multi-row statements, removals skipped on empty tables)
    // must leave the same rows as the one-by-one path, full chunks, the rest, and a linked ban
    Instant t = Instant.parse("2025-06-01T10:00:00Z");
    List<BanDecision> bans = new java.util.ArrayList<>();
    List<AddressEvent> events = new java.util.ArrayList<>();
    for (int i = 0; i < 2 * BanStore.ROWS + 37; i++) {
      String ip = i % 2 == 0 ? "2001:db8::" + Integer.toHexString(i + 1) : "198.51.100." + i;
      int failures = i == 150 ? 5 : 0;
      BanDecision b =
          new BanDecision(
              "asterisk",
              ip,
              IpAddress.parse(ip),
              t.plusSeconds(i),
              i % 5 == 0 ? Duration.ofSeconds(-1) : Duration.ofHours(1),
              1 + i % 3,
              failures,
              i % 7 == 0 ? List.of("a line") : List.of());
      bans.add(b);
      events.add(
          new AddressEvent.Ban(
              b.time(), b.jail(), b.fid(), b.ip(), b.bantime(), b.count(), b.failures()));
    }
    Path one = dir.resolve("one.sqlite3");
    Path bulk = dir.resolve("bulk.sqlite3");
    for (Path f : List.of(one, bulk)) {
      try (BanStore store = BanStore.open(f)) {
        // an unban not yet confirmed, a ban from another node and a failure that ban 150 links
        store.removeBan("asterisk", "2001:db8::1", t);
        store.removeBan("asterisk", "192.0.2.9", t);
        store.addRemoteBan(ban("192.0.2.8", t, 1), "pbx-3");
        store.addRemoteBan(
            new BanDecision(
                "asterisk",
                "198.51.100.3",
                IpAddress.parse("198.51.100.3"),
                t,
                Duration.ofHours(1),
                1,
                0,
                List.of()),
            "pbx-2");
        store
            .events()
            .add(
                new AddressEvent.Failure(
                    t,
                    "asterisk",
                    "2001:db8::97",
                    IpAddress.parse("2001:db8::97"),
                    1,
                    new Evidence("f", "asterisk", "r", List.of("l"))));
        store.inTransaction(
            () -> {
              if (f == one) {
                for (int i = 0; i < bans.size(); i++) {
                  store.addBan(bans.get(i));
                  store.events().add(events.get(i));
                }
              } else {
                store.addBans(bans, events);
              }
            });
      }
    }
    List<String> tables =
        List.of(
            "SELECT * FROM bans ORDER BY jail, fid",
            "SELECT rowid, * FROM ban_history ORDER BY rowid",
            "SELECT * FROM events ORDER BY id",
            "SELECT * FROM lifted ORDER BY fid",
            "SELECT * FROM remote_bans ORDER BY fid");
    for (String q : tables) {
      assertThat(rows(bulk, q)).as(q).isEqualTo(rows(one, q)).isNotEmpty();
    }
    assertThat(rows(bulk, "SELECT fid FROM lifted")).containsExactly("192.0.2.9|");
    assertThat(rows(bulk, "SELECT fid FROM remote_bans")).containsExactly("192.0.2.8|");
    assertThat(rows(bulk, "SELECT count(*) FROM events WHERE ban IS NOT NULL"))
        .containsExactly("1|");
  }

  private static List<String> rows(Path file, String query) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(query)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          sb.append(rs.getString(i)).append('|');
        }
        out.add(sb.toString());
      }
    }
    return out;
  }

  @Test
  void open_fail2bansDatabase_isRefusedBeforeAnythingIsWritten() throws Exception {
    // regression: 'server --config /etc/fail2ban' opened fail2ban's dbfile, switched it to WAL
    // and failed with "table bans already exists"
    Path f2b = dir.resolve("fail2ban.sqlite3");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f2b);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE fail2banDb(version INTEGER)");
      s.execute("INSERT INTO fail2banDb VALUES (4)");
      s.execute(
          "CREATE TABLE bans(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL,"
              + " bantime INTEGER NOT NULL, bancount INTEGER NOT NULL DEFAULT 1, data JSON)");
    }
    byte[] before = Files.readAllBytes(f2b);

    assertThatThrownBy(() -> BanStore.open(f2b))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(f2b.toString())
        .hasMessageContaining("fail2ban's database")
        .hasMessageContaining("portcullis import fail2ban");

    assertThat(Files.readAllBytes(f2b)).isEqualTo(before);
    assertThat(dir.resolve("fail2ban.sqlite3-wal")).doesNotExist();
  }
}
