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
    for (String t : List.of("12:01:00", "12:01:10", "12:01:20", "12:01:30")) {
      log.append(line(t, "192.0.2.10"));
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
}
