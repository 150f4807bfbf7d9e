package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.InProcessCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis regex} on several threads prints exactly what it prints on one: the log is read
 * in 1 MB blocks, and these logs put lines across block edges, CRLF endings, a line longer than a
 * block, dateless lines right after a block edge, no final newline, and nothing at all.
 */
class RegexParallelTest {
  @TempDir Path dir;

  // the line shapes of bench/genlog.py (Asterisk's own messages, documentation addresses)
  private static final String[] CHATTER = {
    "VERBOSE[%d][C-%08x] app_dial.c:   -- Called PJSIP/%d",
    "NOTICE[%d] res_pjsip/pjsip_options.c: Endpoint %d is now Reachable",
    "WARNING[%d][C-%08x] chan_pjsip.c: Unable to find channel",
  };
  private static final String[] FAILURES = {
    "NOTICE[%d] res_pjsip/pjsip_distributor.c: Request 'REGISTER' from '<sip:%d@198.51.100.1>'"
        + " failed for '203.0.113.%d:5060' (callid: %x@%x) - Failed to authenticate",
    "NOTICE[%d] chan_sip.c: Registration from '<sip:%d@198.51.100.1>' failed for"
        + " '198.51.100.%d:5060' - Wrong password",
  };

  /** Writes a log of about {@code bytes} bytes and returns how many failures it holds. */
  private static int writeLog(Path log, int bytes, boolean finalNewline) throws Exception {
    Random rnd = new Random(7);
    StringBuilder sb = new StringBuilder();
    int failures = 0;
    long t = 1714550400L;
    int n = 0;
    while (sb.length() < bytes) {
      n++;
      t += rnd.nextInt(3);
      String date =
          java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
              .withZone(java.time.ZoneOffset.UTC)
              .format(java.time.Instant.ofEpochSecond(t));
      String message;
      if (rnd.nextInt(10) == 0) {
        String f = FAILURES[rnd.nextInt(FAILURES.length)];
        message =
            String.format(
                f,
                rnd.nextInt(7000) + 2000,
                rnd.nextInt(900) + 100,
                rnd.nextInt(250) + 2,
                rnd.nextInt(),
                rnd.nextInt());
        // a dateless line takes the last date only within a minute of --now: not here
        failures += n % 97 == 0 ? 0 : 1;
      } else {
        String c = CHATTER[rnd.nextInt(CHATTER.length)];
        message = String.format(c, rnd.nextInt(7000) + 2000, rnd.nextInt(), rnd.nextInt(100) + 100);
      }
      // every 97th line has no date of its own: its time is the last dated line's
      boolean dateless = n % 97 == 0;
      if (n == 10_000) {
        // longer than a block: dropped as over-long, counted as an empty line
        sb.append("[" + date + "] VERBOSE[2001] app_dial.c:   -- Called PJSIP/")
            .append("1".repeat(1_500_000))
            .append('\n');
      }
      sb.append(dateless ? "" : "[" + date + "] ").append(message);
      sb.append(n % 13 == 0 ? "\r\n" : "\n");
    }
    if (!finalNewline) {
      sb.setLength(sb.length() - 1);
    }
    Files.writeString(log, sb.toString(), StandardCharsets.UTF_8);
    return failures;
  }

  private static String[] run(String... args) {
    return InProcessCli.runCapturingStdout(args);
  }

  /** The output of {@code regex} with the time it took (the one line that may differ) cut out. */
  private static String regex(int threads, Path log, String... options) {
    List<String> args = new ArrayList<>(List.of("regex", "--threads", String.valueOf(threads)));
    args.addAll(List.of("--config", "config", "--timezone", "UTC", "--now", "1717200000"));
    args.addAll(List.of(options));
    args.add(log.toString());
    args.add("asterisk");
    String[] r = run(args.toArray(new String[0]));
    assertThat(r[2]).isEmpty();
    assertThat(r[0]).isEqualTo("0");
    return r[1].replaceAll("(?m)^\\[\\d+ lines passed over without regex work;.*$", "[time]");
  }

  @Test
  void severalThreads_printTheSameBytesAsOne_acrossBlockEdges() throws Exception {
    Path log = dir.resolve("full");
    int failures = writeLog(log, 3_500_000, false);
    String one = regex(1, log);
    assertThat(one).contains(" " + failures + " matched");
    assertThat(regex(2, log)).isEqualTo(one);
    assertThat(regex(3, log)).isEqualTo(one);
  }

  @Test
  void severalThreads_listTheSameMatchedLinesAndJsonAsOne() throws Exception {
    Path log = dir.resolve("full");
    int failures = writeLog(log, 2_500_000, true);
    String matched = regex(1, log, "--print-all-matched");
    assertThat(matched).contains("Matched lines (" + failures + "):");
    assertThat(regex(2, log, "--print-all-matched")).isEqualTo(matched);
    String json = regex(1, log, "--json");
    assertThat(json.lines().count()).isEqualTo(failures);
    assertThat(regex(2, log, "--json")).isEqualTo(json);
  }

  @Test
  void plainForm_withoutPicocli_printsWhatPicocliPrints() throws Exception {
    Path log = dir.resolve("full");
    int failures = writeLog(log, 1_500_000, true);
    // the plain form runs without picocli (QuickCommands); --usedns yes (the default) sends it
    // there
    String quick = regex(2, log);
    assertThat(quick).contains(" " + failures + " matched");
    assertThat(regex(2, log, "--usedns", "yes")).isEqualTo(quick);
  }

  @Test
  void severalThreads_withAMultiLineFilter_printTheSameAsOne() throws Exception {
    Path log = dir.resolve("full");
    writeLog(log, 1_500_000, false);
    // maxlines > 1: no prefilter, every line decoded on the scanning threads and read in order
    String one = regex(1, log, "--maxlines", "3");
    assertThat(one).contains("Lines: ");
    assertThat(regex(2, log, "--maxlines", "3")).isEqualTo(one);
  }

  @Test
  void severalThreads_onAnEmptyLog_printTheSameAsOne() throws Exception {
    Path log = dir.resolve("empty");
    Files.writeString(log, "");
    String one = regex(1, log);
    assertThat(one).contains("Lines: 0 read");
    assertThat(regex(2, log)).isEqualTo(one);
  }

  @Test
  void threads_zero_isAUsageError() throws Exception {
    Path log = dir.resolve("empty");
    Files.writeString(log, "");
    String[] r = run("regex", "--threads", "0", "--config", "config", log.toString(), "asterisk");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--threads: 0 is not valid");
  }
}
