package io.portcullis.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.net.IpAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FleetEventTest {
  private static final Instant T = Instant.parse("2026-11-28T10:00:00.123Z");

  @Test
  void ban_roundTripsThroughJson_withItsAbsoluteEndToTheMillisecond() {
    FleetEvent e =
        FleetEvent.ban(
            "pbx-1",
            "asterisk",
            IpAddress.parse("2001:db8::7"),
            T,
            T.plusSeconds(3600),
            "5 failures");
    FleetEvent back = FleetEvent.fromJson(e.toJson());
    assertThat(back).isEqualTo(e);
    assertThat(back.end()).isEqualTo(Instant.parse("2026-11-28T11:00:00.123Z"));
    assertThat(e.key("portcullis")).isEqualTo("portcullis:ban:asterisk:2001:db8::7");
  }

  @Test
  void banForEver_andUnban_haveNoEnd() {
    FleetEvent forEver =
        FleetEvent.ban("a", "sshd", IpAddress.parse("192.0.2.1"), T, null, "by command");
    assertThat(FleetEvent.fromJson(forEver.toJson()).end()).isNull();
    FleetEvent unban = FleetEvent.unban("a", "sshd", IpAddress.parse("192.0.2.1"), T);
    assertThat(FleetEvent.fromJson(unban.toJson())).isEqualTo(unban);
    assertThat(unban.toJson()).doesNotContain("\"end\"");
  }

  @Test
  void fromJson_refusesWhatIsNotAnEvent() {
    assertThatThrownBy(() -> FleetEvent.fromJson("not json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> FleetEvent.fromJson("{\"k\":\"ban\",\"node\":\"a\",\"jail\":\"j\",\"t\":1}"))
        .hasMessageContaining("needs k, ip and t");
    assertThatThrownBy(
            () ->
                FleetEvent.fromJson(
                    "{\"k\":\"nuke\",\"node\":\"a\",\"jail\":\"j\",\"ip\":\"192.0.2.1\",\"t\":1}"))
        .hasMessageContaining("neither ban nor unban");
    // an address is parsed strictly: a host name or a shell word never gets through
    assertThatThrownBy(
            () ->
                FleetEvent.fromJson(
                    "{\"k\":\"ban\",\"node\":\"a\",\"jail\":\"j\",\"ip\":\"$(reboot)\",\"t\":1}"))
        .isInstanceOf(IllegalArgumentException.class);
    // a jail name goes into a Redis key and a log line
    assertThatThrownBy(
            () ->
                FleetEvent.fromJson(
                    "{\"k\":\"ban\",\"node\":\"a\",\"jail\":\"a b\",\"ip\":\"192.0.2.1\",\"t\":1}"))
        .hasMessageContaining("jail: not a name");
    assertThatThrownBy(
            () ->
                FleetEvent.fromJson(
                    "{\"k\":\"ban\",\"node\":\"a\",\"jail\":\"j\",\"ip\":\"192.0.2.1\",\"t\":1,"
                        + "\"why\":\"x\\ny\"}"))
        .hasMessageContaining("reason");
  }
}
