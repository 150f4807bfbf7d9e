package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
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
            new JournalSpec(
                List.of("_SYSTEMD_UNIT=asterisk.service", "+", "_COMM=asterisk"),
                null,
                List.of(),
                Set.of(),
                null),
            null,
            Duration.ofMinutes(10),
            e -> {},
            m -> {});
    assertThat(s.command(null, List.of()))
        .contains("--since=-600s")
        .containsSequence("_SYSTEMD_UNIT=asterisk.service", "+", "_COMM=asterisk")
        .doesNotContain("--merge");
    // resumed with --cursor (the entry itself is skipped when it comes again): --after-cursor
    // skips one entry too many when the cursor's entry is not in the files any more
    assertThat(s.command("c1", List.of())).contains("--cursor=c1").doesNotContain("--since=-600s");
  }

  @Test
  void journalFilesOfAnotherMachine_areMerged_soFollowDoesNotKeepToThisBoot() {
    JournalSource s =
        new JournalSource(
            "j",
            new JournalSpec(
                List.of("_SYSTEMD_UNIT=ssh.service"), Path.of("/j"), List.of(), Set.of(), null),
            null,
            Duration.ofMinutes(10),
            e -> {},
            m -> {});
    assertThat(s.command(null, List.of())).contains("--directory=/j", "--merge");
  }
}
