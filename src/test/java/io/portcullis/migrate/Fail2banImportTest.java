package io.portcullis.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.jail.BanDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Fail2banImportTest {
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private static Fail2banBan ban(
      String jail, String id, Instant time, Duration bantime, int count) {
    return new Fail2banBan(jail, id, time, bantime, count, 3, List.of("line of " + id));
  }

  @Test
  void plan_keepsBansStillInForce_withTheirOwnStartAndLength() {
    Fail2banBan running = ban("sshd", "203.0.113.1", NOW.minusSeconds(600), Duration.ofHours(1), 1);
    Fail2banBan ended = ban("sshd", "203.0.113.2", NOW.minusSeconds(7200), Duration.ofHours(1), 1);
    Fail2banBan forever =
        ban("asterisk", "2001:db8::1", NOW.minusSeconds(86_400 * 30), Duration.ofSeconds(-1), 4);

    Fail2banImport.Plan plan =
        Fail2banImport.plan(
            List.of(running, ended, forever), List.of(), NOW, j -> Optional.empty());

    assertThat(plan.inForce())
        .extracting(BanDecision::fid)
        .containsExactly("203.0.113.1", "2001:db8::1");
    BanDecision first = plan.inForce().get(0);
    assertThat(first.time()).isEqualTo(NOW.minusSeconds(600));
    assertThat(first.end()).isEqualTo(NOW.plusSeconds(3000));
    assertThat(first.failures()).isEqualTo(3);
    assertThat(first.matches()).containsExactly("line of 203.0.113.1");
    assertThat(plan.inForce().get(1).end()).isNull();
    assertThat(plan.inForce().get(1).count()).isEqualTo(4);
    assertThat(plan.inForceByJail())
        .containsExactly(java.util.Map.entry("asterisk", 1), java.util.Map.entry("sshd", 1));
  }

  @Test
  void plan_banOfUnknownLength_takesTheJailsBantime_elseFail2bansDefault() {
    Fail2banBan known = ban("sshd", "203.0.113.1", NOW.minusSeconds(1200), null, 1);
    Fail2banBan gone = ban("old", "203.0.113.2", NOW.minusSeconds(300), null, 1);

    Fail2banImport.Plan plan =
        Fail2banImport.plan(
            List.of(known, gone),
            List.of(),
            NOW,
            j -> j.equals("sshd") ? Optional.of(Duration.ofHours(1)) : Optional.empty());

    assertThat(plan.inForce())
        .extracting(BanDecision::bantime)
        .containsExactly(Duration.ofHours(1), Duration.ofMinutes(10));
  }

  @Test
  void plan_history_countsEveryEarlierBan_evenThoseFail2banOnlyCounted() {
    Instant first = NOW.minusSeconds(86_400 * 3);
    Instant third = NOW.minusSeconds(60);
    // fail2ban purged ban #1 and #2 of 203.0.113.7 from its ban list but counts 3 in bips
    Fail2banBan latest = ban("sshd", "203.0.113.7", third, Duration.ofHours(4), 3);
    Fail2banBan remembered = ban("sshd", "203.0.113.8", first, Duration.ofHours(1), 1);
    Fail2banBan remembered2 =
        ban("sshd", "203.0.113.8", first.plusSeconds(7200), Duration.ofHours(2), 2);
    Fail2banBan latest8 =
        ban("sshd", "203.0.113.8", first.plusSeconds(7200), Duration.ofHours(2), 2);

    Fail2banImport.Plan plan =
        Fail2banImport.plan(
            List.of(latest, latest8),
            List.of(remembered, remembered2, latest),
            NOW,
            j -> Optional.empty());

    assertThat(plan.history())
        .extracting(b -> b.fid() + " #" + b.count() + " at " + b.time())
        .containsExactlyInAnyOrder(
            "203.0.113.8 #1 at " + first,
            "203.0.113.8 #2 at " + first.plusSeconds(7200),
            "203.0.113.7 #3 at " + third,
            "203.0.113.7 #1 at " + third,
            "203.0.113.7 #2 at " + third);
    assertThat(plan.countedOnly()).isEqualTo(2);
  }

  @Test
  void plan_idsAreCanonicalAddresses_orKeptAsTheyAre() {
    Fail2banBan v6 = ban("asterisk", "2001:DB8:0::5", NOW, Duration.ofHours(1), 1);
    Fail2banBan user = ban("postfix-sasl", "alice@example.org", NOW, Duration.ofHours(1), 1);

    Fail2banImport.Plan plan =
        Fail2banImport.plan(List.of(v6, user), List.of(), NOW, j -> Optional.empty());

    assertThat(plan.inForce())
        .extracting(BanDecision::fid)
        .containsExactly("2001:db8::5", "alice@example.org");
    assertThat(plan.inForce().get(0).ip()).isNotNull();
    assertThat(plan.inForce().get(1).ip()).isNull();
  }
}
