package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.date.DateContext;
import io.portcullis.date.DateDetector;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmUpLinesTest {
  private static final Instant NOW = Instant.parse("2026-11-29T13:20:00Z");
  private static final ZoneId ZONE = ZoneId.of("Europe/Paris");

  @Test
  void failureLine_isAFailureOfTheWarmUpAddress_withUserPortAndService() {
    // the warm-up runs the path after a match only if its filter does match (and pairs attempts
    // only with a service the jail knows)
    Filter f = Filter.builder(WarmUpLines.FILTER).build();
    for (int n = 0; n < 3; n++) {
      String line = new String(WarmUpLines.failure(NOW, ZONE, n), StandardCharsets.UTF_8).strip();
      List<FilterMatch> found = f.process(line, new DateContext(ZONE, NOW)).matches();
      assertThat(found).as(line).hasSize(1);
      FilterMatch m = found.get(0);
      assertThat(m.kind()).isEqualTo(FilterMatch.Kind.FAILURE);
      assertThat(m.ip()).hasToString(WarmUpLines.ADDRESS);
      assertThat(m.time()).isEqualTo(NOW);
      assertThat(m.groups())
          .containsEntry("user", "100")
          .containsEntry("fport", String.valueOf(5060 + n))
          .containsEntry("service", "chan_sip");
    }
  }

  @Test
  void datedLines_eachHaveTheirDateFoundByTheDefaultTemplates() {
    String[] lines =
        new String(WarmUpLines.dated(NOW, ZONE, "portcullis warm-up"), StandardCharsets.UTF_8)
            .split("\n");
    assertThat(lines).hasSize(3);
    for (String line : lines) {
      assertThat(DateDetector.defaults().find(line, new DateContext(ZONE, NOW)))
          .as(line)
          .isNotNull()
          .satisfies(
              hit ->
                  assertThat(hit.time())
                      .isEqualTo(NOW.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    }
  }
}
