package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's account of each address, in a real SQLite file. */
class AddressEventsIT {
  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final IpAddress ATTACKER = IpAddress.parse("203.0.113.7");
  private static final String REGEX = "^NOTICE.* failed for '<HOST>:\\d+' - Wrong password$";

  private static AddressEvent.Failure failure(int second, IpAddress ip, int count) {
    return new AddressEvent.Failure(
        T0.plusSeconds(second),
        "asterisk",
        ip.toString(),
        ip,
        count,
        Evidence.bounded(
            "/var/log/asterisk/messages",
            "asterisk",
            REGEX,
            List.of("line " + second + " from " + ip)));
  }

  private static AddressEvent.Ban ban(int second, IpAddress ip, int failures) {
    return new AddressEvent.Ban(
        T0.plusSeconds(second), "asterisk", ip.toString(), ip, Duration.ofHours(1), 1, failures);
  }

  @Test
  void ban_takesTheFailuresNoEarlierBanTook_andKeepsThemAcrossAReopen() throws Exception {
    Path file = dir.resolve("db.sqlite3");
    IpAddress other = IpAddress.parse("198.51.100.9");
    try (BanStore store = BanStore.open(file)) {
      AddressEvents e = store.events();
      for (int i = 1; i <= 3; i++) {
        e.add(failure(i, ATTACKER, i));
      }
      e.add(ban(3, ATTACKER, 3));
      e.add(failure(4, other, 1));
      e.add(
          new AddressEvent.Unban(
              T0.plusSeconds(10), "asterisk", "203.0.113.7", ATTACKER, AddressEvent.Reason.ENDED));
      // a fourth failure after the first ban, then two more and a second ban of two failures
      e.add(failure(20, ATTACKER, 1));
      e.add(failure(21, ATTACKER, 2));
      e.add(ban(21, ATTACKER, 2));
    }
    try (BanStore store = BanStore.open(file)) {
      AddressEvents e = store.events();
      List<AddressEvents.Stored> history = e.of(ATTACKER, 100);
      assertThat(history)
          .extracting(s -> s.event().kind())
          .containsExactly(
              AddressEvent.Kind.BAN,
              AddressEvent.Kind.FAILURE,
              AddressEvent.Kind.FAILURE,
              AddressEvent.Kind.UNBAN,
              AddressEvent.Kind.BAN,
              AddressEvent.Kind.FAILURE,
              AddressEvent.Kind.FAILURE,
              AddressEvent.Kind.FAILURE);
      long second = history.get(0).id();
      long first = history.get(4).id();
      assertThat(e.lastBan("asterisk", ATTACKER)).hasValue(second);
      List<AddressEvents.Stored> evidence = e.evidenceOf(first);
      assertThat(evidence).hasSize(3);
      AddressEvent.Failure f = (AddressEvent.Failure) evidence.get(0).event();
      assertThat(f.evidence().lines()).containsExactly("line 1 from 203.0.113.7");
      assertThat(f.evidence().regex()).isEqualTo(REGEX);
      assertThat(f.evidence().file()).isEqualTo("/var/log/asterisk/messages");
      assertThat(f.evidence().filter()).isEqualTo("asterisk");
      assertThat(e.evidenceOf(second))
          .extracting(s -> s.event().time())
          .containsExactly(T0.plusSeconds(20), T0.plusSeconds(21));
      assertThat(((AddressEvent.Unban) history.get(3).event()).reason())
          .isEqualTo(AddressEvent.Reason.ENDED);
      assertThat(e.of(IpAddress.parse("198.51.100.9"), 100)).hasSize(1);
    }
  }

  @Test
  void ban_keepsAtMostMaxEvidenceFailures_theNewest() throws Exception {
    try (BanStore store = BanStore.open(dir.resolve("db.sqlite3"))) {
      AddressEvents e = store.events();
      int n = AddressEvents.MAX_EVIDENCE + 20;
      for (int i = 1; i <= n; i++) {
        e.add(failure(i, ATTACKER, i));
      }
      e.add(ban(n, ATTACKER, n));
      long banId = e.lastBan("asterisk", ATTACKER).orElseThrow();
      List<AddressEvents.Stored> evidence = e.evidenceOf(banId);
      assertThat(evidence).hasSize(AddressEvents.MAX_EVIDENCE);
      assertThat(evidence.get(0).event().time()).isEqualTo(T0.plusSeconds(21));
    }
  }

