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

  @Test
  void ban_whoseEndIsNotAfterItsTime_isRefused() {
    // regression: a ban whose end was not after its start became a negative bantime, "for ever"
    IpAddress ip = IpAddress.parse("192.0.2.9");
    assertThatThrownBy(() -> FleetEvent.ban("a", "sshd", ip, T, T, "x"))
        .hasMessageContaining("not after the ban's time");
    assertThatThrownBy(
            () ->
                FleetEvent.fromJson(
                    "{\"k\":\"ban\",\"node\":\"a\",\"jail\":\"sshd\",\"ip\":\"192.0.2.9\","
                        + "\"t\":2000,\"end\":1000}"))
        .hasMessageContaining("not after the ban's time");
  }

  @Test
  void clampedTo_senderClockFarAhead_movesTimeAndEndBack_keepingTheLength() {
    // regression: a sender's clock running ahead put the remote end far in the future
    FleetEvent ahead =
        FleetEvent.ban(
            "a",
            "sshd",
            IpAddress.parse("192.0.2.9"),
            T.plusSeconds(7200),
            T.plusSeconds(10800),
            "x");
    FleetEvent taken = ahead.clampedTo(T);
    assertThat(taken.time()).isEqualTo(T);
    assertThat(taken.end()).isEqualTo(T.plusSeconds(3600));
    FleetEvent forEver =
        FleetEvent.ban("a", "sshd", IpAddress.parse("192.0.2.9"), T.plusSeconds(7200), null, "x");
    assertThat(forEver.clampedTo(T).end()).isNull();
    assertThat(forEver.clampedTo(T).time()).isEqualTo(T);
  }

  @Test
  void clampedTo_skewWithinTolerance_keepsTheEventAsItIs() {
    FleetEvent e =
        FleetEvent.ban(
            "a", "sshd", IpAddress.parse("192.0.2.9"), T.plusSeconds(20), T.plusSeconds(620), "x");
    assertThat(e.clampedTo(T)).isSameAs(e);
  }
}
