package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.FilterReader;
import io.portcullis.date.DateContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON log lines read through a filter's {@code jsonline} template, with lines shaped as Asterisk's
 * json formatter writes them (see {@link AsteriskLogger}).
 */
class JsonLinesTest {
  private static final DateContext CTX =
      new DateContext(ZoneOffset.UTC, Instant.parse("2024-06-01T00:00:00Z"));

  /** res/res_pjsip/pjsip_distributor.c, log_failed_request: the From URI is the client's. */
  private static AsteriskLogger.Message pjsipFailure(String date, String from, String source) {
    return new AsteriskLogger.Message(
        date,
        "NOTICE",
        2330,
        0,
        "res_pjsip/pjsip_distributor.c",
        722,
        "log_failed_request",
        "Request 'REGISTER' from '"
            + from
            + "' failed for '"
            + source
            + "' (callid: 5c1e2b7a) - Failed to authenticate\n");
  }

  private static final String PREFREGEX =
      "^\\[\\]\\s*NOTICE\\[\\d+\\](?:\\[C-[\\da-f]+\\])? [\\w/.\\-]+\\.c: "
          + "<F-CONTENT>.+</F-CONTENT>$";
  private static final String FAILREGEX =
      "^Request '[^']*' from '.*' failed for '<ADDR>(?::\\d+)?' \\(callid: \\S*\\) - "
          + "(?:Failed to authenticate|No matching endpoint found)$";

  private static FilterSpec asterisk(String jsonline, int maxlines) {
    return new FilterSpec(
        "asterisk",
        maxlines > 1 ? null : new FilterSpec.Source(PREFREGEX, "prefregex"),
        List.of(
            new FilterSpec.Source(
                maxlines > 1
                    ? "^\\[\\]\\s*NOTICE\\[\\d+\\] \\S+: " + FAILREGEX.substring(1)
                    : FAILREGEX,
                "failregex[0]")),
        List.of(),
        List.of(),
        maxlines,
        null,
        false,
        jsonline == null ? null : new FilterSpec.Source(jsonline, "asterisk.conf:9: jsonline"));
  }

  private static Filter filter() {
    return Filter.builder(asterisk(AsteriskLogger.TEMPLATE, 1)).build();
  }

  @Test
  void asteriskJsonLine_readsAsTheDefaultFormattersFileLine() {
    JsonLine t = JsonLine.parse(AsteriskLogger.TEMPLATE);
    List<AsteriskLogger.Message> messages =
        List.of(
            pjsipFailure("May  1 10:07:01", "<sip:100@198.51.100.1>", "203.0.113.80:5060"),
            pjsipFailure("2024-05-01 10:07:01.123", "\"Bob\" <sip:bob@x>", "[2001:db8::7]:5060"),
            new AsteriskLogger.Message(
                "2024-05-01 10:07:04",
                "VERBOSE",
                2410,
                0x51,
                "pbx.c",
                2915,
                "pbx_extension_helper",
                "Executing [100@from-internal:1] Dial(\"PJSIP/101-00000012\", \"PJSIP/100,30\")"
                    + " in new stack\n"));
    for (AsteriskLogger.Message m : messages) {
      assertThat(t.render(AsteriskLogger.json("pbx", m))).isEqualTo(AsteriskLogger.plain(m));
    }
  }

  @Test
  void jsonLine_andPlainLine_giveTheSameAddressAndTime_andTheRawLineIsKept() {
    AsteriskLogger.Message m =
        pjsipFailure("2024-05-01 10:07:01", "<sip:100@198.51.100.1>", "203.0.113.80:5060");
    String json = AsteriskLogger.json("pbx", m);
    FilterMatch fromJson = filter().process(json, CTX).matches().get(0);
    FilterMatch fromPlain = filter().process(AsteriskLogger.plain(m), CTX).matches().get(0);
    assertThat(fromJson.fid()).isEqualTo("203.0.113.80").isEqualTo(fromPlain.fid());
    assertThat(fromJson.time())
        .isEqualTo(Instant.parse("2024-05-01T10:07:01Z"))
        .isEqualTo(fromPlain.time());
    assertThat(fromJson.lines()).containsExactly(json);
    assertThat(fromPlain.lines()).containsExactly(AsteriskLogger.plain(m));
  }

