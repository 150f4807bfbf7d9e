package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.portcullis.config.FilterReader;
import io.portcullis.date.DateContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the shipped filters with arbitrary bytes, read the way a jail reads a block of a log file
 * (the literal prefilter over the raw bytes, then UTF-8 decoding and the regexes of each line it
 * keeps). Nothing may escape, and the prefilter may pass over only lines that would give nothing:
 * the same bytes read line by line without it give the same failures. Kept inputs:
 * src/test/resources/io/portcullis/filter/FilterBytesFuzzTestInputs.
 */
class FilterBytesFuzzTest {
  private static final List<String> FILTERS =
      List.of("asterisk", "freepbx", "freeswitch", "kamailio", "sip-scanner", "sshd", "wazo");
  private static final List<FilterSpec> SPECS = new ArrayList<>();

  /**
   * Each filter twice (with and without the prefilter), built once: building one takes 60 to 200
   * ms, which would leave the fuzzer a few inputs a second. A multi-line filter is built afresh for
   * each input, since what it holds from one input would change what the next gives.
   */
  private static final Map<FilterSpec, Filter[]> BUILT = new java.util.HashMap<>();

  static {
    for (String name : FILTERS) {
      SPECS.add(FilterSpec.of(FilterReader.read(Path.of("config"), name, Map.of()), false));
    }
  }

  private static Filter[] filters(FilterSpec spec) {
    if (spec.maxlines() > 1) {
      return build(spec);
    }
    return BUILT.computeIfAbsent(spec, FilterBytesFuzzTest::build);
  }

  private static Filter[] build(FilterSpec spec) {
    return new Filter[] {Filter.builder(spec).build(), Filter.builder(spec).noSkip(true).build()};
  }

  private static final DateContext CONTEXT =
      new DateContext(ZoneId.of("Europe/Zurich"), Instant.parse("2024-06-01T00:00:00Z"));

  /** What identifies a match for the comparison. */
  private record Found(FilterMatch.Kind kind, int regex, String ip, String host, String fid) {
    static Found of(FilterMatch m) {
      return new Found(m.kind(), m.regex(), String.valueOf(m.ip()), m.host(), m.fid());
    }
  }

  @FuzzTest
  void anyBytes_giveTheSameFailures_withAndWithoutThePrefilter(FuzzedDataProvider data)
      throws IOException {
    FilterSpec spec = SPECS.get(data.consumeInt(0, SPECS.size() - 1));
    byte[] block = data.consumeRemainingAsBytes();

    Filter[] built = filters(spec);
    Filter byBlock = built[0];
    List<Found> viaPrefilter = new ArrayList<>();
    int lines =
        byBlock.candidates(
            block,
            0,
            block.length,
            (i, s, e) -> {
              String line = new String(block, s, e - s, StandardCharsets.UTF_8);
              for (FilterMatch m : byBlock.process(line, CONTEXT).matches()) {
                assertThat(m.host() != null || m.fid() != null).isTrue();
                assertThat(m.lines()).isNotEmpty();
                viaPrefilter.add(Found.of(m));
              }
            });

    Filter byLine = built[1];
    List<Found> lineByLine = new ArrayList<>();
    int n = 0;
    int from = 0;
    while (from < block.length) {
      int nl = from;
      while (nl < block.length && block[nl] != '\n') {
        nl++;
      }
      String line = new String(block, from, nl - from, StandardCharsets.UTF_8);
      for (FilterMatch m : byLine.process(line, CONTEXT).matches()) {
        lineByLine.add(Found.of(m));
      }
      n++;
      from = nl + 1;
    }
    assertThat(lines).isEqualTo(n);
    assertThat(viaPrefilter).isEqualTo(lineByLine);
  }
}
