package io.portcullis.detection;

import io.portcullis.detection.GeneratedCase.Expect;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped freeswitch filter against every template of docs/filters/freeswitch.md, in every
 * shape FreeSWITCH 1.10 writes a line (freeswitch.log before and since 1.10.7, syslog with BSD and
 * RFC 3339 dates, the journal), with the client's fields filled with what sofia-sip lets through:
 * To user and host (no "@" resp. no separator, folded line breaks kept), the username and realm of
 * Authorization (no double quote, folds kept), the X-AUTH-IP and User-Agent headers.
 *
 * <p>freeswitch.log is written as mod_logfile writes it: the message split at its line breaks, one
 * line each, and FreeSWITCH's next line after it. Through syslog rsyslog writes control characters
 * as #ooo, and mod_syslog drops a message holding a byte below 9 or ESC (the client's failure then
 * goes unseen there: docs, note 4); the journal reader turns line breaks into spaces.
 *
 * <p>A failure is found unless its record runs over more lines than the filter keeps (maxlines) or
 * never reached syslog; lines of class "neither" give nothing; no line names anyone but the client.
 */
class FreeSwitchDetectionTest {
  private static final ShippedFilter FILE = ShippedFilter.load("freeswitch");
  private static final ShippedFilter SYSLOG =
      ShippedFilter.load("freeswitch", Map.of("logging", "syslog"));
  private static final ShippedFilter JOURNAL =
      ShippedFilter.load("freeswitch", Map.of("logtype", "journal"));
  private static final int MAXLINES = 10;
  private static final String NEXT_LINE =
      "2024-05-01 10:00:02.000000 97.63% [INFO] switch_core.c:2500 next line";

  /** The client's fields. */
  record Fields(String toUser, String toHost, String authUser, String realm, String header) {}

  /** A template: its level, source file and line, class, and message. */
  record Row(String id, String level, String source, Expect expect, Format format) {}

  interface Format {
    String text(String ip, int port, Fields f);
  }

