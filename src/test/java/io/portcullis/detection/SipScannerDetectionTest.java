package io.portcullis.detection;

import io.portcullis.detection.GeneratedCase.Expect;
import io.portcullis.net.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

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

  @Provide
  Arbitrary<GeneratedCase> cases() {
    Arbitrary<String> hostile = Hostile.values(Alphabet.ANY, WHOLE_LINES);
    return Combinators.combine(
            Arbitraries.of(Line.values()),
            Arbitraries.of(Style.values()),
            Arbitraries.of(Prefix.values()),
            Arbitraries.of(true, false),
            Addresses.sources(),
            Addresses.ports(),
            Combinators.combine(hostile, Arbitraries.of(SCANNERS), hostile, hostile).as(List::of))
        .as(SipScannerDetectionTest::build);
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
    } else if (prefix == Prefix.STOCK_ANY_CALL_ID
        || (line == Line.SC_F2 && prefix != Prefix.NONE)) {
      expect = Expect.SOURCE_OR_NOTHING;
    } else {
      expect = Expect.FAILURE;
    }
    String what = line + " (" + style + ", " + prefix + (scanner ? ", scanner)" : ", phone)");
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

  @Property(tries = 4000)
  void everyScannerLine_catchesTheSource_andNeverAnyoneElse(@ForAll("cases") GeneratedCase c) {
    CaseCounter.count("sip-scanner");
    c.check(c.what().contains("STDERR") ? STDERR : SYSLOG);
  }

  @Example
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

  @AfterContainer
  static void report() {
    System.out.println(CaseCounter.report("sip-scanner"));
  }
}
