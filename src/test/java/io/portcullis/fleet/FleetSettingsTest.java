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

  @Test
  void trust_defaultsToNone_namesOrAll() throws Exception {
    FleetSettings none = read("[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = a\n");
    assertThat(none.trustsAny()).isFalse();
    assertThat(none.trusts("b")).isFalse();
    assertThat(none.refresh()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(none.peerTtl()).isEqualTo(java.time.Duration.ofSeconds(30));
    FleetSettings some =
        read(
            "[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = a\ntrust = b c\nrefresh = 2s\n"
                + "address = 192.0.2.7 2001:db8::7\n");
    assertThat(some.trusts("b")).isTrue();
    assertThat(some.trusts("d")).isFalse();
    assertThat(some.trusts("a")).as("never itself").isFalse();
    assertThat(some.peerTtl()).isEqualTo(java.time.Duration.ofSeconds(6));
    assertThat(some.address())
        .containsExactly(
            io.portcullis.net.IpAddress.parse("192.0.2.7"),
            io.portcullis.net.IpAddress.parse("2001:db8::7"));
    FleetSettings all = read("[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = a\ntrust = all\n");
    assertThat(all.trusts("anyone")).isTrue();
  }

  @Test
  void badTrustAddressAndRefresh_areReported_withFileLine() throws Exception {
    assertThatThrownBy(
            () ->
                read(
                    "[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = a\ntrust = all b\n"
                        + "address = 192.0.2.0/24 127.0.0.1 fe80::1 not-an-ip\nrefresh = 0.5s\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("portcullis.conf:5: trust: 'all' with names makes no sense")
        .hasMessageContaining("portcullis.conf:6: address: '192.0.2.0/24' is a network")
        .hasMessageContaining("address: '127.0.0.1' is a loopback address")
        .hasMessageContaining("address: 'fe80::1' is a link-local address")
        .hasMessageContaining("address: 'not-an-ip' is not an IP address")
        .hasMessageContaining("portcullis.conf:7: refresh: '0.5s' is not a time from 1s to 1h");
  }

  @Test
  void moreThanEightAddresses_isRefused() throws Exception {
    StringBuilder nine = new StringBuilder();
    for (int i = 1; i <= 9; i++) {
      nine.append(" 192.0.2.").append(i);
    }
    assertThatThrownBy(
            () ->
                read(
                    "[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = a\naddress =" + nine + "\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("address: 9 addresses, at most 8");
  }
}
