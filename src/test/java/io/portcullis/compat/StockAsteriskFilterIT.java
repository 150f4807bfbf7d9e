package io.portcullis.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.FilterReader;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import io.portcullis.filter.FilterSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How many of our annotated Asterisk failure lines (file-channel shapes) fail2ban's stock asterisk
 * filter catches, run through our engine, which reproduces fail2ban's matching on its whole sample
 * suite. Prints the figure quoted in README; ours catches them all (ShippedFiltersTest).
 */
class StockAsteriskFilterIT {
  @Test
  void stockFilter_missesManyOfOurFailureSamples() throws IOException {
    Path ref = Path.of(System.getProperty("portcullis.reference.dir", "target/reference"));
    Filter stock =
        Filter.builder(
                FilterSpec.of(
                    FilterReader.read(ref.resolve("etc/fail2ban"), "asterisk", Map.of()), true))
            .build();
    DateContext ctx =
        new DateContext(ZoneId.of("Europe/Zurich"), Instant.parse("2024-06-01T00:00:00Z"));
    List<String> lines =
        Files.readAllLines(
            Path.of("src/test/resources/filters/logs/asterisk"), StandardCharsets.UTF_8);
    int failures = 0;
    int caught = 0;
    StringBuilder missed = new StringBuilder();
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).contains("filterOptions")) {
        break; // the file-channel part; syslog, journal and json shapes follow
      }
      String a = lines.get(i);
      if (!a.startsWith("# failJSON:")
          || !a.contains("\"match\": true")
          || a.contains("\"success\": true")) {
        continue;
      }
      failures++;
      String line = lines.get(i + 1);
      boolean hit =
          stock.process(line, ctx).matches().stream()
              .anyMatch(m -> m.kind() == FilterMatch.Kind.FAILURE);
      if (hit) {
        caught++;
      } else {
        missed.append("  missed: ").append(line, 0, Math.min(line.length(), 140)).append('\n');
      }
    }
    System.out.printf(
        "fail2ban's stock asterisk filter catches %d of our %d file-channel failure samples%n%s",
        caught, failures, missed);
    assertThat(failures).isGreaterThan(40);
    assertThat(caught).isLessThan(failures);
  }
}
