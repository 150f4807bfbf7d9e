package io.portcullis.detection;

import io.portcullis.detection.GeneratedCase.Expect;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped sip-scanner filter against the lines of docs/filters/sip-scanner.md (SC-F1 from the
 * snippet, SC-F2 from secfilter) in Kamailio's line shapes, with a User-Agent that names a scanner
 * somewhere inside hostile text, or none; with and without the stock log_prefix (a Call-ID the
 * protocol allows, or any text). A scanner is caught with the real source; a phone is not; no line
 * names anyone but the client.
 */
class SipScannerDetectionTest {
  private static final ShippedFilter SYSLOG = ShippedFilter.load("sip-scanner");
  private static final ShippedFilter STDERR =
      ShippedFilter.load("sip-scanner", Map.of("logging", "stderr"));
  private static final List<String> SCANNERS =
      List.of(
          "friendly-scanner",
          "sipvicious",
          "sipcli/v1.8",
          "VaxSIPUserAgent/3.1",
          "pplsip",
          "iWar",
          "sundayddr",
          "SIPScan",
          "sip-scan",
          "SIVuS",
          "smap 0.6.0",
          "Asterix PBX",
          "SIPVicious");
  private static final Pattern NAMED =
      Pattern.compile(
          "(?i)friendly-scanner|friendly-request|sipvicious|sipcli|VaxSIPUserAgent|VaxIPUserAgent"
              + "|pplsip|sipptk|iWar|sundayddr|sundayaddr|sipscan|sip-scan|SIVuS|smap|siparmyknife"
              + "|Asterix PBX");

  enum Line {
    SC_F1,
    SC_F2,
    K_F1
  }

  enum Style {
    BSD,
    RFC3339,
    JOURNAL,
    STDERR
  }

  enum Prefix {
    NONE,
    STOCK,
    STOCK_ANY_CALL_ID
  }

  static final List<String> WHOLE_LINES =
      List.of(
          "friendly-scanner src={victim} port=5060 proto=udp",
          "NOTICE: <script>: portcullis: scanner ua=sipvicious src={victim} port=5060 proto=udp",
          "' is blacklisted} <script>: OPTIONS from {victim} blocked because UserAgent 'iWar");

  static Gen<GeneratedCase> cases() {
    Gen<String> hostile = Hostile.values(Alphabet.ANY, WHOLE_LINES);
    Gen<String> scanners = Gen.of(SCANNERS);
    Gen<List<String>> parts =
        d -> List.of(hostile.next(d), scanners.next(d), hostile.next(d), hostile.next(d));
    Gen<Line> lines = Gen.of(Line.values());
    Gen<Style> styles = Gen.of(Style.values());
    Gen<Prefix> prefixes = Gen.of(Prefix.values());
    Gen<Boolean> scanner = Gen.booleans();
    Gen<IpAddress> sources = Addresses.sources();
    Gen<Integer> ports = Addresses.ports();
    return d ->
        build(
            lines.next(d),
            styles.next(d),
            prefixes.next(d),
            scanner.next(d),
            sources.next(d),
            ports.next(d),
            parts.next(d));
  }

