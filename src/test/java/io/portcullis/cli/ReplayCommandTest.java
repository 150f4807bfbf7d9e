package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {
  @TempDir Path dir;

  private static String line(String time, String ip) {
    return "[2024-05-01 "
        + time
        + "] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '"
        + ip
        + "' - Wrong password\n";
  }

  /** A PJSIP "Failed to authenticate" notice (docs/filters/asterisk.md row P1a). */
  private static String pjsip(String time, String ip) {
    return "[2024-05-01 "
        + time
        + "] NOTICE[2300] res_pjsip/pjsip_distributor.c: Request 'REGISTER' from '\"100\""
        + " <sip:100@198.51.100.1>' failed for '"
        + ip
        + ":5060' (callid: a84b4c76e66710@pc33.example.org) - Failed to authenticate\n";
  }

  @Test
  void replay_printsEachBanWithTheLogsOwnTimes_doublingRepeatBans_andSparingAllowedPhones()
      throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nfilter = asterisk\nlogpath = /x\nmaxretry = 3\nfindtime = 10m\nbantime = 1h\n"
            + "bantime.increment = true\nlogtimezone = UTC\nignoreip = 198.51.100.0/24\n");
    StringBuilder log = new StringBuilder();
    for (String t : List.of("10:00:00", "10:00:10", "10:00:20")) {
      log.append(line(t, "203.0.113.5"));
      log.append(line(t, "198.51.100.7"));
    }
    // the first ban ends at 11:00:20; the second ban of the same address lasts 2h
    for (String t : List.of("11:30:00", "11:30:10", "11:30:20")) {
      log.append(line(t, "203.0.113.5"));
    }
    log.append(
        "[2024-05-01 12:00:00] SECURITY[1] res_security_log.c: SecurityEvent=\"SuccessfulAuth\",EventTV=\"x\",Severity=\"Informational\",Service=\"PJSIP\",EventVersion=\"1\",AccountID=\"100\",SessionID=\"s\",LocalAddress=\"IPV4/UDP/198.51.100.1/5060\",RemoteAddress=\"IPV4/UDP/192.0.2.10/5060\",UsingPassword=\"1\"\n");
    // the phone logged in over PJSIP: its PJSIP mistakes are spared
    for (String t : List.of("12:01:00", "12:01:10", "12:01:20", "12:01:30")) {
      log.append(pjsip(t, "192.0.2.10"));
    }
    Path file = Files.writeString(dir.resolve("messages"), log);
    StringWriter out = new StringWriter();
    int code =
        Main.run(
            new String[] {
              "replay",
              "--config",
              conf.toString(),
              "--json",
              "--now",
              "1717200000",
              file.toString(),
              "asterisk"
            },
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true));
    assertThat(code).isEqualTo(0);
    List<JsonNode> bans = new ArrayList<>();
    for (String l : out.toString().strip().split("\n")) {
      bans.add(new ObjectMapper().readTree(l));
    }
    assertThat(bans).hasSize(2);
    long first = 1714557620L; // 2024-05-01T10:00:20Z
    assertThat(bans.get(0).get("ip").asText()).isEqualTo("203.0.113.5");
    assertThat(bans.get(0).get("ban").asLong()).isEqualTo(first);
    assertThat(bans.get(0).get("unban").asLong()).isEqualTo(first + 3600);
    assertThat(bans.get(0).get("bancount").asInt()).isEqualTo(1);
    long second = 1714563020L; // 2024-05-01T11:30:20Z
    assertThat(bans.get(1).get("ban").asLong()).isEqualTo(second);
    assertThat(bans.get(1).get("unban").asLong()).isEqualTo(second + 7200);
    assertThat(bans.get(1).get("bancount").asInt()).isEqualTo(2);
    assertThat(bans.get(1).get("failures").asInt()).isEqualTo(3);
  }

  @Test
  void unknownJail_isAUsageError_listingTheJails() throws Exception {
    Path log = Files.writeString(dir.resolve("l"), "x\n");
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new String[] {"replay", "--config", "config", log.toString(), "nosuch"},
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("no jail 'nosuch'").contains("asterisk");
  }

  /** The ChallengeResponseFailed security event of a PJSIP login (row E1), at a time and source. */
  private static String event(String time, String ip, String user) {
    return "[2024-05-01 "
        + time
        + "] SECURITY[2355] res_security_log.c: SecurityEvent=\"ChallengeResponseFailed\","
        + "EventTV=\"2024-05-01T10:00:00.135+0200\",Severity=\"Error\",Service=\"PJSIP\","
        + "EventVersion=\"1\",AccountID=\""
        + user
        + "\",SessionID=\"17a483d-eb8cc0-556164ab@203.0.113.9\","
        + "LocalAddress=\"IPV4/UDP/198.51.100.1/5060\",RemoteAddress=\"IPV4/UDP/"
        + ip
        + "/5060\",Challenge=\"1714550400/6d16ccf29ff59d423c6d548af00bf9b4\","
        + "Response=\"849dfcf133d8156f77ef11a9194119df\",ExpectedResponse=\"\"\n";
  }

  private Path config(String extra) throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nfilter = asterisk\nlogpath = /x\nmaxretry = 5\nfindtime = 10m\n"
            + "bantime = 1h\nlogtimezone = UTC\n"
            + extra);
    return conf;
  }

  private List<String> replay(String... args) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 1];
    all[0] = "replay";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = Main.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("exit status; stderr: %s", err).isEqualTo(0);
    return List.of(out.toString().strip().split("\n"));
  }

  @Test
  void replay_ofMessagesAndSecurity_countsEachAttemptOnce_soMaxretryFiveBansAtTheFifth()
      throws Exception {
    Path conf = config("");
    StringBuilder messages = new StringBuilder();
    StringBuilder security = new StringBuilder();
    // five attempts, one a second: a NOTICE in messages and an event in security for each
    for (int i = 0; i < 5; i++) {
      String t = "10:00:0" + i;
      messages.append(pjsip(t, "203.0.113.5"));
      security.append(event(t, "203.0.113.5", "100"));
    }
    Path m = Files.writeString(dir.resolve("messages"), messages);
    Path sec = Files.writeString(dir.resolve("security"), security);
    List<String> bans =
        replay(
            "--config",
            conf.toString(),
            "--json",
            "--now",
            "1717200000",
            m.toString(),
            sec.toString(),
            "asterisk");
    assertThat(bans).hasSize(1);
    JsonNode ban = new ObjectMapper().readTree(bans.get(0));
    // without pairing, the third attempt (10:00:02) would have made the fifth failure
    assertThat(ban.get("ban").asLong()).isEqualTo(1714557604L); // 10:00:04
    assertThat(ban.get("failures").asInt()).isEqualTo(5);
    assertThat(ban.get("cause").asText()).isEqualTo("maxretry");
    // either log alone gives the same ban
    List<String> alone =
        replay(
            "--config",
            conf.toString(),
            "--json",
            "--now",
            "1717200000",
            sec.toString(),
            "asterisk");
    assertThat(new ObjectMapper().readTree(alone.get(0)).get("ban").asLong())
        .isEqualTo(1714557604L);
  }

  @Test
  void replay_tellsOfAccountsUnderAttack_andBansForEnumeration() throws Exception {
    Path conf = config("accountmaxretry = 6\nmaxusers = 2\n");
    StringBuilder security = new StringBuilder();
    // three addresses fail twice each on 100: the sixth failure puts it under attack
    for (int a = 0; a < 3; a++) {
      for (int k = 0; k < 2; k++) {
        security.append(event("10:0" + a + ":" + (k * 3 + 10), "203.0.113.1" + a, "100"));
      }
    }
    // a fourth address, at its first failure on 100
    security.append(event("10:05:00", "203.0.113.20", "100"));
    // an address trying three names
    security.append(event("10:06:00", "203.0.113.30", "200"));
    security.append(event("10:06:03", "203.0.113.30", "201"));
    security.append(event("10:06:06", "203.0.113.30", "202"));
    Path sec = Files.writeString(dir.resolve("security"), security);
    List<String> text =
        replay("--config", conf.toString(), "--now", "1717200000", sec.toString(), "asterisk");
    assertThat(String.join("\n", text))
        .contains("Account 100 (pjsip) under attack: 6 failures from 3 address(es) in 10m")
        .contains("ban    203.0.113.12")
        .contains("ban    203.0.113.20")
        .contains("(failed on an account under attack, ban #1)")
        .contains("ban    203.0.113.30")
        .contains("(failed on more than 2 user names in 10m, ban #1)")
        .contains("3 ban(s) of 3 address(es)");
    List<String> json =
        replay(
            "--config",
            conf.toString(),
            "--json",
            "--now",
            "1717200000",
            sec.toString(),
            "asterisk");
    assertThat(json).hasSize(3);
    assertThat(new ObjectMapper().readTree(json.get(2)).get("cause").asText())
        .isEqualTo("enumeration");
  }
}
