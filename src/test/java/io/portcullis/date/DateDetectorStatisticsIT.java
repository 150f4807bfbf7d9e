package io.portcullis.date;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which template reads a line's date, and where, against fail2ban's own date detector (Debian's
 * fail2ban 1.0.2, unpacked at test time by scripts/fetch-reference.sh) run by python3 over the same
 * sequences of lines: its per-template statistics and remembered position decide where several
 * templates match, which "the earliest match in the line" would decide otherwise.
 */
class DateDetectorStatisticsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateContext CTX =
      new DateContext(ZoneOffset.UTC, Instant.parse("2024-06-01T00:00:00Z"));

  /** Reads {"patterns": [...] or null, "lines": [...]} per sequence; prints each line's date. */
  private static final String DETECT_PY =
      String.join(
          "\n",
          "import json, sys",
          "from fail2ban.server.datedetector import DateDetector",
          "out = []",
          "for seq in json.load(sys.stdin):",
          "    d = DateDetector()",
          "    if seq['patterns'] is None: d.addDefaultTemplate()",
          "    else:",
          "        for p in seq['patterns']: d.appendTemplate(p)",
          "    res = []",
          "    for line in seq['lines']:",
          "        m, t = d.matchTime(line)",
          "        res.append(None if m is None else [t.name, m.start(1), m.end(1)])",
          "    out.append(res)",
          "json.dump(out, sys.stdout)");

  private static final String[] DATES = {
    "2024-05-01 10:%02d:%02d",
    "May  1 10:%02d:%02d",
    "May 01 10:%02d:%02d 2024",
    "01/05/2024 10:%02d:%02d",
    "01-May-2024 10:%02d:%02d",
    "10:%02d:%02d",
    "Wed May 01 10:%02d:%02d 2024",
    "2024-05-01T10:%02d:%02d.123+02:00",
  };

  private static final String[] PREFIXES = {
    "",
    "[",
    "host sshd[123]: ",
    "x ",
    "pbx asterisk[9]: [",
    "2024-04-30 ",
    "user 'May  2 11:11:11' "
  };

  private static final String[] SUFFIXES = {
    " message",
    "] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed",
    " login from 01/05/2024 10:11:12",
    " retry at 10:59:59 by 2024-05-02 11:00:00",
    ""
  };

  private static String line(Random r, int format, int prefix, int suffix) {
    String date = String.format(DATES[format], r.nextInt(60), r.nextInt(60));
    return PREFIXES[prefix] + date + SUFFIXES[suffix];
  }

  /** Logs that keep to a format, with now and then a line of another shape, and wild mixes. */
  private static List<List<String>> sequences() {
    Random r = new Random(20240501);
    List<List<String>> out = new ArrayList<>();
    for (int s = 0; s < 60; s++) {
      int format = r.nextInt(DATES.length);
      int prefix = r.nextInt(PREFIXES.length);
      boolean wild = s % 4 == 3;
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        boolean other = wild || r.nextInt(6) == 0;
        lines.add(
            line(
                r,
                other ? r.nextInt(DATES.length) : format,
                other ? r.nextInt(PREFIXES.length) : prefix,
                r.nextInt(SUFFIXES.length)));
      }
      out.add(lines);
    }
    return out;
  }

  private static JsonNode fail2ban(Path dir, String input) throws Exception {
    Path ref = Path.of(System.getProperty("portcullis.reference.dir", "target/reference"));
    Path lib = ref.resolve("usr/lib/python3/dist-packages");
    assertThat(lib.resolve("fail2ban/server/datedetector.py"))
        .as("fail2ban's date detector (scripts/fetch-reference.sh)")
        .isRegularFile();
    Path script = dir.resolve("detect.py");
    Files.writeString(script, DETECT_PY, StandardCharsets.UTF_8);
    Path in = dir.resolve("in.json");
    Files.writeString(in, input, StandardCharsets.UTF_8);
    Path out = dir.resolve("out.json");
    ProcessBuilder pb =
        new ProcessBuilder("python3", script.toString())
            .redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("PYTHONPATH", lib.toAbsolutePath().toString());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("python3 did not finish within 120 s");
    }
    assertThat(p.exitValue()).as("python3 exit status").isZero();
    return JSON.readTree(Files.readString(out, StandardCharsets.UTF_8));
  }

  private static String describe(DateTemplate t, DateTemplate.Match m) {
    return m == null ? "none" : t.name() + " [" + m.dateStart() + "," + m.dateEnd() + ")";
  }

  private static String span(String described) {
    return described.substring(described.lastIndexOf(' ') + 1);
  }

  /** What the detector did before: the match that starts earliest, a line-start one at once. */
  private static String earliest(List<DateTemplate> templates, String line) {
    DateTemplate best = null;
    DateTemplate.Match bestMatch = null;
    for (DateTemplate t : templates) {
      DateTemplate.Match m = t.search(line);
      if (m != null && t.lineBegin()) {
        return describe(t, m);
      }
      if (m != null && (bestMatch == null || m.dateStart() < bestMatch.dateStart())) {
        best = t;
        bestMatch = m;
      }
    }
    return describe(best, bestMatch);
  }

  @Test
  void templateAndPlace_matchFail2bansDetector_lineByLine(@TempDir Path dir) throws Exception {
    List<List<String>> sequences = sequences();
    List<String> custom =
        List.of("%d/%m/%Y %H:%M:%S", "%b %d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%H:%M:%S");
    StringBuilder input = new StringBuilder("[");
    for (int s = 0; s < sequences.size(); s++) {
      input
          .append(s == 0 ? "" : ",")
          .append("{\"patterns\":")
          .append(s % 3 == 2 ? JSON.writeValueAsString(custom) : "null")
          .append(",\"lines\":")
          .append(JSON.writeValueAsString(sequences.get(s)))
          .append('}');
    }
    JsonNode want = fail2ban(dir, input.append(']').toString());
    List<String> wrong = new ArrayList<>();
    int lines = 0;
    int unlikeEarliest = 0;
    int otherDate = 0;
    String example = null;
    for (int s = 0; s < sequences.size(); s++) {
      List<DateTemplate> templates =
          s % 3 == 2 ? DateTemplates.parse(String.join("\n", custom)) : DateTemplates.defaults();
      DateDetector ours = new DateDetector(templates);
      for (int i = 0; i < sequences.get(s).size(); i++) {
        String line = sequences.get(s).get(i);
        JsonNode w = want.get(s).get(i);
        String expected =
            w.isNull()
                ? "none"
                : w.get(0).asText() + " [" + w.get(1).asInt() + "," + w.get(2).asInt() + ")";
        DateDetector.Chosen c = ours.choose(line, CTX);
        String got = c == null ? "none" : describe(c.template(), c.match());
        lines++;
        if (!got.equals(expected) && wrong.size() < 10) {
          wrong.add(
              "sequence "
                  + s
                  + " line "
                  + i
                  + ": "
                  + line
                  + "\n  ours "
                  + got
                  + "\n  f2b  "
                  + expected);
        }
        String before = earliest(templates, line);
        if (!expected.equals(before)) {
          unlikeEarliest++;
          if (!span(expected).equals(span(before))) {
            otherDate++;
            if (example == null) {
              example = String.join(" | ", sequences.get(s).subList(Math.max(0, i - 2), i + 1));
              example += "\n    fail2ban and we read " + expected + ", the earliest was " + before;
            }
          }
        }
      }
    }
    System.out.printf(
        "date detector: %d lines agree with fail2ban's; on %d of them the earliest match in the"
            + " line would have chosen another template, on %d another place, e.g.%n  %s%n",
        lines - wrong.size(), unlikeEarliest, otherDate, example);
    assertThat(wrong).as("lines whose date we read unlike fail2ban").isEmpty();
    assertThat(unlikeEarliest).as("lines where the statistics decide").isGreaterThan(20);
    assertThat(otherDate).as("lines where they decide which text is the date").isPositive();
  }
}
