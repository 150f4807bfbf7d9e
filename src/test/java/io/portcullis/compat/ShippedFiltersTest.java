package io.portcullis.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every filter shipped in config/filter.d has an annotated sample log in
 * src/test/resources/filters/logs, every line of it gives the expected address, user and time, and
 * every failregex is exercised by at least one sample.
 */
class ShippedFiltersTest {
  static final Path CONFIG = Path.of("config");
  static final Path LOGS = Path.of("src/test/resources/filters/logs");

  @Test
  void everyShippedFilter_matchesItsAnnotatedSamples() throws IOException {
    List<String> names;
    try (Stream<Path> s = Files.list(CONFIG.resolve("filter.d"))) {
      names =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".conf"))
              .map(n -> n.substring(0, n.length() - ".conf".length()))
              .sorted()
              .toList();
    }
    assertThat(names)
        .as("shipped filters")
        .contains(
            "asterisk",
            "sshd",
            "kamailio",
            "freeswitch",
            "sip-scanner",
            "freepbx",
            "wazo",
            "portcullis-recidive");
    SampleSuite suite =
        new SampleSuite(ZoneId.of("Europe/Zurich"), Instant.parse("2024-06-01T00:00:00Z"));
    for (String name : names) {
      suite.run(CONFIG, name, LOGS);
    }
    suite.requireSampleForEveryRegex();
    System.out.printf(
        "shipped filters: %d of %d sample checks pass%n%s",
        suite.passed(), suite.total(), suite.table());
    suite.failures().forEach(f -> System.out.println("  FAIL " + f));
    assertThat(suite.failures()).isEmpty();
    assertThat(suite.total()).isGreaterThan(100);
  }
}
