package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import io.portcullis.testing.Tally;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The prefilter never passes over a line the filter would match, for fail2ban's own filter.d
 * (Debian's package, unpacked by scripts/fetch-reference.sh): random lines built from each filter's
 * sample log in fail2ban's suite, the words of its regexes and noise give, through the block path
 * and the line path, exactly the matches of the same filter without a prefilter. Asterisk's filter
 * is drawn more often: its first regex has no top-level literal.
 */
class PrefilterFail2banIT {
  private static final List<PrefilterCheck> CHECKS = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    if (!CHECKS.isEmpty()) {
      return;
    }
    Path ref = Path.of(System.getProperty("portcullis.reference.dir", "target/reference"));
    Path config = ref.resolve("etc/fail2ban");
    Path logs = ref.resolve("usr/lib/python3/dist-packages/fail2ban/tests/files/logs");
    assertThat(logs).as("fail2ban sample logs (scripts/fetch-reference.sh)").isDirectory();
    try (Stream<Path> s = Files.list(config.resolve("filter.d"))) {
      for (Path p : s.sorted().toList()) {
        String file = p.getFileName().toString();
        String name = file.substring(0, file.length() - ".conf".length());
        if (file.endsWith(".conf") && Files.isRegularFile(logs.resolve(name))) {
          PrefilterCheck c =
              new PrefilterCheck(
                  config,
                  name,
                  logs.resolve(name),
                  ZoneId.of("Europe/Zurich"),
                  Instant.ofEpochSecond(1124013600L));
          CHECKS.add(c);
          if (name.equals("asterisk")) {
            for (int i = 0; i < 20; i++) {
              CHECKS.add(c);
            }
          }
        }
      }
    }
    assertThat(CHECKS).hasSizeGreaterThan(50);
  }

  /** A filter and the seed of its random lines. */
  record Pick(PrefilterCheck check, long seed) {
    @Override
    public String toString() {
      return check.name + ", lines of seed " + seed;
    }
  }

  @Test
  void prefilteredFilter_matchesEachLineExactlyLikeTheUnfilteredOne() {
    String name =
        "PrefilterFail2banIT.prefilteredFilter_matchesEachLineExactlyLikeTheUnfilteredOne";
    Tally tally = new Tally(name);
    Properties.check(
        name,
        400,
        Gen.combine(Gen.of(CHECKS), Gen.longs(), Pick::new),
        d -> {
          Random rnd = new Random(d.seed());
          List<String> lines = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            lines.add(d.check().line(rnd));
          }
          tally.tried();
          tally.add("lines matching", d.check().matching(lines) == 0 ? "none" : "some");
          assertThat(d.check().compareEach(lines)).isNull();
        });
    System.out.println(tally.report());
  }

  /**
   * In a whole log, too: a line without a date takes the time of the last dated line before it,
   * also when the prefilter passed over that line.
   */
  @Test
  void asteriskLog_prefilteredFilter_matchesExactlyLikeTheUnfilteredOne() {
    PrefilterCheck check =
        CHECKS.stream().filter(c -> c.name.equals("asterisk")).findFirst().orElseThrow();
    Properties.check(
        "PrefilterFail2banIT.asteriskLog_prefilteredFilter_matchesExactlyLikeTheUnfilteredOne",
        200,
        Gen.longs(),
        seed -> {
          Random rnd = new Random(seed);
          List<String> lines = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            lines.add(check.line(rnd));
          }
          assertThat(check.compare(lines)).isNull();
        });
  }
}
