package io.portcullis.jail;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JailTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final IpAddress A = IpAddress.parse("203.0.113.5");
  private static final IpAddress PHONE = IpAddress.parse("192.0.2.10");

  private static JailSettings settings(JailSettings.Increment inc, String... ignore) {
    return new JailSettings(
        "asterisk",
        3,
        Duration.ofMinutes(10),
        Duration.ofHours(1),
        3,
        inc,
        Duration.ofDays(1),
        List.of(ignore).stream().map(IpAddress::parse).toList());
  }

  private static Jail jail(String... ignore) {
    return new Jail(
        settings(JailSettings.Increment.OFF, ignore), BanHistory.NONE, ip -> false, new Random(1));
  }

  private static Outcome fail(Jail j, IpAddress ip, int secondsAfterT0) {
    return j.failure(
        ip.toString(), ip, T0.plusSeconds(secondsAfterT0), List.of("line " + secondsAfterT0));
  }

  @Test
  void addFailure_reachingMaxretryWithinFindtime_bans() {
    Jail j = jail();
    assertThat(fail(j, A, 0).kind()).isEqualTo(Outcome.Kind.COUNTED);
    assertThat(fail(j, A, 60).kind()).isEqualTo(Outcome.Kind.COUNTED);
    Outcome third = fail(j, A, 120);
    assertThat(third.kind()).isEqualTo(Outcome.Kind.BANNED);
    BanDecision ban = third.ban().orElseThrow();
    assertThat(ban.bantime()).isEqualTo(Duration.ofHours(1));
    assertThat(ban.failures()).isEqualTo(3);
    assertThat(ban.matches()).containsExactly("line 0", "line 60", "line 120");
    assertThat(ban.end()).isEqualTo(T0.plusSeconds(120).plus(Duration.ofHours(1)));
    assertThat(fail(j, A, 130).kind()).isEqualTo(Outcome.Kind.ALREADY_BANNED);
  }

  @Test
  void addFailure_afterFindTime_forgetsOldFailures() {
    Jail j = jail();
    fail(j, A, 0);
    fail(j, A, 60);
    assertThat(fail(j, A, 601).kind()).isEqualTo(Outcome.Kind.COUNTED);
    assertThat(j.pending(T0.plusSeconds(601))).containsEntry(A.toString(), 2);
  }

  @Test
  void ignoredNetwork_isNeverCounted() {
    Jail j = jail("203.0.113.0/24");
    for (int i = 0; i < 10; i++) {
      assertThat(fail(j, A, i).kind()).isEqualTo(Outcome.Kind.IGNORED);
    }
  }

  @Test
  void success_allowsTheAddress_andForgetsItsPendingFailures() {
    Jail j = jail();
    fail(j, PHONE, 0);
    fail(j, PHONE, 1);
    j.allow(PHONE, T0.plusSeconds(2));
    assertThat(j.pending(T0.plusSeconds(3))).isEmpty();
    // a phone that mistypes its password later is not banned within allowtime
    for (int i = 10; i < 20; i++) {
      assertThat(fail(j, PHONE, i).kind()).isEqualTo(Outcome.Kind.ALLOWED);
    }
    // after allowtime it is counted again
    assertThat(fail(j, PHONE, 2 + 86_400 + 1).kind()).isEqualTo(Outcome.Kind.COUNTED);
  }

  @Test
  void increment_doublesEachBan_withinMaxtime() {
    JailSettings.Increment inc =
        new JailSettings.Increment(true, 1, List.of(), Duration.ofHours(5), null, false);
    int[] previous = {0};
    Jail j = new Jail(settings(inc), (jail, fid) -> previous[0], ip -> false, new Random(1));
    assertThat(j.manualBan(A.toString(), A, T0).bantime()).isEqualTo(Duration.ofHours(1));
    previous[0] = 1;
    j.unbanned(A.toString());
    BanDecision second = j.manualBan(A.toString(), A, T0);
    assertThat(second.bantime()).isEqualTo(Duration.ofHours(2));
    assertThat(second.count()).isEqualTo(2);
    previous[0] = 5;
    assertThat(j.manualBan(A.toString(), A, T0).bantime()).isEqualTo(Duration.ofHours(5));
  }

  @Test
  void increment_withMultipliers_repeatsTheLast() {
    JailSettings.Increment inc =
        new JailSettings.Increment(true, 1, List.of(1, 5, 30), null, null, false);
    assertThat(BanTimes.increase(Duration.ofMinutes(10), 0, inc, new Random()))
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(BanTimes.increase(Duration.ofMinutes(10), 1, inc, new Random()))
        .isEqualTo(Duration.ofMinutes(50));
    assertThat(BanTimes.increase(Duration.ofMinutes(10), 7, inc, new Random()))
        .isEqualTo(Duration.ofMinutes(300));
  }

  @Test
  void banEnds_thenFailuresCountAgain() {
    Jail j = jail();
    fail(j, A, 0);
    fail(j, A, 1);
    fail(j, A, 2);
    j.unbanned(A.toString());
    assertThat(fail(j, A, 3700).kind()).isEqualTo(Outcome.Kind.COUNTED);
  }
}
