package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.testing.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegexCommandTest {
  @TempDir Path dir;

  private static String[] run(String... args) {
    return InProcessCli.runCapturingStdout(args);
  }

  @Test
  void json_printsOneObjectPerFailure_withLineHostTimeAndRegex() throws Exception {
    Path log = dir.resolve("messages");
    Files.writeString(
        log,
        "[2024-05-01 10:00:01] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '203.0.113.5:5060' - Wrong password\n"
            + "[2024-05-01 10:00:02] VERBOSE[1] pbx.c: -- Executing\n");
    String[] r =
        run(
            "regex",
            "--config",
            "config",
            "--timezone",
            "UTC",
            "--json",
            log.toString(),
            "asterisk");
    assertThat(r[0]).isEqualTo("0");
    JsonNode o = new ObjectMapper().readTree(r[1].strip());
    assertThat(o.get("line").asInt()).isEqualTo(1);
    assertThat(o.get("host").asText()).isEqualTo("203.0.113.5");
    assertThat(o.get("time").asLong()).isEqualTo(1714557601L);
    // failregex[3] of config/filter.d/asterisk.conf: chan_sip's refused REGISTER (row C1)
    assertThat(o.get("regex").asInt()).isEqualTo(3);
    assertThat(o.get("attempts").asInt()).isEqualTo(1);
  }

  @Test
  void humanReport_countsLines() {
    String[] r =
        run("regex", "--config", "config", "src/test/resources/filters/logs/freepbx", "freepbx");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("Lines: ").contains(" 10 matched, 4 success");
  }

  @Test
  void brokenLiteralRegex_isAUsageError_withTheRegex() {
    String[] r = run("regex", "2024-05-01 10:00:00 x", "^bad (<HOST>");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).startsWith("error: ").contains("^bad (<HOST>");
  }

  @Test
  void unknownFilter_andMissingLog_areReported() {
    assertThat(run("regex", "--config", "config", "line 192.0.2.1", "nosuchfilter")[2])
        .contains("filter 'nosuchfilter' not found");
    assertThat(run("regex", "--config", "config", "/no/such/log", "sshd")[0]).isEqualTo("1");
  }

  @Test
  void badOptions_areUsageErrors() {
    assertThat(run("regex", "--logtype", "pigeon", "x", "y <HOST>")[0]).isEqualTo("2");
    assertThat(run("regex")[0]).isEqualTo("2");
  }

  @Test
  void filterFileWithBrokenRegex_isExit2_namingFileLineOptionAndRegex() throws Exception {
    Path filterDir = Files.createDirectories(dir.resolve("conf/filter.d"));
    Files.writeString(
        filterDir.resolve("broken.conf"),
        "[Definition]\nfailregex = ^ok from <HOST>$\n            ^bad (from <HOST>$\n");
    String[] r = run("regex", "--config", dir.resolve("conf").toString(), "x", "broken");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains("broken.conf:3")
        .contains("failregex[1]")
        .contains("^bad (from <HOST>$");
  }
}
