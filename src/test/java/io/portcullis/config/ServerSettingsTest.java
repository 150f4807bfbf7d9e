package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {
  @TempDir Path dir;

  @Test
  void fail2banConfig_keepsPortcullisOwnStore_notFail2bansDbfile() throws Exception {
    // regression: 'server --config /etc/fail2ban' opened fail2ban's own dbfile
    Files.writeString(
        dir.resolve("fail2ban.conf"),
        "[Definition]\nsocket = /run/f2b.sock\ndbfile = /var/lib/fail2ban/fail2ban.sqlite3\n");
    ServerSettings s = ServerSettings.read(dir);
    assertThat(s.dbfile()).isEqualTo(ServerSettings.DEFAULT_DB);
    assertThat(s.socket()).isEqualTo(Path.of("/run/f2b.sock"));
    assertThat(ServerSettings.fail2banDbfile(dir))
        .contains(Path.of("/var/lib/fail2ban/fail2ban.sqlite3"));
  }

  @Test
  void portcullisConfig_usesItsDbfile() throws Exception {
    Files.writeString(dir.resolve("portcullis.conf"), "[Definition]\ndbfile = /srv/p.sqlite3\n");
    Files.writeString(dir.resolve("fail2ban.conf"), "[Definition]\ndbfile = /srv/f.sqlite3\n");
    assertThat(ServerSettings.read(dir).dbfile()).isEqualTo(Path.of("/srv/p.sqlite3"));
    assertThat(ServerSettings.fail2banDbfile(dir)).isEmpty();
  }
}