  @Test
  void evidence_cutsLongLinesAndKeepsTheLastLines() {
    String huge = "x".repeat(Evidence.MAX_LINE + 500);
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < Evidence.MAX_LINES + 5; i++) {
      many.add(i == Evidence.MAX_LINES + 4 ? huge : "l" + i);
    }
    Evidence ev = Evidence.bounded(null, "f", "r", many);
    assertThat(ev.lines()).hasSize(Evidence.MAX_LINES);
    assertThat(ev.lines().get(0)).isEqualTo("l5");
    assertThat(ev.lines().get(Evidence.MAX_LINES - 1)).hasSize(Evidence.MAX_LINE + 1);
  }

  @Test
  void allowAfterASuccess_keepsItsLine_andAnAllowByCommandHasNone() throws Exception {
    try (BanStore store = BanStore.open(dir.resolve("db.sqlite3"))) {
      AddressEvents e = store.events();
      IpAddress phone = IpAddress.parse("192.0.2.10");
      e.add(
          new AddressEvent.Allow(
              T0,
              "asterisk",
              "192.0.2.10",
              phone,
              T0.plus(Duration.ofDays(1)),
              Evidence.bounded(null, "asterisk", "SuccessfulAuth.*<HOST>", List.of("ok line"))));
      e.add(
          new AddressEvent.Allow(
              T0.plusSeconds(5), "asterisk", "192.0.2.10", phone, T0.plusSeconds(65), null));
      List<AddressEvents.Stored> h = e.of(phone, 10);
      AddressEvent.Allow byCommand = (AddressEvent.Allow) h.get(0).event();
      AddressEvent.Allow onSuccess = (AddressEvent.Allow) h.get(1).event();
      assertThat(byCommand.evidence()).isNull();
      assertThat(byCommand.until()).isEqualTo(T0.plusSeconds(65));
      assertThat(onSuccess.evidence().lines()).containsExactly("ok line");
      assertThat(onSuccess.evidence().file()).isNull();
    }
  }

  @Test
  void purge_forgetsEventsOlderThanTheAge_andAllButTheNewestBeyondTheCap() throws Exception {
    try (BanStore store = BanStore.open(dir.resolve("db.sqlite3"))) {
      AddressEvents e = store.events();
      for (int i = 0; i < 10; i++) {
        e.add(failure(i * 60, ATTACKER, 1));
      }
      assertThat(e.purge(T0.plusSeconds(120), 1_000)).isEqualTo(2);
      assertThat(e.of(ATTACKER, 100)).hasSize(8);
      assertThat(e.purge(T0, 5)).isEqualTo(3);
      assertThat(e.of(ATTACKER, 100))
          .extracting(s -> s.event().time())
          .first()
          .isEqualTo(T0.plusSeconds(540));
      assertThat(e.of(ATTACKER, 100)).hasSize(5);
      // the regex the remaining rows name is still there after the purge
      assertThat(((AddressEvent.Failure) e.of(ATTACKER, 1).get(0).event()).evidence().regex())
          .isEqualTo(REGEX);
    }
  }

  @Test
  void counts_perStepAndPerAddress_fromATimeOn() throws Exception {
    try (BanStore store = BanStore.open(dir.resolve("db.sqlite3"))) {
      AddressEvents e = store.events();
      IpAddress other = IpAddress.parse("2001:db8::5");
      e.add(failure(0, ATTACKER, 1));
      e.add(failure(30, ATTACKER, 2));
      e.add(failure(61, ATTACKER, 3));
      e.add(ban(61, ATTACKER, 3));
      e.add(failure(62, other, 1));
      e.add(failure(-600, other, 1)); // before the window
      List<AddressEvents.Count> steps = e.perStep(T0, Duration.ofMinutes(1));
      assertThat(steps)
          .containsExactlyInAnyOrder(
              new AddressEvents.Count("asterisk", AddressEvent.Kind.FAILURE, T0, 2),
              new AddressEvents.Count("asterisk", AddressEvent.Kind.FAILURE, T0.plusSeconds(60), 2),
              new AddressEvents.Count("asterisk", AddressEvent.Kind.BAN, T0.plusSeconds(60), 1));
      assertThat(e.perAddress(T0))
          .containsExactlyInAnyOrder(
              new AddressEvents.AddressCount(ATTACKER, 3, 1),
              new AddressEvents.AddressCount(other, 1, 0));
    }
  }
}
