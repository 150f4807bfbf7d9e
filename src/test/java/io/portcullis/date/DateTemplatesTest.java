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
  void lineBeginForms_builtOnTheirOwn_areTheFullSetsLineStartForms_inItsOrder() {
    java.util.List<DateTemplate> own = DateTemplates.buildLineBegin();
    java.util.List<DateTemplate> filtered =
        DateTemplates.defaults().stream().filter(DateTemplate::lineBegin).toList();
    assertThat(own).hasSameSizeAs(filtered).isNotEmpty();
    for (int i = 0; i < own.size(); i++) {
      DateTemplate a = own.get(i);
      DateTemplate b = filtered.get(i);
      assertThat(a.name()).isEqualTo(b.name());
      assertThat(a.regex()).isEqualTo(b.regex());
      assertThat(a.getClass()).isEqualTo(b.getClass());
      assertThat(a.weight()).isEqualTo(b.weight());
      assertThat(a.anchored()).isEqualTo(b.anchored());
      assertThat(a.mayJoinWords()).isEqualTo(b.mayJoinWords());
    }
    assertThat(DateTemplates.parse("{^LN-BEG}").stream().map(DateTemplate::name))
        .containsExactlyElementsOf(filtered.stream().map(DateTemplate::name).toList());
  }

  @Test
  void defaultForms_compileWhenFirstUsed_andEveryOneCompiles() {
    // a fresh {^LN-BEG} set, as a filter's first build gets it: nothing compiled before a line
    java.util.List<DateTemplate> fresh = DateTemplates.buildLineBegin();
    assertThat(fresh).noneMatch(DateTemplate::isCompiled);
    DateDetector detector = new DateDetector(fresh);
    assertThat(detector.find("[2024-05-01 08:00:00] NOTICE[1] x.c: y", UTC)).isNotNull();
    assertThat(fresh.stream().filter(DateTemplate::isCompiled).count())
        .as("templates compiled to read one line of the first form")
        .isLessThan(fresh.size());
    // every default form compiles (a broken one would otherwise only show at a log line)
    for (DateTemplate t : DateTemplates.defaults()) {
      assertThat(t.regex()).as(t.name()).isNotEmpty();
    }
  }

  @Test
  void ownDatePattern_thatIsNoRegex_isRefusedWhenParsed() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DateTemplates.parse("^%Y-%m-(%d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not valid");
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

  // as fail2ban's date detector reads these lines (DateDetectorStatisticsIT runs it on 2,400):
  // the last template of a list wins where it matches, and the place that won is tried first
  @Test
  void detector_choosesAsFail2bansDoes_notTheEarliestMatch() {
    DateDetector d =
        new DateDetector(DateTemplates.parse("%d/%m/%Y %H:%M:%S\n%Y-%m-%d %H:%M:%S\n%H:%M:%S"));
    DateHit first = d.find("pid 7: 2024-05-01 10:00:00 ok", UTC);
    assertThat(first.template().name()).isEqualTo("24hour:Minute:Second");
    assertThat(first.start()).isEqualTo(18);
    DateHit second = d.find("pid 7: 2024-05-01 10:00:01 retry 01/05/2024 09:00:00", UTC);
    assertThat(second.start()).isEqualTo(18);
    assertThat(second.end()).isEqualTo(26);
    DateHit third = d.find("pid 7 01/05/2024 09:00:02 at 2024-05-01 10:00:02", UTC);
    assertThat(third.template().name()).isEqualTo("Day/Month/Year 24hour:Minute:Second");
    assertThat(third.time()).isEqualTo(Instant.parse("2024-05-01T09:00:02Z"));
  }

  @Test
  void detector_movesAWinningTemplateUp() {
    DateDetector d = DateDetector.defaults();
    String iso = DateTemplates.defaults().get(0).name();
    for (int i = 0; i < 3; i++) {
      d.find("host sshd[1]: Jan 02 03:04:0" + i + " x", UTC);
    }
    int now = d.currentOrder().stream().map(DateTemplate::name).toList().indexOf(iso);
    assertThat(d.currentOrder().get(0).name()).startsWith("(?:DAY )?MON Day");
    assertThat(now).isPositive();
  }
}
