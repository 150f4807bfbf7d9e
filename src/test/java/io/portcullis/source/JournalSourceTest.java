package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalSourceTest {
  @Test
  void entry_becomesHostIdentPidMessage_withItsOwnTime() {
    JournalSource.Entry e =
        JournalSource.parse(
            "{\"__CURSOR\":\"s=1;i=2\",\"__REALTIME_TIMESTAMP\":\"1714557601123456\",\"_HOSTNAME\":\"pbx\",\"SYSLOG_IDENTIFIER\":\"asterisk\",\"_PID\":\"2301\",\"MESSAGE\":\"NOTICE[1]: x\"}");
    assertThat(e.line()).isEqualTo("pbx asterisk[2301]: NOTICE[1]: x");
    assertThat(e.time()).isEqualTo(Instant.parse("2024-05-01T10:00:01.123456Z"));
    assertThat(e.cursor()).isEqualTo("s=1;i=2");
  }

  @Test
  void binaryMessage_isDecoded_andAnEntryWithoutMessageIsSkipped() {
    JournalSource.Entry e = JournalSource.parse("{\"MESSAGE\":[104,105],\"_COMM\":\"sshd\"}");
    assertThat(e.line()).isEqualTo("sshd: hi");
    assertThat(JournalSource.parse("{\"_COMM\":\"x\"}")).isNull();
  }

  @Test
  void journalmatch_isPassedAsArguments_neverThroughAShell() {
    JournalSource s =
        new JournalSource(
            "j",
            List.of("_SYSTEMD_UNIT=asterisk.service + _COMM=asterisk"),
            null,
            Duration.ofMinutes(10),
            e -> {},
            m -> {});
    assertThat(s.command(null))
        .containsSequence("--since=-600s", "_SYSTEMD_UNIT=asterisk.service", "+", "_COMM=asterisk");
    assertThat(s.command("c1")).contains("--after-cursor=c1");
  }
}