  static final List<Row> ROWS =
      List.of(
          new Row(
              "FS-F1",
              "WARNING",
              "sofia_reg.c:1792",
              Expect.FAILURE,
              (ip, port, f) ->
                  "SIP auth failure (REGISTER) on sofia profile 'internal' for ["
                      + f.toUser()
                      + "@"
                      + f.toHost()
                      + "] from ip "
                      + ip),
          new Row(
              "FS-F1 INVITE",
              "WARNING",
              "sofia_reg.c:1792",
              Expect.FAILURE,
              (ip, port, f) ->
                  "SIP auth failure (INVITE) on sofia profile 'external' for ["
                      + f.toUser()
                      + "@"
                      + f.toHost()
                      + "] from ip "
                      + ip),
          new Row(
              "FS-F2",
              "WARNING",
              "sofia_reg.c:3210",
              Expect.FAILURE,
              (ip, port, f) ->
                  "Can't find user ["
                      + f.authUser()
                      + "@"
                      + f.realm()
                      + "] from "
                      + ip
                      + "\nYou must define a domain called '"
                      + f.realm()
                      + "' in your directory and add a user with the id=\""
                      + f.authUser()
                      + "\" attribute\nand you must configure your device to use the proper domain in"
                      + " its authentication credentials."),
          new Row(
              "FS-F3",
              "WARNING",
              "sofia_reg.c:2406",
              Expect.FAILURE,
              (ip, port, f) -> "IP " + ip + " Rejected by register acl \"domains\""),
          new Row(
              "FS-F4",
              "WARNING",
              "sofia_reg.c:3275",
              Expect.FAILURE,
              (ip, port, f) -> "IP " + ip + " Rejected by user acl [lan] and no proxy acl present"),
          new Row(
              "FS-F5",
              "WARNING",
              "sofia.c:10667",
              Expect.FAILURE,
              (ip, port, f) -> "IP " + ip + " Rejected by acl \"trusted\""),
          new Row(
              "FS-F6",
              "WARNING",
              "mod_event_socket.c:2674",
              Expect.FAILURE,
              (ip, port, f) -> "IP " + ip + " Rejected by acl \"loopback.auto\""),
          new Row(
              "FS-F7",
              "DEBUG",
              "mod_verto.c:4721",
              Expect.FAILURE,
              (ip, port, f) ->
                  (ip.contains(":") ? "[" + ip + "]" : ip)
                      + ":"
                      + port
                      + " Client Connect from "
                      + ip
                      + ":"
                      + port
                      + " refused by ACL lan"),
          new Row(
              "FS-F8",
              "ERR",
              "sofia_reg.c:1437",
              Expect.FAILURE,
              (ip, port, f) ->
                  "Can not do authorization without a complete header in REGISTER"
                      + " request from "
                      + ip
                      + ":"
                      + port),
          new Row(
              "FS-N1",
              "WARNING",
              "sofia_reg.c:1842",
              Expect.NOTHING,
              (ip, port, f) ->
                  "SIP auth challenge (REGISTER) on sofia profile 'internal' for ["
                      + f.toUser()
                      + "@"
                      + f.toHost()
                      + "] from ip "
                      + ip),
          new Row(
              "FS-N2",
              "WARNING",
              "sofia_reg.c:3305",
              Expect.NOTHING,
              (ip, port, f) -> "IP " + f.header() + " Rejected by user acl lan"),
          new Row(
              "FS-N3",
              "WARNING",
              "sofia_reg.c:3360",
              Expect.NOTHING,
              (ip, port, f) ->
                  "SIP auth failure (REGISTER) due to user-agent-filter.  Filter"
                      + " \"^Yealink\" User-Agent \""
                      + f.header()
                      + "\""),
          new Row(
              "FS-N5",
              "WARNING",
              "mod_verto.c:1061",
              Expect.NOTHING,
              (ip, port, f) ->
                  "Login incorrect for user: " + f.authUser() + " domain: " + f.realm()));

  /** FS-L1, FS-L2, FS-L4 (BSD, RFC 3339), FS-L5. */
  enum Style {
    FILE_L1,
    FILE_L2,
    SYSLOG_BSD,
    SYSLOG_RFC3339,
    JOURNAL
  }

  static final List<String> WHOLE_LINES =
      List.of(
          "2024-05-01 10:00:01.123456 [WARNING] sofia_reg.c:1792 SIP auth failure (REGISTER) on"
              + " sofia profile 'internal' for [x@y] from ip {victim}",
          "] from ip {victim}\n ",
          "x] from ip {victim}\r\n 2024-05-01 10:00:01.123456 97.63% [WARNING]"
              + " sofia_reg.c:2406 IP {victim6} Rejected by register acl \"domains\"\n ",
          "{victim}\nYou must define a domain called 'x' in your directory and add a user with"
              + " the id=\"y\" attribute\nand you must configure your device to use the proper"
              + " domain in its authentication credentials.\n",
          "#012You must define a domain called 'example.org' ",
          "pbx freeswitch[1]: 2024-05-01 10:00:01.123456 [WARNING] sofia_reg.c:2406 IP {victim}"
              + " Rejected by register acl \"domains\"",
          "{victim} Rejected by user acl [lan] and no proxy acl present\n ");

  static Gen<GeneratedCase> cases() {
    Gen<String> any =
        Hostile.values(Alphabet.ANY, WHOLE_LINES).map(FreeSwitchDetectionTest::folded);
    Gen<String> toUser = any.map(s -> without(s, "@:>%"));
    Gen<String> toHost = any.map(s -> without(s, ";/?#:>%"));
    Gen<String> quoted = any.map(s -> without(s, "\""));
    Gen<Fields> fields =
        d ->
            new Fields(toUser.next(d), toHost.next(d), quoted.next(d), quoted.next(d), any.next(d));
    Gen<Row> rows = Gen.of(ROWS);
    Gen<Style> styles = Gen.of(Style.values());
    Gen<IpAddress> sources = Addresses.sources();
    Gen<Integer> ports = Addresses.ports();
    return d -> build(rows.next(d), styles.next(d), sources.next(d), ports.next(d), fields.next(d));
  }