  @Test
  void jsonAndPlainLines_inOneLog_areAllRead_withTheirOwnDates() {
    Filter f = filter();
    List<String> found = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      AsteriskLogger.Message m =
          pjsipFailure("2024-05-01 10:07:0" + i, "<sip:1@x>", "203.0.113." + (10 + i) + ":5060");
      String line = i % 2 == 0 ? AsteriskLogger.json("pbx", m) : AsteriskLogger.plain(m);
      for (FilterMatch fm : f.process(line, CTX).matches()) {
        found.add(fm.fid() + "@" + fm.time());
      }
    }
    assertThat(found)
        .containsExactly(
            "203.0.113.10@2024-05-01T10:07:00Z",
            "203.0.113.11@2024-05-01T10:07:01Z",
            "203.0.113.12@2024-05-01T10:07:02Z",
            "203.0.113.13@2024-05-01T10:07:03Z",
            "203.0.113.14@2024-05-01T10:07:04Z",
            "203.0.113.15@2024-05-01T10:07:05Z");
    assertThat(f.jsonLines()).isEqualTo(3);
  }

  @Test
  void jsonValues_areUnescapedExactlyOnce() {
    JsonLine t = JsonLine.parse("{/a}|{/b}");
    // \\u0027 in the line is the six characters \u0027 in the value, not a quote
    assertThat(t.render("{\"a\":\"x\\\"y\",\"b\":\"\\\\u0027 \\\\\\\" z\"}"))
        .isEqualTo("x\"y|\\u0027 \\\" z");
    // a JSON-escaped attempt to close the message and start another field stays text
    AsteriskLogger.Message m =
        pjsipFailure(
            "2024-05-01 10:07:03",
            "\"\\\"}}, \\\"message\\\": \\\"x' failed for '192.0.2.10:5060' (callid: a) - Failed"
                + " to authenticate\" <sip:1@x>",
            "203.0.113.82:5060");
    List<FilterMatch> got = filter().process(AsteriskLogger.json("pbx", m), CTX).matches();
    assertThat(got).extracting(FilterMatch::fid).containsExactly("203.0.113.82");
  }

  @Test
  void newlineInsideAValue_doesNotStartALine_evenForMultiLineFilters() {
    // a client-written From that carries a whole line between two raw line breaks, shaped as a
    // multi-line regex sees a line once its date is cut out
    String injected =
        "<sip:1@x>\n[] NOTICE[1] res_pjsip/pjsip_distributor.c: Request 'REGISTER' from 'y'"
            + " failed for '192.0.2.10:5060' (callid: b) - Failed to authenticate\nz";
    AsteriskLogger.Message m = pjsipFailure("2024-05-01 10:07:05", injected, "203.0.113.83:5060");
    String json = AsteriskLogger.json("pbx", m);
    assertThat(JsonLine.parse(AsteriskLogger.TEMPLATE).render(json))
        .doesNotContain("\n")
        .contains("<sip:1@x>" + JsonLine.REPLACEMENT + "[] NOTICE[1]");
    Filter multi = Filter.builder(asterisk(AsteriskLogger.TEMPLATE, 3)).build();
    List<String> ids = new ArrayList<>();
    multi.process("2024-05-01 10:07:04 chatter", CTX);
    multi.process(json, CTX).matches().forEach(x -> ids.add(x.fid()));
    multi.process("2024-05-01 10:07:06 chatter", CTX).matches().forEach(x -> ids.add(x.fid()));
    assertThat(ids).doesNotContain("192.0.2.10").containsExactly("203.0.113.83");
  }

  @Test
  void aLineThatIsNotOneJsonObjectOfTheShape_isReadAsItIs() {
    FilterSpec spec =
        new FilterSpec(
            "t",
            null,
            List.of(new FilterSpec.Source("^\\{.*failed for '<ADDR>'", "failregex[0]")),
            List.of(),
            List.of(),
            1,
            null,
            false,
            new FilterSpec.Source("{/message}", "jsonline"));
    List<String> raw =
        List.of(
            "{\"message\":\"x\" failed for '192.0.2.1'", // not valid JSON
            "{\"message\":\"x\"} failed for '192.0.2.2'", // text after the object
            "{\"message\":\"x\",\"message\":\"y\"} failed for '192.0.2.3'", // duplicate key
            "{\"msg\":\"failed for '192.0.2.4'\"}", // no such field
            "{\"message\":{\"text\":\"failed for '192.0.2.5'\"}}"); // not a scalar
    for (String line : raw) {
      Filter f = Filter.builder(spec).build();
      assertThat(f.process(line, CTX).matches()).as(line).hasSize(1);
      assertThat(f.jsonLines()).as(line).isZero();
    }
    Filter f = Filter.builder(spec).build();
    assertThat(f.process("{\"message\":\"x failed for '192.0.2.6'\"}", CTX).matches())
        .as("a decoded line no longer starts with a brace")
        .isEmpty();
    assertThat(f.jsonLines()).isOne();
  }

  @Test
  void templateMistakes_areErrorsNamingTheOption_andHowToWriteAField() {
    for (String bad : List.of("[{/timestamp] {/logmsg/message}", "no fields", "{/a} {/b")) {
      assertThatThrownBy(() -> Filter.builder(asterisk(bad, 1)).build())
          .isInstanceOf(FilterException.class)
          .hasMessageContaining("asterisk.conf:9: jsonline: ")
          .hasMessageContaining("{/");
    }
  }

  @Test
  void jsonline_isReadFromTheFiltersDefinition(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pbx.conf");
    Files.writeString(
        file,
        "[Definition]\n"
            + "prefregex = "
            + PREFREGEX
            + "\nfailregex = "
            + FAILREGEX
            + "\njsonline = "
            + AsteriskLogger.TEMPLATE
            + "\n",
        StandardCharsets.UTF_8);
    FilterSpec spec = FilterSpec.of(FilterReader.readFile(file, Map.of()), false);
    assertThat(spec.jsonline().text()).isEqualTo(AsteriskLogger.TEMPLATE);
    assertThat(spec.jsonline().where()).contains("pbx.conf:4").endsWith("jsonline");
    String line =
        AsteriskLogger.json(
            "pbx", pjsipFailure("2024-05-01 10:07:01", "<sip:1@x>", "203.0.113.90:5060"));
    assertThat(Filter.builder(spec).build().process(line, CTX).matches())
        .extracting(FilterMatch::fid)
        .containsExactly("203.0.113.90");
  }

  @Test
  void blockFastPath_handsOverTheSameLines_whetherOrNotTheTemplateSuppliesWords() throws Exception {
    // the second template writes "Denied" itself: raw JSON lines lack it, decoded ones hold it
    String[] templates = {
      AsteriskLogger.TEMPLATE,
      "[{/timestamp}] {/logmsg/level}[{/identifiers/lwp}] {/logmsg/location/filename}:"
          + " Denied {/logmsg/location/function}"
    };
    String[] failregex = {FAILREGEX, "^Denied <F-ID>log_failed_request</F-ID>$"};
    for (int k = 0; k < templates.length; k++) {
      FilterSpec spec =
          new FilterSpec(
              "t",
              new FilterSpec.Source(PREFREGEX, "prefregex"),
              List.of(new FilterSpec.Source(failregex[k], "failregex[0]")),
              List.of(),
              List.of(),
              1,
              null,
              false,
              new FilterSpec.Source(templates[k], "jsonline"));
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        AsteriskLogger.Message fail =
            pjsipFailure("2024-05-01 10:07:01", "<sip:1@x>", "203.0.113." + (i % 200) + ":5060");
        AsteriskLogger.Message chatter =
            new AsteriskLogger.Message(
                "2024-05-01 10:07:02", "VERBOSE", 9, 0, "pbx.c", 1, "f", "Executing " + i);
        lines.add(
            switch (i % 4) {
              case 0 -> AsteriskLogger.json("pbx", fail);
              case 1 -> AsteriskLogger.plain(fail);
              case 2 -> AsteriskLogger.json("pbx", chatter);
              default -> AsteriskLogger.plain(chatter);
            });
      }
      byte[] block = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
      Filter fast = Filter.builder(spec).build();
      List<Integer> fastHits = new ArrayList<>();
      fast.candidates(
          block,
          0,
          block.length,
          (index, s, e) -> {
            if (!fast.process(new String(block, s, e - s, StandardCharsets.UTF_8), CTX)
                .matches()
                .isEmpty()) {
              fastHits.add(index);
            }
          });
      Filter slow = Filter.builder(spec).noSkip(true).build();
      List<Integer> slowHits = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (!slow.process(lines.get(i), CTX).matches().isEmpty()) {
          slowHits.add(i);
        }
      }
      assertThat(fastHits).as(templates[k]).isEqualTo(slowHits).isNotEmpty();
      assertThat(fast.skippedLines()).as(templates[k]).isGreaterThan(100);
    }
  }
}
