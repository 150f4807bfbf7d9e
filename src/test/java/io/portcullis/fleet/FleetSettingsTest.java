package io.portcullis.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetSettingsTest {
  @TempDir Path dir;

  private FleetSettings read(String section) throws Exception {
    Files.writeString(dir.resolve("portcullis.conf"), "[Definition]\n" + section);
    return FleetSettings.read(dir);
  }

  @Test
  void noFleetSection_orNoRedis_isNoFleet() throws Exception {
    assertThat(read("")).isNull();
    assertThat(read("[fleet]\nnode = a\n")).isNull();
  }

  @Test
  void fullSection_isRead_andThePasswordNeverShown() throws Exception {
    FleetSettings s =
        read(
            "[fleet]\nredis = rediss://fleet:s3cret@198.51.100.254:6380/2\nnode = pbx-1\n"
                + "share = asterisk sshd\naccept = asterisk pbx-2\n");
    assertThat(s.node()).isEqualTo("pbx-1");
    assertThat(s.shares("asterisk")).isTrue();
    assertThat(s.shares("recidive")).isFalse();
    assertThat(s.accepts("sshd", "pbx-2")).isTrue();
    assertThat(s.accepts("sshd", "pbx-3")).isFalse();
    assertThat(s.redisShown())
        .isEqualTo("rediss://fleet:***@198.51.100.254:6380/2")
        .doesNotContain("s3cret");
    assertThat(s.maxlen()).isEqualTo(100_000);
  }

  @Test
  void defaults_shareAndAcceptAll() throws Exception {
    FleetSettings s = read("[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = a\n");
    assertThat(s.shares("anything")).isTrue();
    assertThat(s.accepts("anything", "anyone")).isTrue();
  }

  @Test
  void badValues_areAllReported_withFileLineAndWhatWouldBeValid() throws Exception {
    assertThatThrownBy(
            () ->
                read(
                    "[fleet]\nredis = http://127.0.0.1:6379\nnode = a b\nshare = all asterisk\n"
                        + "maxlen = 10x\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("portcullis.conf:3: redis: 'http://127.0.0.1:6379' is not a redis://")
        .hasMessageContaining("try redis://127.0.0.1:6379/0")
        .hasMessageContaining("portcullis.conf:4: node: 'a b' is not a node name")
        .hasMessageContaining("share: 'all' with names")
        .hasMessageContaining("maxlen: '10x' is not a number from 1000 to 100000000");
  }
}
