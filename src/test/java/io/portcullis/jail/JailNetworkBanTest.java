package io.portcullis.jail;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JailNetworkBanTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final IpAddress NET = IpAddress.parse("2001:db8:5:1::/64");
  private static final IpAddress SIXTH = IpAddress.parse("2001:db8:5:1::6");

  private static Jail jail() {
    return new Jail(
        new JailSettings(
            "asterisk",
            3,
            Duration.ofMinutes(10),
            Duration.ofHours(1),
            3,
            JailSettings.Increment.OFF,
            Duration.ofDays(1),
            List.of()),
        BanHistory.NONE,
        ip -> false,
        new Random(1));
  }

  private static Outcome fail(Jail j, IpAddress ip, int seconds) {
    return j.failure(ip.toString(), ip, T0.plusSeconds(seconds), List.of("line"));
  }

  @Test
  void networkBan_takesTheBantime_andFailuresInsideItAreAlreadyBanned() {
    Jail j = jail();
    assertThat(fail(j, SIXTH, 0).kind()).isEqualTo(Outcome.Kind.COUNTED);
    BanDecision b = j.networkBan(NET, T0.plusSeconds(1), 5);
    assertThat(b.fid()).isEqualTo("2001:db8:5:1::/64");
    assertThat(b.ip()).isEqualTo(NET);
    assertThat(b.failures()).isEqualTo(5);
    assertThat(b.end()).isEqualTo(T0.plusSeconds(1).plus(Duration.ofHours(1)));
    // the pending failure of an address inside was forgotten, and new ones do not count
    assertThat(j.pending(T0.plusSeconds(2))).isEmpty();
    assertThat(fail(j, SIXTH, 2).kind()).isEqualTo(Outcome.Kind.ALREADY_BANNED);
    // outside the network: counted as usual
    assertThat(fail(j, IpAddress.parse("2001:db8:5:2::6"), 2).kind())
        .isEqualTo(Outcome.Kind.COUNTED);
  }

  @Test
  void networkBan_endedOrLifted_letsFailuresInsideCountAgain() {
    Jail j = jail();
    j.networkBan(NET, T0, 5);
    assertThat(fail(j, SIXTH, 3600).kind()).isEqualTo(Outcome.Kind.COUNTED);
    Jail k = jail();
    k.restored(NET.toString(), null);
    assertThat(fail(k, SIXTH, 10).kind()).isEqualTo(Outcome.Kind.ALREADY_BANNED);
    k.unbanned(NET.toString());
    assertThat(fail(k, SIXTH, 11).kind()).isEqualTo(Outcome.Kind.COUNTED);
  }
}
