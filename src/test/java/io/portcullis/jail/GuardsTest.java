package io.portcullis.jail;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.FilterMatch;
import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The jail's guards beyond maxretry, on matches as the shipped filters make them: one attempt
 * counted once, trust earned, limited and withdrawn, accounts under attack, enumeration.
 */
class GuardsTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final IpAddress A = IpAddress.parse("203.0.113.5");
  private static final IpAddress B = IpAddress.parse("203.0.113.6");
  private static final IpAddress PHONE = IpAddress.parse("192.0.2.10");

  // failregex indices of the shipped asterisk filter: P1a (NOTICE) and E1 (security event)
  private static final int NOTICE = 0;
  private static final int EVENT = 12;

  private static final Guards GUARDS =
      new Guards(4, 20, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ZERO, 3);

  private static Jail jail(Guards g) {
    return new Jail(
        new JailSettings(
            "asterisk",
            5,
            Duration.ofMinutes(10),
            Duration.ofHours(1),
            5,
            JailSettings.Increment.OFF,
            Duration.ofDays(1),
            List.of(),
            g),
        BanHistory.NONE,
        ip -> false,
        new Random(1));
  }

  private static FilterMatch match(
      FilterMatch.Kind kind,
      int regex,
      IpAddress ip,
      long millis,
      String service,
      String port,
      String user) {
    Map<String, String> groups = new HashMap<>();
    if (service != null) {
      groups.put("service", service);
    }
    if (port != null) {
      groups.put("fport", port);
    }
    if (user != null) {
      groups.put("user", user);
    }
    return new FilterMatch(
        kind,
        regex,
        ip.toString(),
        ip,
        ip.toString(),
        T0.plusMillis(millis),
        groups,
        List.of("line " + regex + " at " + millis),
        Set.of());
  }

  /** A PJSIP NOTICE ("Failed to authenticate") of one attempt. */
  private static Outcome notice(Jail j, IpAddress ip, long millis, String user) {
    return j.on(match(FilterMatch.Kind.FAILURE, NOTICE, ip, millis, "res_pjsip", "5060", user), T0);
  }

  /** The security event (ChallengeResponseFailed) of one attempt. */
  private static Outcome event(Jail j, IpAddress ip, long millis, String user) {
    return j.on(match(FilterMatch.Kind.FAILURE, EVENT, ip, millis, "PJSIP", "5060", user), T0);
  }

  private static Outcome ami(Jail j, IpAddress ip, long millis, String user) {
    return j.on(match(FilterMatch.Kind.FAILURE, 14, ip, millis, "manager", null, user), T0);
  }

  private static Outcome login(Jail j, IpAddress ip, long millis, String user) {
    return j.on(match(FilterMatch.Kind.SUCCESS, 0, ip, millis, "PJSIP", "5060", user), T0);
  }

  // ---- one attempt, counted once

  @Test
  void noticeAndEvent_ofOneAttempt_countOnce_soMaxretryFiveBansAtTheFifthAttempt() {
    Jail j = jail(Guards.OFF);
    for (int attempt = 0; attempt < 4; attempt++) {
      long at = attempt * 3_000L;
      assertThat(notice(j, A, at, "100").kind()).isEqualTo(Outcome.Kind.COUNTED);
      assertThat(event(j, A, at + 5, "100").kind()).isEqualTo(Outcome.Kind.PAIRED);
    }
    assertThat(j.pending(T0.plusSeconds(12))).containsEntry(A.toString(), 4);
    Outcome fifth = notice(j, A, 12_000, "100");
    assertThat(fifth.kind()).isEqualTo(Outcome.Kind.BANNED);
    assertThat(fifth.cause()).isEqualTo(Outcome.Cause.MAXRETRY);
    assertThat(fifth.ban().orElseThrow().failures()).isEqualTo(5);
  }

  @Test
  void aBurstOfTwoNoticesThenTheirEvents_makesTwoAttempts() {
    Jail j = jail(Guards.OFF);
    notice(j, A, 0, "100");
    notice(j, A, 10, "100");
    assertThat(event(j, A, 20, "100").kind()).isEqualTo(Outcome.Kind.PAIRED);
    assertThat(event(j, A, 30, "100").kind()).isEqualTo(Outcome.Kind.PAIRED);
    assertThat(j.pending(T0.plusSeconds(1))).containsEntry(A.toString(), 2);
  }

  @Test
  void theEventRead_beforeItsNotice_orLater_stillPairsByLineTime() {
    Jail j = jail(Guards.OFF);
    // the security file is read first: its events arrive before the notices
    for (int i = 0; i < 3; i++) {
      event(j, A, i * 5_000L, "100");
    }
    // then messages, the notices of the same three attempts, written a few ms earlier
    for (int i = 0; i < 3; i++) {
      assertThat(notice(j, A, i * 5_000L - 3, "100").kind()).isEqualTo(Outcome.Kind.PAIRED);
    }
    assertThat(j.pending(T0.plusSeconds(11))).containsEntry(A.toString(), 3);
  }

  @Test
  void linesMoreThanTwoSecondsApart_orFromAnotherPort_orOfTheSameRegex_areAttemptsOfTheirOwn() {
    Jail j = jail(Guards.OFF);
    notice(j, A, 0, "100");
    assertThat(event(j, A, 2_001, "100").kind())
        .as("2.001 s later")
        .isEqualTo(Outcome.Kind.COUNTED);
    assertThat(
            j.on(match(FilterMatch.Kind.FAILURE, EVENT, A, 2_100, "PJSIP", "5062", "100"), T0)
                .kind())
        .as("another source port")
        .isEqualTo(Outcome.Kind.COUNTED);
    assertThat(notice(j, A, 2_200, "100").kind())
        .as("a second notice pairs with an attempt that has none yet")
        .isEqualTo(Outcome.Kind.PAIRED);
    assertThat(notice(j, A, 2_300, "100").kind())
        .as("every attempt near it has a notice already")
        .isEqualTo(Outcome.Kind.COUNTED);
    assertThat(j.pending(T0.plusSeconds(3))).containsEntry(A.toString(), 4);
  }

  @Test
  void linesWithoutAServiceKey_orOfAnotherService_neverPair() {
    Jail j = jail(Guards.OFF);
    j.on(match(FilterMatch.Kind.FAILURE, 3, A, 0, null, null, null), T0);
    j.on(match(FilterMatch.Kind.FAILURE, 4, A, 1, null, null, null), T0);
    ami(j, A, 2, "admin");
    notice(j, A, 3, "100");
    assertThat(j.pending(T0.plusSeconds(1))).containsEntry(A.toString(), 4);
  }

  @Test
  void anAmiLogin_writtenAsThreeLines_countsOnce() {
    // M1 (unknown user), M3 (failed to authenticate) and E3 (the event, with a port)
    Jail j = jail(Guards.OFF);
    assertThat(j.on(match(FilterMatch.Kind.FAILURE, 11, A, 0, "manager", null, "root"), T0).kind())
        .isEqualTo(Outcome.Kind.COUNTED);
    assertThat(j.on(match(FilterMatch.Kind.FAILURE, 13, A, 1, "manager", null, "root"), T0).kind())
        .isEqualTo(Outcome.Kind.PAIRED);
    assertThat(j.on(match(FilterMatch.Kind.FAILURE, 15, A, 2, "AMI", "51000", "root"), T0).kind())
        .isEqualTo(Outcome.Kind.PAIRED);
    assertThat(j.pending(T0.plusSeconds(1))).containsEntry(A.toString(), 1);
  }

  // ---- trust: earned, limited, withdrawn

  @Test
  void aLogin_trustsItsOwnServiceOnly() {
    Jail j = jail(GUARDS);
    Outcome ok = login(j, PHONE, 0, "100");
    assertThat(ok.notices()).singleElement().isInstanceOf(Notice.TrustGranted.class);
    assertThat(notice(j, PHONE, 1_000, "100").kind()).isEqualTo(Outcome.Kind.ALLOWED);
    // the same address trying the manager interface is counted like anyone
    assertThat(ami(j, PHONE, 5_000, "admin").kind()).isEqualTo(Outcome.Kind.COUNTED);
    assertThat(j.trusted(T0.plusSeconds(6)))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.reason()).isEqualTo(TrustReason.LOGIN);
              assertThat(t.service()).isEqualTo("pjsip");
              assertThat(t.account()).isEqualTo("100");
              assertThat(t.until()).isEqualTo(T0.plus(Duration.ofDays(1)));
              assertThat(t.failures()).isEqualTo(1);
            });
  }

  @Test
  void aTrustedSession_thatFailsAllowfailuresTimes_losesItsTrust_andIsBanned() {
    Jail j = jail(GUARDS);
    login(j, PHONE, 0, "100");
    for (int i = 1; i < GUARDS.allowfailures(); i++) {
      Outcome o = notice(j, PHONE, i * 10_000L, "101");
      assertThat(o.kind()).isEqualTo(Outcome.Kind.ALLOWED);
      assertThat(o.failures()).isEqualTo(i);
      // its event is the same attempt: it does not count twice towards allowfailures
      assertThat(event(j, PHONE, i * 10_000L + 4, "101").kind()).isEqualTo(Outcome.Kind.ALLOWED);
    }
    Outcome last = notice(j, PHONE, 50_000, "101");
    assertThat(last.kind()).isEqualTo(Outcome.Kind.BANNED);
    assertThat(last.cause()).isEqualTo(Outcome.Cause.TRUST_WITHDRAWN);
    assertThat(last.notices()).singleElement().isInstanceOf(Notice.TrustWithdrawn.class);
    assertThat(j.trusted(T0.plusSeconds(51))).isEmpty();
    // a login while banned earns nothing
    assertThat(login(j, PHONE, 60_000, "100").notices()).isEmpty();
  }

  @Test
  void failuresWhileTrusted_olderThanFindtime_doNotWithdrawIt() {
    Jail j = jail(GUARDS);
    login(j, PHONE, 0, "100");
    for (int i = 0; i < 12; i++) {
      assertThat(notice(j, PHONE, i * 240_000L + 1, "100").kind())
          .as("a mistake every 4 minutes")
          .isEqualTo(Outcome.Kind.ALLOWED);
    }
  }

  @Test
  void theAdminsAllow_isNeverWithdrawn() {
    Jail j = jail(GUARDS);
    j.allowUntil(PHONE, T0.plus(Duration.ofDays(7)));
    for (int i = 0; i < 20; i++) {
      assertThat(ami(j, PHONE, i * 1_000L, "admin").kind()).isEqualTo(Outcome.Kind.ALLOWED);
    }
  }

  @Test
  void registeredPhones_areTrustedWhileRegistered_notWhenBanned() {
    Jail j = jail(GUARDS);
    for (int i = 0; i < 5; i++) {
      notice(j, A, i * 1_000L, "100");
    }
    Registration phone =
        new Registration(PHONE, "100", "pjsip", T0.plusSeconds(60), "test registrar");
    Registration banned = new Registration(A, "101", "pjsip", T0.plusSeconds(60), "test registrar");
    assertThat(j.registered("test", List.of(phone, banned), T0.plusSeconds(10)))
        .containsExactly(phone);
    assertThat(notice(j, PHONE, 20_000, "100").kind()).isEqualTo(Outcome.Kind.ALLOWED);
    assertThat(j.trusted(T0.plusSeconds(21)))
        .singleElement()
        .satisfies(t -> assertThat(t.reason()).isEqualTo(TrustReason.REGISTERED));
    // no longer listed: no longer trusted
    j.registered("test", List.of(), T0.plusSeconds(30));
    assertThat(notice(j, PHONE, 31_000, "100").kind()).isEqualTo(Outcome.Kind.COUNTED);
  }

  @Test
  void aRegistrationThatExpires_withoutNewsFromTheServer_trustsNoLonger() {
    Jail j = jail(GUARDS);
    j.registered(
        "test", List.of(new Registration(PHONE, "100", null, T0.plusSeconds(60), "test")), T0);
    assertThat(notice(j, PHONE, 59_000, "100").kind()).isEqualTo(Outcome.Kind.ALLOWED);
    assertThat(notice(j, PHONE, 61_000, "100").kind()).isEqualTo(Outcome.Kind.COUNTED);
  }

  // ---- accounts under attack

  @Test
  void manyAddressesFailingOnOneAccount_putItUnderAttack_andTheNextIsBannedAtItsFirstFailure() {
    Guards g = new Guards(4, 20, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ZERO, 0);
    Jail j = jail(g);
    j.registered(
        "test", List.of(new Registration(PHONE, "100", "pjsip", T0.plusSeconds(3600), "test")), T0);
    List<Notice> alerts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      IpAddress ip = IpAddress.parse("203.0.113." + (100 + i));
      for (int k = 0; k < 2; k++) {
        Outcome o = notice(j, ip, i * 4_000L + k * 2_500L, "100");
        event(j, ip, i * 4_000L + k * 2_500L + 3, "100");
        alerts.addAll(o.notices());
        if (i < 9 || k == 0) {
          assertThat(o.kind()).as("address %d, failure %d", i, k).isEqualTo(Outcome.Kind.COUNTED);
        } else {
          // the 20th failure on the account: under attack, and this address is banned
          assertThat(o.kind()).isEqualTo(Outcome.Kind.BANNED);
          assertThat(o.cause()).isEqualTo(Outcome.Cause.ACCOUNT_UNDER_ATTACK);
        }
      }
    }
    assertThat(alerts).singleElement().isInstanceOf(AccountAlert.class);
    AccountAlert alert = (AccountAlert) alerts.get(0);
    assertThat(alert.account()).isEqualTo(new Account("100", "pjsip"));
    assertThat(alert.failures()).isEqualTo(20);
    assertThat(alert.addresses()).isEqualTo(10);
    assertThat(j.accountsUnderAttack(T0.plusSeconds(60)))
        .singleElement()
        .satisfies(a -> assertThat(a.account().user()).isEqualTo("100"));

    Outcome next = notice(j, B, 60_000, "100");
    assertThat(next.kind()).isEqualTo(Outcome.Kind.BANNED);
    assertThat(next.cause()).isEqualTo(Outcome.Cause.ACCOUNT_UNDER_ATTACK);
    assertThat(next.ban().orElseThrow().failures()).isEqualTo(1);
    // another account is not under attack
    assertThat(notice(j, IpAddress.parse("203.0.113.7"), 61_000, "101").kind())
        .isEqualTo(Outcome.Kind.COUNTED);
    // the registered phone of that account mistyping is not banned
    assertThat(notice(j, PHONE, 62_000, "100").kind()).isEqualTo(Outcome.Kind.ALLOWED);
    // an hour after its last failure the account is no longer under attack
    assertThat(notice(j, IpAddress.parse("203.0.113.8"), 60_000 + 3_601_000, "100").kind())
        .isEqualTo(Outcome.Kind.COUNTED);
  }

  @Test
  void aLoginOnAnAccountUnderAttack_earnsNoTrust_unlessTrustedBefore_orBrieflyIfConfigured() {
    Guards g = new Guards(4, 2, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ZERO, 0);
    Jail j = jail(g);
    login(j, PHONE, 0, "100");
    notice(j, A, 1_000, "100");
    notice(j, B, 4_000, "100");
    assertThat(j.accountsUnderAttack(T0.plusSeconds(5))).hasSize(1);
    Outcome stranger = login(j, IpAddress.parse("198.51.100.9"), 6_000, "100");
    assertThat(stranger.notices()).singleElement().isInstanceOf(Notice.TrustRefused.class);
    Outcome known = login(j, PHONE, 7_000, "100");
    assertThat(known.notices()).singleElement().isInstanceOf(Notice.TrustGranted.class);

    Jail brief =
        jail(
            new Guards(
                4, 2, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(5), 0));
    notice(brief, A, 1_000, "100");
    notice(brief, B, 4_000, "100");
    Outcome o = login(brief, IpAddress.parse("198.51.100.9"), 6_000, "100");
    assertThat(o.notices())
        .singleElement()
        .satisfies(
            n -> {
              Notice.TrustGranted t = (Notice.TrustGranted) n;
              assertThat(t.brief()).isTrue();
              assertThat(t.until()).isEqualTo(T0.plusMillis(6_000).plus(Duration.ofMinutes(5)));
            });
  }

  @Test
  void placeholderUsers_nameNoAccount() {
    Jail j = jail(new Guards(4, 2, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ZERO, 1));
    notice(j, A, 0, "<unknown>");
    notice(j, B, 3_000, "<unknown>");
    notice(j, A, 6_000, "");
    assertThat(j.accountsUnderAttack(T0.plusSeconds(7))).isEmpty();
    assertThat(j.pending(T0.plusSeconds(7))).containsEntry(A.toString(), 2);
  }

  @Test
  void theTwoLinesOfOneAttempt_countTheAccountOnce() {
    Jail j = jail(new Guards(4, 4, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ZERO, 0));
    notice(j, A, 0, "100");
    event(j, A, 3, "100");
    notice(j, B, 3_000, "100");
    event(j, B, 3_003, "100");
    notice(j, A, 6_000, "100");
    assertThat(j.accountsUnderAttack(T0.plusSeconds(7))).as("3 attempts, not 5 lines").isEmpty();
    event(j, A, 6_002, "100");
    notice(j, B, 9_000, "100");
    assertThat(j.accountsUnderAttack(T0.plusSeconds(10))).hasSize(1);
  }

  // ---- enumeration

  @Test
  void anAddressFailingOnMoreThanMaxusersNames_isBannedBeforeMaxretry() {
    Jail j = jail(GUARDS);
    for (int i = 0; i < 3; i++) {
      assertThat(notice(j, A, i * 3_000L, "10" + i).kind()).isEqualTo(Outcome.Kind.COUNTED);
      event(j, A, i * 3_000L + 2, "10" + i);
    }
    Outcome fourth = notice(j, A, 9_000, "103");
    assertThat(fourth.kind()).isEqualTo(Outcome.Kind.BANNED);
    assertThat(fourth.cause()).isEqualTo(Outcome.Cause.ENUMERATION);
    assertThat(fourth.ban().orElseThrow().failures()).isEqualTo(4);
  }

  @Test
  void theSameNameAgain_orNamesOlderThanFindtime_doNotMakeEnumeration() {
    Jail j = jail(GUARDS);
    notice(j, A, 0, "100");
    notice(j, A, 3_000, "100");
    notice(j, A, 6_000, "101");
    notice(j, A, 9_000, "102");
    assertThat(j.pending(T0.plusSeconds(10))).containsEntry(A.toString(), 4);
    // 100 and 101 are 11 minutes old by now: 102, 103 and 104 are three names
    assertThat(notice(j, A, 669_000, "103").kind()).isEqualTo(Outcome.Kind.COUNTED);
    assertThat(notice(j, A, 672_000, "104").kind()).isEqualTo(Outcome.Kind.COUNTED);
  }

  // ---- bounded state

  @Test
  void aFloodOfDistinctAddressesAndNames_keepsThePairingAndNameState_withinItsShareOfTheCap() {
    // regression: the state behind pairing and enumeration grew by an object graph per failing
    // address, uncapped, and a million distinct addresses ran the server (96 MB heap) out of memory
    long cap = JailSettings.MIN_MAX_TRACKED_MEMORY;
    Jail j =
        new Jail(
            new JailSettings(
                "asterisk",
                5,
                Duration.ofMinutes(10),
                Duration.ofHours(1),
                5,
                JailSettings.Increment.OFF,
                Duration.ofDays(1),
                List.of(),
                cap,
                GUARDS),
            BanHistory.NONE,
            ip -> false,
            new Random(1));
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      IpAddress ip =
          IpAddress.parse(String.format("2001:db8:%x:%x::7", 0x100 + (i >> 16), i & 0xffff));
      notice(j, ip, i, "u" + i);
      assertThat(j.guardBytes()).isLessThanOrEqualTo(cap / 2);
    }
    assertThat(j.guardDropped()).isGreaterThan(n / 2);
    // the most recent addresses are still paired: the event of the last attempt counts no more
    IpAddress last = IpAddress.parse(String.format("2001:db8:%x:%x::7", 0x100, n - 1));
    assertThat(event(j, last, n, "u" + (n - 1)).kind()).isEqualTo(Outcome.Kind.PAIRED);
  }
}
