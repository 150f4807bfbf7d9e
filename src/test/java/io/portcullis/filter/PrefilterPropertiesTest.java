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
 * The prefilter of every shipped filter never passes over a line the filter would match: random
 * lines built from each filter's sample log, the words of its regexes and noise give, through the
 * block path and the line path, exactly the matches of the same filter without a prefilter.
 */
class PrefilterPropertiesTest {
  private static final Path CONFIG = Path.of("config");
  private static final Path LOGS = Path.of("src/test/resources/filters/logs");
  private static final List<PrefilterCheck> CHECKS = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    if (!CHECKS.isEmpty()) {
      return;
    }
    try (Stream<Path> s = Files.list(CONFIG.resolve("filter.d"))) {
      for (Path p : s.sorted().toList()) {
        String file = p.getFileName().toString();
        if (file.endsWith(".conf")) {
          String name = file.substring(0, file.length() - ".conf".length());
          CHECKS.add(
              new PrefilterCheck(
                  CONFIG,
                  name,
                  LOGS.resolve(name),
                  ZoneId.of("Europe/Zurich"),
                  Instant.parse("2024-06-01T00:00:00Z")));
        }
      }
    }
    assertThat(CHECKS).hasSizeGreaterThanOrEqualTo(8);
  }

  /** A filter and the seed of its random lines. */
  record Pick(PrefilterCheck check, long seed) {
    @Override
    public String toString() {
      return check.name + ", lines of seed " + seed;
    }
  }

  @Test
  void prefilteredFilter_matchesExactlyLikeTheUnfilteredOne() {
    Tally tally =
        new Tally("PrefilterPropertiesTest.prefilteredFilter_matchesExactlyLikeTheUnfilteredOne");
    Properties.check(
        "PrefilterPropertiesTest.prefilteredFilter_matchesExactlyLikeTheUnfilteredOne",
        400,
        Gen.combine(Gen.of(CHECKS), Gen.longs(), Pick::new),
        d -> {
          Random rnd = new Random(d.seed());
          List<String> lines = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            lines.add(d.check().line(rnd));
          }
          tally.tried();
          tally.add("filter", d.check().name);
          tally.add("lines matching", d.check().matching(lines) == 0 ? "none" : "some");
          assertThat(d.check().compare(lines)).isNull();
        });
    System.out.println(tally.report());
  }
}