  static GeneratedCase build(
      Line line,
      Style style,
      Prefix prefix,
      boolean scanner,
      IpAddress source,
      int port,
      List<String> parts) {
    boolean stderr = style == Style.STDERR;
    String before = stderr ? Alphabet.LINE.cut(parts.get(0)) : parts.get(0);
    String after = stderr ? Alphabet.LINE.cut(parts.get(2)) : parts.get(2);
    String ua = scanner ? before + parts.get(1) + after : NAMED.matcher(before).replaceAll("");
    String callId = stderr ? Alphabet.LINE.cut(parts.get(3)) : parts.get(3);
    String pfx =
        switch (prefix) {
          case NONE -> "";
          case STOCK ->
              "{1 1 OPTIONS "
                  + (Alphabet.TOKEN.cut(callId).isEmpty() ? "a84b4c7" : Alphabet.TOKEN.cut(callId))
                  + "} ";
          case STOCK_ANY_CALL_ID -> "{1 1 OPTIONS " + callId + "} ";
        };
    String si = source.toString();
    String message =
        switch (line) {
          case SC_F1 ->
              "NOTICE: "
                  + pfx
                  + "<script>: portcullis: scanner ua="
                  + ua
                  + " src="
                  + si
                  + " port="
                  + port
                  + " proto=udp";
          case SC_F2 ->
              "ALERT: "
                  + pfx
                  + "<script>: OPTIONS from "
                  + si
                  + " blocked because UserAgent '"
                  + ua
                  + "' is blacklisted";
          case K_F1 ->
              "NOTICE: "
                  + pfx
                  + "<script>: portcullis: auth failed src="
                  + si
                  + " port="
                  + port
                  + " proto=udp user=100";
        };
    Expect expect;
    if (line == Line.K_F1) {
      expect = Expect.NOTHING;
    } else if (!scanner) {
      // a phone's User-Agent (any text without a scanner's name): only the client's own text
      // could name one, so nobody else is ever taken
      expect = Expect.SOURCE_OR_NOTHING;
    } else if ((line == Line.SC_F2 && prefix != Prefix.NONE)
        || (prefix == Prefix.STOCK_ANY_CALL_ID && callId.replace('\n', ' ').contains("} "))) {
      // SC-F2's address is at a fixed place with client text after it: read without a prefix;
      // a Call-ID holding "} " ends the prefix early (docs/filters/kamailio.md, note 2)
      expect = Expect.SOURCE_OR_NOTHING;
    } else {
      expect = Expect.FAILURE;
    }
    String what = line + " (" + style + ", " + prefix + (scanner ? ", scanner)" : ", phone)");
    // SC-F1 is read up to 880 characters after the date (sip-scanner.conf): a longer line may be
    // one rsyslog or a relay cut short after the client's own "src=<victim>"
    int visible =
        (style == Style.JOURNAL ? "pbx /usr/sbin/kamailio[2101]: " : " pbx kamailio[2101]: ")
                .length()
            + KamailioDetectionTest.rsyslog(message).length();
    if (line == Line.SC_F1 && expect == Expect.FAILURE && visible > SC_F1_MAX) {
      expect = Expect.SOURCE_OR_NOTHING;
    }
    return switch (style) {
      case BSD ->
          new GeneratedCase(
              what,
              List.of(
                  "May  1 10:00:01 pbx /usr/sbin/kamailio[2101]: "
                      + KamailioDetectionTest.rsyslog(message)),
              false,
              source,
              expect);
      case RFC3339 ->
          new GeneratedCase(
              what,
              List.of(
                  "2024-05-01T10:00:01.123456+02:00 pbx kamailio[2101]: "
                      + KamailioDetectionTest.rsyslog(message)),
              false,
              source,
              expect);
      case JOURNAL ->
          new GeneratedCase(
              what,
              List.of("pbx /usr/sbin/kamailio[2101]: " + message.replace('\n', ' ')),
              true,
              source,
              expect);
      case STDERR ->
          new GeneratedCase(what, List.of(" 2(27120) " + message), false, source, expect);
    };
  }

  /** Less than the 880 characters SC-F1 reads, for the longest header a style writes. */
  static final int SC_F1_MAX = 840;

  /**
   * A User-Agent padded so that rsyslog's 8k or a 1024-byte relay cuts the line right after the
   * client's own " src=192.0.2.10 port=5060 proto=udp" banned the victim at the first line before
   * SC-F1 bounded the line (red team, issue #9).
   */
  @Test
  void userAgentPaddedToASyslogLimit_endingInTheVictim_bansNobody() {
    IpAddress source = IpAddress.parse("203.0.113.93");
    String imitation = " src=" + Addresses.VICTIM4 + " port=5060 proto=udp";
    String head = "NOTICE: <script>: portcullis: scanner ua=friendly-scanner ";
    String packetHeader = "<13>May  1 10:00:01 /usr/sbin/kamailio[2101]: ";
    int[] room = {AsteriskLog.RSYSLOG_MAX, AsteriskLog.RFC3164_MAX - packetHeader.length()};
    for (int keep : room) {
      String ua = "A".repeat(keep - head.length() - imitation.length()) + imitation;
      String message = head + ua + " src=" + source + " port=5060 proto=udp";
      String line = "May  1 10:00:01 pbx /usr/sbin/kamailio[2101]: " + message.substring(0, keep);
      org.assertj.core.api.Assertions.assertThat(line).endsWith(imitation);
      new GeneratedCase("SC-F1 cut at " + keep, List.of(line), false, source, Expect.NOTHING)
          .check(SYSLOG);
    }
  }

  @Test
  void everyScannerLine_catchesTheSource_andNeverAnyoneElse() {
    Properties.check(
        "SipScannerDetectionTest.everyScannerLine_catchesTheSource_andNeverAnyoneElse",
        4000,
        cases(),
        c -> {
          CaseCounter.count("sip-scanner");
          c.check(c.what().contains("STDERR") ? STDERR : SYSLOG);
        });
  }

  @Test
  void phoneUserAgent_isNotAScanner() {
    IpAddress source = IpAddress.parse("192.0.2.10");
    build(
            Line.SC_F1,
            Style.BSD,
            Prefix.NONE,
            false,
            source,
            5060,
            List.of("Yealink SIP-T46S 66.86.0.15", "", "", ""))
        .check(SYSLOG)
        .nothing();
  }

  @AfterAll
  static void report() {
    System.out.println(CaseCounter.report("sip-scanner"));
  }
}