  /** A raw line break in a header value is a fold: a blank follows it. */
  static String folded(String raw) {
    return raw.replaceAll("(\r\n|\r|\n)(?![ \t])", "$1 ");
  }

  static String without(String s, String chars) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().filter(c -> chars.indexOf(c) < 0).forEach(out::appendCodePoint);
    return out.toString();
  }

  static GeneratedCase build(Row row, Style style, IpAddress source, int port, Fields f) {
    String message = row.format().text(source.toString(), port, f);
    String cpu = style == Style.FILE_L1 ? "" : " 97.63%";
    String data =
        "2024-05-01 10:00:01.123456"
            + cpu
            + " ["
            + row.level()
            + "] "
            + row.source()
            + " "
            + message;
    String what = row.id() + " (" + style + ")";
    Expect expect = row.expect();
    switch (style) {
      case FILE_L1, FILE_L2 -> {
        List<String> lines = physicalLines(data);
        if (expect == Expect.FAILURE && lines.size() + 1 > MAXLINES) {
          expect = Expect.SOURCE_OR_NOTHING;
        }
        lines.add(NEXT_LINE);
        return new GeneratedCase(what, lines, false, source, expect);
      }
      case SYSLOG_BSD, SYSLOG_RFC3339 -> {
        if (data.codePoints().anyMatch(c -> c < 9 || c == 27)) {
          // mod_syslog's find_unprintable(): the message is not logged at all
          return new GeneratedCase(
              what + ", dropped by mod_syslog",
              List.of(),
              false,
              source,
              expect == Expect.NOTHING ? expect : Expect.SOURCE_OR_NOTHING);
        }
        String date =
            style == Style.SYSLOG_BSD ? "May  1 10:00:01" : "2024-05-01T10:00:01.123456+02:00";
        // rsyslog keeps 8k of a message; a line longer than the filter reads (900 characters
        // after the date) may be one a limit cut short: the source or nothing
        String rest =
            " pbx freeswitch[812]: " + AsteriskLog.fit(rsyslog(data), AsteriskLog.RSYSLOG_MAX);
        if (expect == Expect.FAILURE && rest.length() > SYSLOG_LINE_MAX) {
          expect = Expect.SOURCE_OR_NOTHING;
        }
        return new GeneratedCase(what, List.of(date + rest), false, source, expect);
      }
      case JOURNAL -> {
        return new GeneratedCase(
            what, List.of("pbx freeswitch[812]: " + data.replace('\n', ' ')), true, source, expect);
      }
      default -> throw new IllegalArgumentException(style.name());
    }
  }

  /** How much of a syslog line after its date the filter reads (freeswitch.conf pre-syslog). */
  static final int SYSLOG_LINE_MAX = 850;

  /**
   * A user padded so that rsyslog's 8k or a 1024-byte relay cuts the line right after the client's
   * own "] from ip 192.0.2.10" gave the victim before pre-syslog bounded the line (red team, issue
   * #9): FS-F1 in mod_syslog's shape, cut at each limit.
   */
  @Test
  void userPaddedToASyslogLimit_endingInTheVictim_givesNothing() {
    IpAddress source = IpAddress.parse("203.0.113.92");
    String imitation = "] from ip " + Addresses.VICTIM4;
    String head =
        "2024-05-01 10:00:01.123456 97.63% [WARNING] sofia_reg.c:1792 SIP auth failure (REGISTER)"
            + " on sofia profile 'internal' for [";
    // rsyslog: the message up to its limit; the relay: the packet, header and all, to 1024 bytes
    String packetHeader = "<12>May  1 10:00:01 freeswitch[812]: ";
    int[] room = {AsteriskLog.RSYSLOG_MAX, AsteriskLog.RFC3164_MAX - packetHeader.length()};
    for (int keep : room) {
      String user = "A".repeat(keep - head.length() - imitation.length()) + imitation;
      String data = head + user + "@example.org] from ip " + source;
      String line = "May  1 10:00:01 pbx freeswitch[812]: " + rsyslog(data).substring(0, keep);
      org.assertj.core.api.Assertions.assertThat(line).endsWith(imitation);
      new GeneratedCase("FS-F1 cut at " + keep, List.of(line), false, source, Expect.NOTHING)
          .check(SYSLOG);
    }
  }

  /** mod_logfile writes the message as it is: the file's lines, as the tailer reads them. */
  static List<String> physicalLines(String data) {
    List<String> lines = new ArrayList<>();
    for (String l : data.split("\n", -1)) {
      lines.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
    }
    return lines;
  }

  /** rsyslog's default: control characters written as #ooo (a line break is #012). */
  static String rsyslog(String message) {
    StringBuilder out = new StringBuilder(message.length());
    message
        .codePoints()
        .forEach(
            c -> {
              if (c < 0x20) {
                out.append('#').append(String.format("%03o", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  private static ShippedFilter filterFor(GeneratedCase c) {
    if (c.what().contains("SYSLOG")) {
      return SYSLOG;
    }
    return c.journal() ? JOURNAL : FILE;
  }

  @Test
  void everyFreeSwitchLine_takesOnlyTheSource_andFindsItWhenTheRecordFits() {
    Properties.check(
        "FreeSwitchDetectionTest.everyFreeSwitchLine_takesOnlyTheSource_andFindsItWhenTheRecordFits",
        6000,
        cases(),
        c -> {
          CaseCounter.count("freeswitch");
          c.check(filterFor(c));
        });
  }

  @Test
  void toUserEndingALineWithAVictim_isReadFromTheRecordsEnd() {
    IpAddress source = IpAddress.parse("203.0.113.90");
    Fields f = new Fields(Hostile.fill("x] from ip {victim}\n y"), "example.org", "", "", "");
    GeneratedCase c = build(ROWS.get(0), Style.FILE_L2, source, 5060, f);
    org.assertj.core.api.Assertions.assertThat(c.lines()).hasSize(3);
    c.check(FILE).failureFrom(source);
  }

  @Test
  void foldedLineImitatingARegisterAclRejection_isNoRecord() {
    IpAddress source = IpAddress.parse("203.0.113.91");
    Fields f = new Fields("", "", "", "", Hostile.fill(WHOLE_LINES.get(6)));
    build(ROWS.get(10), Style.FILE_L2, source, 5060, f).check(FILE).nothing();
  }

  // regression, found by the generated cases: a 10 kB realm overflowed the regex stack
  // ((?:[^"\n]|\n[ \t])*
  // recursed once per character in java.util.regex)
  @Test
  void tenKilobyteRealm_isReadWithoutOverflowingTheStack() {
    IpAddress source = IpAddress.parse("203.0.113.9");
    String realm =
        "A".repeat(10_240)
            + Hostile.fill("{victim}\n You must define a domain called 'x' in your directory");
    Fields f = new Fields("", "", ">a\u201c'", realm, "");
    build(ROWS.get(2), Style.FILE_L1, source, 5060, f).check(FILE).failureFrom(source);
    // through syslog the 10 kB line is longer than rsyslog keeps: the source or nothing
    build(ROWS.get(2), Style.SYSLOG_BSD, source, 5060, f).check(SYSLOG).takesOnly(source);
  }

  @AfterAll
  static void report() {
    System.out.println(CaseCounter.report("freeswitch"));
  }
}
