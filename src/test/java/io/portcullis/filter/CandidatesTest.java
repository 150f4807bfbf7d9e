package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.date.DateContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The block fast path must hand over exactly the lines the line-by-line path would look at. */
class CandidatesTest {
  private static final DateContext CTX =
      new DateContext(ZoneOffset.UTC, Instant.parse("2024-06-01T00:00:00Z"));

  private static Filter filter() {
    return Filter.builder(
            new FilterSpec(
                "t",
                null,
                List.of(
                    new FilterSpec.Source("^\\s*Registration from '.*' failed for '<ADDR>'$", "f0"),
                    new FilterSpec.Source("^\\s*Host <ADDR> failed to authenticate$", "f1")),
                List.of(),
                List.of(),
                1,
                null,
                true))
        .build();
  }

  @Test
  void candidates_matchTheLineByLineAnswer_withCorrectLineNumbers() throws Exception {
    Random rnd = new Random(7);
    String[] kinds = {
      "2024-05-01 10:00:00 Registration from 'x' failed for '192.0.2.%d'",
      "2024-05-01 10:00:00 Host 192.0.2.%d failed to authenticate",
      "2024-05-01 10:00:00 Registration from 'x' ok for '192.0.2.%d'",
      "2024-05-01 10:00:00 Host is up %d é",
      "2024-05-01 10:00:00 chatter %d"
    };
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      lines.add(String.format(kinds[rnd.nextInt(kinds.length)], rnd.nextInt(250)));
    }
    byte[] block = (String.join("\n", lines)).getBytes(StandardCharsets.UTF_8);
    Filter fast = filter();
    List<Integer> fastHits = new ArrayList<>();
    int count =
        fast.candidates(
            block,
            0,
            block.length,
            (index, s, e) -> {
              String line = new String(block, s, e - s, StandardCharsets.UTF_8);
              assertThat(line).isEqualTo(lines.get(index));
              if (!fast.process(line, CTX).matches().isEmpty()) {
                fastHits.add(index);
              }
            });
    Filter slow = filter();
    List<Integer> slowHits = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!slow.process(lines.get(i), CTX).matches().isEmpty()) {
        slowHits.add(i);
      }
    }
    assertThat(count).isEqualTo(lines.size());
    assertThat(fastHits).isEqualTo(slowHits).isNotEmpty();
    assertThat(fast.skippedLines()).isGreaterThan(lines.size() / 2);
  }

  /**
   * Blocks of whole lines starting anywhere in the buffer, with cover words at line starts and
   * ends, after non-ASCII bytes, split across lines, on empty lines and on a last line without its
   * '\n': the block scan hands over each line that matches, with its index, and counts them all.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "byte-pair scan {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void pieces_atAnyOffset_handOverTheLinesThatMatch_andCountEveryLine(boolean pairs)
      throws Exception {
    boolean was = Prefilter.pairScan;
    Prefilter.pairScan = pairs;
    try {
      piecesAtAnyOffset();
    } finally {
      Prefilter.pairScan = was;
    }
  }

  private void piecesAtAnyOffset() throws Exception {
    Random rnd = new Random(11);
    String[] tokens = {
      "Registration",
      "from",
      "'x'",
      "failed",
      "for",
      "Host",
      "to",
      "authenticate",
      "fa",
      "iled",
      "Regis",
      "tration",
      "é",
      "ü€",
      "",
      "\t",
      "'192.0.2.7'",
      "192.0.2.9"
    };
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      int kind = rnd.nextInt(4);
      if (kind == 0) {
        lines.add("Registration from 'x' failed for '192.0.2." + rnd.nextInt(250) + "'");
      } else if (kind == 1) {
        lines.add("Host 192.0.2." + rnd.nextInt(250) + " failed to authenticate");
      } else {
        StringBuilder b = new StringBuilder();
        for (int n = rnd.nextInt(6); n > 0; n--) {
          b.append(tokens[rnd.nextInt(tokens.length)]).append(rnd.nextBoolean() ? " " : "");
        }
        lines.add(b.toString());
      }
    }
    Filter slow = filter();
    List<String> expected = new ArrayList<>();
    for (String l : lines) {
      slow.process(l, CTX).matches().forEach(m -> expected.add(m.host()));
    }
    byte[] buf = ("\n\n" + String.join("\n", lines)).getBytes(StandardCharsets.UTF_8);
    Filter fast = filter();
    List<String> got = new ArrayList<>();
    int s = 2;
    int line = 0;
    while (s < buf.length) {
      int e = s;
      for (int n = 1 + rnd.nextInt(40); n > 0 && e < buf.length; n--) {
        while (e < buf.length && buf[e++] != '\n') {}
      }
      int first = line;
      int count =
          fast.candidates(
              buf,
              s,
              e,
              (index, ls, le) -> {
                String text = new String(buf, ls, le - ls, StandardCharsets.UTF_8);
                assertThat(text).isEqualTo(lines.get(first + index));
                fast.process(text, CTX).matches().forEach(m -> got.add(m.host()));
              });
      assertThat(count).isEqualTo(countLines(buf, s, e));
      line += count;
      s = e;
    }
    assertThat(line).isEqualTo(lines.size());
    assertThat(got).isEqualTo(expected).isNotEmpty();
  }

  private static int countLines(byte[] buf, int s, int e) {
    int n = 0;
    for (int i = s; i < e; i++) {
      if (buf[i] == '\n') {
        n++;
      }
    }
    return e > s && buf[e - 1] != '\n' ? n + 1 : n;
  }

  // regression: a dateless line took the time of the last line read, not of a passed-over later one
  @Test
  void datelessLine_takesTheTimeOfAPassedOverDatedLine_inBothPaths() throws Exception {
    List<String> lines =
        List.of(
            "2024-05-01 10:00:00 Host 192.0.2.1 failed to authenticate",
            "2024-05-01 10:00:30 chatter",
            "Host 192.0.2.2 failed to authenticate");
    DateContext soon = new DateContext(ZoneOffset.UTC, Instant.parse("2024-05-01T10:00:40Z"));
    Filter byLine = filter();
    List<FilterMatch> lineMatches = new ArrayList<>();
    for (String l : lines) {
      lineMatches.addAll(byLine.process(l, soon).matches());
    }
    Filter byBlock = filter();
    List<FilterMatch> blockMatches = new ArrayList<>();
    byte[] block = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    byBlock.candidates(
        block,
        0,
        block.length,
        (index, s, e) ->
            blockMatches.addAll(
                byBlock
                    .process(new String(block, s, e - s, StandardCharsets.UTF_8), soon)
                    .matches()));
    for (List<FilterMatch> m : List.of(lineMatches, blockMatches)) {
      assertThat(m).hasSize(2);
      assertThat(m.get(1).time()).isEqualTo(Instant.parse("2024-05-01T10:00:30Z"));
    }
    assertThat(byBlock.skippedLines()).isEqualTo(1);
  }

  /**
   * The words a block scan found in the line it hands out are only taken for that line: a callback
   * that reads another line gets that line's own words looked for (here the handed line needs
   * failregex 0's words, the one read failregex 1's).
   */
  @Test
  void handedWords_areNotTakenForAnotherLine() throws Exception {
    String handed = "2024-05-01 10:00:00 Registration from 'x' failed for '192.0.2.1'";
    String other = "2024-05-01 10:00:00 Host 192.0.2.7 failed to authenticate";
    byte[] block = (handed + "\n").getBytes(StandardCharsets.UTF_8);
    Filter f = filter();
    List<FilterMatch> got = new ArrayList<>();
    f.candidates(
        block, 0, block.length, (index, s, e) -> got.addAll(f.process(other, CTX).matches()));
    assertThat(got).hasSize(1);
    assertThat(got.get(0).host()).isEqualTo("192.0.2.7");
    // and the handed line itself, read as it is, matches with the words the scan found
    Filter g = filter();
    List<FilterMatch> own = new ArrayList<>();
    g.candidates(
        block,
        0,
        block.length,
        (index, s, e) ->
            own.addAll(
                g.process(new String(block, s, e - s, StandardCharsets.UTF_8), CTX).matches()));
    assertThat(own).hasSize(1);
    assertThat(own.get(0).host()).isEqualTo("192.0.2.1");
  }
}
