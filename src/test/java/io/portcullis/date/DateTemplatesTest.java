package io.portcullis.date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DateTemplatesTest {
  private static final DateContext UTC =
      new DateContext(ZoneOffset.UTC, Instant.parse("2024-06-01T00:00:00Z"));

  private static DateHit find(String line) {
    return DateDetector.defaults().find(line, UTC);
  }

  @Test
  void commonFormats_areFound_andTheirSpanIsTheDateOnly() {
    DateHit h = find("[2024-05-01 10:00:01] NOTICE[1] chan_sip.c: x");
    assertThat(h.time()).isEqualTo(Instant.parse("2024-05-01T10:00:01Z"));
    assertThat(h.start()).isEqualTo(1);
    assertThat(h.end()).isEqualTo(20);
    assertThat(find("2024-05-01T10:00:01.5+02:00 host x").time())
        .isEqualTo(Instant.parse("2024-05-01T08:00:01Z"));
    assertThat(find("1714557601 x").time()).isEqualTo(Instant.ofEpochSecond(1714557601));
  }

  @Test
  void dateWithoutYear_takesTheMostRecentYearNotAfterNow() {
    assertThat(find("May  1 10:00:01 host sshd[1]: x").time())
        .isEqualTo(Instant.parse("2024-05-01T10:00:01Z"));
    // December is in the future on 2024-06-01: it was last December
    assertThat(find("Dec 24 10:00:01 host sshd[1]: x").time())
        .isEqualTo(Instant.parse("2023-12-24T10:00:01Z"));
  }

  @Test
  void logZone_appliesToDatesWithoutOne() {
    DateContext paris = new DateContext(ZoneId.of("Europe/Paris"), UTC.now());
    assertThat(DateDetector.defaults().find("2024-01-15 10:00:00 x", paris).time())
        .isEqualTo(Instant.parse("2024-01-15T09:00:00Z"));
  }

  @Test
  void customPattern_andDatePlaceholder() {
    DateDetector d = new DateDetector(DateTemplates.parse("^[^\\[]*\\[({DATE})"));
    DateHit h = d.find("203.0.113.1 - - [01/May/2024:10:00:01 +0200] \"GET /\"", UTC);
    assertThat(h.time()).isEqualTo(Instant.parse("2024-05-01T08:00:01Z"));
    // no month or day: today, or yesterday when today's time is still to come
    DateDetector p = new DateDetector(DateTemplates.parse("%%Y=%Y %H:%M"));
    assertThat(p.find("x %Y=2024 10:00 y", UTC).time())
        .isEqualTo(Instant.parse("2024-05-31T10:00:00Z"));
  }

  @Test
  void tai64n_isRead() {
    DateDetector d = new DateDetector(DateTemplates.parse("TAI64N"));
    assertThat(d.find("@4000000066320f8100000000 x", UTC).time())
        .isEqualTo(Instant.ofEpochSecond(0x66320f81L));
  }

  @Test
  void invalidPattern_isAnError() {
    assertThatThrownBy(() -> DateTemplates.parse("%Y-(%m")).hasMessageContaining("%Y-(%m");
  }
}
