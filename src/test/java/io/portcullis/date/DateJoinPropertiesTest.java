package io.portcullis.date;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.regex.RegexFacts;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import io.portcullis.testing.Tally;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A template that says its date cannot join two words ({@link DateTemplate#mayJoinWords}) keeps its
 * word: for random date patterns (directives, separators, fences, anchors, groups) and random lines
 * made of date pieces and noise, cutting the date a template or a detector found never leaves a
 * word character right before another one. The filter's prefilter relies on it.
 */
class DateJoinPropertiesTest {
  private static final DateContext UTC =
      new DateContext(ZoneOffset.UTC, Instant.parse("2024-06-01T00:00:00Z"));

  private static final List<String> DIRECTIVES =
      List.of(
          "%Y",
          "%m", "%d", "%H", "%M", "%S", "%b", "%a", "%y", "%f", "%z", "%p", "%I", "%j", "%ExY",
          "%k", "%Z");
  private static final List<String> SEPARATORS =
      List.of("-", "/", " ", ":", "T", ".", "", "@", "_", ",", "  ?");
  private static final List<String> BEFORE =
      List.of("", "", "\\[", "<", "x", "@", "[^\\[]*\\[", " ", "\\w*", "ab ", "(?:x|\\[)");
  private static final List<String> AFTER =
      List.of("", "", "\\]", ">", "x", " ", "Z", "\\w*", "\\s*\\]", "(?:y|;)");
  private static final List<String> WHOLE =
      List.of(
          "{^LN-BEG}",
          "{DEFAULT}",
          "^[^\\[]*\\[({DATE})",
          "^[^\\[]*(\\[{DATE}\\s*\\])",
          "{EPOCH}",
          "^\\[{EPOCH}\\]",
          "x{EPOCH}",
          "{LEPOCH}y",
          "Epoch",
          "LEpoch",
          "TAI64N",
          "{^LN-BEG}TAI64N",
          "{^LN-BEG}Epoch",
          "^<\\d+>\\d+\\s+{DATE}",
          "{NONE}");
  private static final List<String> PIECES =
      List.of(
          "2024",
          "05",
          "01",
          " 1",
          "10",
          "00",
          "59",
          "May",
          "Wed",
          "24",
          "123456",
          "+0200",
          "AM",
          "PM",
          "-",
          "/",
          ":",
          " ",
          "T",
          ".",
          "@",
          "[",
          "]",
          "<",
          ">",
          "x",
          "abc",
          "Z",
          "_",
          "é",
          "1714550400",
          "@4000000066321ed000000000",
          "2024-05-01 10:00:00",
          "May  1 10:00:00",
          "01/May/2024:10:00:00 +0200",
          "05/01/24@10:00:00",
          "2024-05-01T10:00:00.5+02:00",
          "Wed May 01 10:00:00 2024",
          "20240501 10:00:00",
          "10:00:00",
          "<05/01/24@10:00:00>",
          "audit(1714550400.123:5)",
          "[1714550400]",
          "y",
          "1",
          "9");

  /** A sample text for each directive, separator and surrounding piece of a generated pattern. */
  private static final java.util.Map<String, String> SAMPLE =
      java.util.Map.ofEntries(
          java.util.Map.entry("%Y", "2024"),
          java.util.Map.entry("%ExY", "2024"),
          java.util.Map.entry("%m", "05"),
          java.util.Map.entry("%d", "01"),
          java.util.Map.entry("%H", "10"),
          java.util.Map.entry("%M", "00"),
          java.util.Map.entry("%S", "59"),
          java.util.Map.entry("%b", "May"),
          java.util.Map.entry("%a", "Wed"),
          java.util.Map.entry("%y", "24"),
          java.util.Map.entry("%f", "123456"),
          java.util.Map.entry("%z", "+0200"),
          java.util.Map.entry("%p", "AM"),
          java.util.Map.entry("%I", "10"),
          java.util.Map.entry("%j", "122"),
          java.util.Map.entry("%k", "10"),
          java.util.Map.entry("%Z", "UTC"),
          java.util.Map.entry("  ?", " "),
          java.util.Map.entry("\\[", "["),
          java.util.Map.entry("\\]", "]"),
          java.util.Map.entry("[^\\[]*\\[", "ab ["),
          java.util.Map.entry("\\w*", "ab"),
          java.util.Map.entry("(?:x|\\[)", "x"),
          java.util.Map.entry("\\s*\\]", " ]"),
          java.util.Map.entry("(?:y|;)", ";"));

  private static String sample(String piece) {
    return SAMPLE.getOrDefault(piece, piece);
  }

  /** Date patterns and lines built from date pieces. */
  record Case(List<String> patterns, List<String> lines) {}

  /** A generated pattern and a date text it matches. */
  private record Generated(String pattern, String text) {}

  private static final String CUT = "a date was cut by a safe template";

  @Test
  void aTemplateThatCannotJoinWords_neverDoes() {
    String name = "DateJoinPropertiesTest.aTemplateThatCannotJoinWords_neverDoes";
    Tally tally = new Tally(name);
    Properties.check(name, 600, cases(), c -> check(c, tally));
    System.out.println(tally.report());
    // not vacuous: in many cases a safe template did cut a date out of a line
    assertThat(tally.percent("outcome", CUT)).as(tally.report()).isGreaterThan(30);
  }

  private static void check(Case c, Tally tally) {
    tally.tried();
    List<DateTemplate> templates = new ArrayList<>();
    for (String p : c.patterns()) {
      try {
        templates.addAll(DateTemplates.parse(p));
      } catch (IllegalArgumentException e) {
        // not a valid pattern: nothing to check
      }
    }
    if (templates.isEmpty()) {
      tally.add("outcome", "no valid pattern");
      return;
    }
    boolean anyCut = false;
    for (DateTemplate t : templates) {
      for (String line : c.lines()) {
        DateHit h = t.find(line, UTC);
        if (h != null && h.start() < h.end() && !t.mayJoinWords()) {
          anyCut = true;
          assertThat(joins(line, h))
              .as("template %s (%s) cut '%s' out of '%s'", t.name(), t.regex(), cut(line, h), line)
              .isFalse();
        }
      }
    }
    // the detector searches again at the last winner's place: its hits keep the promise too
    List<DateTemplate> safe = templates.stream().filter(t -> !t.mayJoinWords()).toList();
    if (!safe.isEmpty()) {
      DateDetector d = new DateDetector(safe);
      for (String line : c.lines()) {
        DateHit h = d.find(line, UTC);
        if (h != null && h.start() < h.end()) {
          anyCut = true;
          assertThat(joins(line, h))
              .as("detector (%s) cut '%s' out of '%s'", h.template().name(), cut(line, h), line)
              .isFalse();
        }
      }
    }
    tally.add("outcome", anyCut ? CUT : "no cut");
  }

  @Test
  void theDefaultTemplates_andTheFenceFreeOnes() {
    assertThat(DateTemplates.defaults()).noneMatch(DateTemplate::mayJoinWords);
    assertThat(DateTemplates.parse("{UNB}%Y-%m-%d")).allMatch(DateTemplate::mayJoinWords);
    assertThat(DateTemplates.parse("^[^\\[]*\\[({DATE})")).noneMatch(DateTemplate::mayJoinWords);
    // a date in brackets taken with its brackets, with anything on both sides
    assertThat(DateTemplates.parse("[^\\[]*(\\[{DATE}\\])")).allMatch(DateTemplate::mayJoinWords);
    assertThat(DateTemplates.parse("**%Y-%m-%d %H:%M:%S")).noneMatch(DateTemplate::mayJoinWords);
    assertThat(DateTemplates.parse("**%Y-%m-%d %H:%M:%S**")).allMatch(DateTemplate::mayJoinWords);
  }

  private static boolean joins(String line, DateHit h) {
    return h.start() > 0
        && h.end() < line.length()
        && RegexFacts.isWord(line.codePointBefore(h.start()))
        && RegexFacts.isWord(line.codePointAt(h.end()));
  }

  private static String cut(String line, DateHit h) {
    return line.substring(h.start(), h.end());
  }

  /** Cases drawn from a seed (edge tries: the seeds Long.MIN_VALUE and Long.MAX_VALUE). */
  static Gen<Case> cases() {
    return Gen.longs()
        .map(
            seed -> {
              Random rnd = new Random(seed);
              List<String> patterns = new ArrayList<>();
              List<String> texts = new ArrayList<>();
              int n = 1 + rnd.nextInt(3);
              for (int i = 0; i < n; i++) {
                if (rnd.nextInt(4) == 0) {
                  patterns.add(pick(rnd, WHOLE));
                } else {
                  Generated g = pattern(rnd);
                  patterns.add(g.pattern());
                  texts.add(g.text());
                }
              }
              List<String> lines = new ArrayList<>();
              for (int i = 0; i < 8; i++) {
                String line = line(rnd);
                if (!texts.isEmpty() && rnd.nextInt(3) > 0) {
                  // a text the pattern matches, between pieces of noise
                  int at = rnd.nextInt(line.length() + 1);
                  line = line.substring(0, at) + pick(rnd, texts) + line.substring(at);
                }
                lines.add(line);
              }
              return new Case(patterns, lines);
            });
  }

  private static Generated pattern(Random rnd) {
    StringBuilder body = new StringBuilder();
    StringBuilder text = new StringBuilder();
    int parts = 1 + rnd.nextInt(4);
    for (int i = 0; i < parts; i++) {
      if (i > 0) {
        String sep = pick(rnd, SEPARATORS);
        body.append(sep);
        text.append(sample(sep));
      }
      String d = pick(rnd, DIRECTIVES);
      body.append(d);
      text.append(sample(d));
    }
    String date = body.toString();
    String before = pick(rnd, BEFORE);
    String after = pick(rnd, AFTER);
    if (rnd.nextBoolean() && !(before + after).isEmpty()) {
      date = before + "(" + date + ")" + after;
    } else {
      date = before + date + after;
    }
    String mark = pick(rnd, List.of("", "", "{^LN-BEG}", "{UNB}", "**", "^"));
    String end = pick(rnd, List.of("", "", "$", "**"));
    return new Generated(mark + date + end, sample(before) + text + sample(after));
  }

  private static String line(Random rnd) {
    StringBuilder out = new StringBuilder();
    int n = 1 + rnd.nextInt(7);
    for (int i = 0; i < n; i++) {
      out.append(pick(rnd, PIECES));
    }
    return out.toString();
  }

  private static String pick(Random rnd, List<String> from) {
    return from.get(rnd.nextInt(from.size()));
  }
}
