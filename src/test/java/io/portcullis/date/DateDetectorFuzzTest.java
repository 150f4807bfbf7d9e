package io.portcullis.date;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * Fuzzes the date detector with arbitrary lines (the default templates, as a filter without a
 * datepattern uses): a found date lies inside the line and a matched date text has an instant; no
 * exception escapes. Each input is a few lines, so the detector's reordering is exercised. Kept
 * inputs: src/test/resources/io/portcullis/date/DateDetectorFuzzTestInputs.
 */
class DateDetectorFuzzTest {
  private static final List<DateTemplate> TEMPLATES = DateTemplates.defaults();
  private static final DateContext CONTEXT =
      new DateContext(ZoneId.of("Europe/Zurich"), Instant.parse("2024-06-01T00:00:00Z"));

  @FuzzTest
  void anyLine_givesADateInsideItOrNone(byte[] data) {
    DateDetector detector = new DateDetector(TEMPLATES);
    for (String line : new String(data, StandardCharsets.UTF_8).split("\n", 8)) {
      DateHit hit = detector.find(line, CONTEXT);
      if (hit != null) {
        assertThat(hit.start()).isBetween(0, hit.end());
        assertThat(hit.end()).isLessThanOrEqualTo(line.length());
        assertThat(hit.template()).isNotNull();
        if (hit.start() < hit.end()) {
          assertThat(hit.time()).as("the instant of '%s'", line).isNotNull();
        }
      }
    }
  }
}
