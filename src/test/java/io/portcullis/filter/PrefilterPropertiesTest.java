package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The prefilter of every shipped filter never passes over a line the filter would match: random
 * lines built from each filter's sample log, the words of its regexes and noise give, through the
 * block path and the line path, exactly the matches of the same filter without a prefilter.
 */
class PrefilterPropertiesTest {
  private static final Path CONFIG = Path.of("config");
  private static final Path LOGS = Path.of("src/test/resources/filters/logs");
  private static final List<PrefilterCheck> CHECKS = new ArrayList<>();

  @BeforeContainer
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

  @Provide
  Arbitrary<PrefilterCheck> filters() {
    return Arbitraries.of(CHECKS);
  }

  @Property(tries = 400)
  void prefilteredFilter_matchesExactlyLikeTheUnfilteredOne(
      @ForAll("filters") PrefilterCheck check, @ForAll long seed) throws IOException {
    Random rnd = new Random(seed);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add(check.line(rnd));
    }
    Statistics.label("filter").collect(check.name);
    Statistics.label("lines matching").collect(check.matching(lines) == 0 ? "none" : "some");
    assertThat(check.compare(lines)).isNull();
  }
}
