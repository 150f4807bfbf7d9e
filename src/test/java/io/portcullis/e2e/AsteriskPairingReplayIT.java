package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9: one attempt that Asterisk logs twice counts once. The shipped asterisk jail (config/,
 * maxretry = 5, reading messages and security) replays recorded lines ({@link AsteriskLines}: the
 * PJSIP ChallengeResponseFailed event real Asterisk wrote, from fail2ban's sample log fetched at
 * test time, and the NOTICE of our source-built sample) written as Asterisk writes an attempt: a
 * NOTICE in {@code messages} and its event in {@code security}.
 */
class AsteriskPairingReplayIT {
  private static final String ATTACKER = "203.0.113.66";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private AsteriskLines lines;

  @BeforeEach
  void load() throws Exception {
    lines =
        AsteriskLines.load(
            Path.of(System.getProperty("portcullis.reference.dir", "target/reference")));
  }

  private static String stamp(int second) {
    return String.format("[2024-05-01 10:00:%02d]", second);
  }

  private List<JsonNode> replay(Path... logs) throws Exception {
    List<String> args = new ArrayList<>(List.of("replay", "--config", "config", "--json"));
    args.addAll(List.of("--now", "1717200000", "--timezone", "UTC"));
    for (Path l : logs) {
      args.add(l.toString());
    }
    args.add("asterisk");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("exit status; stderr: %s", err).isZero();
    List<JsonNode> bans = new ArrayList<>();
    for (String l : out.toString().strip().split("\n")) {
      if (!l.isBlank()) {
        bans.add(JSON.readTree(l));
      }
    }
    return bans;
  }

  @Test
  void shippedAsteriskJail_readingMessagesAndSecurity_bansAtTheFifthAttempt_notTheThird()
      throws Exception {
    StringBuilder messages = new StringBuilder();
    StringBuilder security = new StringBuilder();
    // five failed logins, one every 2 s from one socket: each a NOTICE and an event, same second
    for (int i = 0; i < 5; i++) {
      messages.append(lines.pjsipFailure(stamp(2 * i), ATTACKER, 5070)).append('\n');
      security.append(lines.securityFailure(stamp(2 * i), ATTACKER, 5070, "UDP")).append('\n');
    }
    Path m = Files.writeString(dir.resolve("messages"), messages);
    Path s = Files.writeString(dir.resolve("security"), security);

    List<JsonNode> both = replay(m, s);
    assertThat(both).hasSize(1);
    // counted twice, the fifth failure would be the third attempt's event (10:00:04)
    assertThat(both.get(0).get("ip").asText()).isEqualTo(ATTACKER);
    assertThat(both.get(0).get("ban").asLong()).isEqualTo(1714557608L); // 10:00:08
    assertThat(both.get(0).get("failures").asInt()).isEqualTo(5);
    assertThat(both.get(0).get("cause").asText()).isEqualTo("maxretry");
    // the other order of the files, and each file alone, make the same decision
    for (List<JsonNode> other : List.of(replay(s, m), replay(m), replay(s))) {
      assertThat(other).hasSize(1);
      assertThat(other.get(0).get("ban").asLong()).isEqualTo(1714557608L);
      assertThat(other.get(0).get("failures").asInt()).isEqualTo(5);
    }
  }

  @Test
  void fourAttemptsLoggedTwice_banNobody_andABurstPairsLineByLine() throws Exception {
    StringBuilder messages = new StringBuilder();
    StringBuilder security = new StringBuilder();
    // two bursts of two attempts within one second: NOTICE NOTICE in messages, then both events
    for (int second : new int[] {0, 30}) {
      for (int k = 0; k < 2; k++) {
        messages.append(lines.pjsipFailure(stamp(second), ATTACKER, 5070)).append('\n');
      }
      for (int k = 0; k < 2; k++) {
        security.append(lines.securityFailure(stamp(second), ATTACKER, 5070, "UDP")).append('\n');
      }
    }
    Path m = Files.writeString(dir.resolve("messages"), messages);
    Path s = Files.writeString(dir.resolve("security"), security);
    assertThat(replay(m, s)).as("four attempts, eight lines: below maxretry 5").isEmpty();

    // a fifth attempt, from another socket of the same address, a minute later
    Files.writeString(m, messages + lines.pjsipFailure(stamp(59), ATTACKER, 5071) + "\n");
    Files.writeString(s, security + lines.securityFailure(stamp(59), ATTACKER, 5071, "UDP") + "\n");
    List<JsonNode> bans = replay(m, s);
    assertThat(bans).hasSize(1);
    assertThat(bans.get(0).get("ban").asLong()).isEqualTo(1714557659L); // 10:00:59
    assertThat(bans.get(0).get("failures").asInt()).isEqualTo(5);
  }
}
