package io.portcullis.detection;

import io.portcullis.detection.GeneratedCase.Expect;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped sshd filter against every template of docs/filters/sshd.md, in every log style (BSD
 * and RFC 3339 syslog, the journal; sshd and sshd-session), with the client's user name, key offer
 * and disconnect message filled with hostile bytes and written as sshd writes them: cut to their
 * printf precision, encoded by strnvis (twice for the preauth child's lines, whose monitor adds "
 * [preauth]"), the message cut at 500 characters by syslog. A failure or success is found unless
 * the message was cut; a line of class "neither" gives nothing; no line ever names anyone but the
 * client.
 */
class SshdDetectionTest {
  private static final ShippedFilter NORMAL = ShippedFilter.load("sshd");
  private static final ShippedFilter AGGRESSIVE =
      ShippedFilter.load("sshd", Map.of("mode", "aggressive"));
  private static final String SERVER = Addresses.SERVER4.toString();

  /** Whose process writes a line: the monitor, its preauth child (" [preauth]"), the listener. */
  enum Writer {
    MONITOR,
    PREAUTH,
    LISTENER
  }

  /** A template of docs/filters/sshd.md: its class in each mode and how sshd formats it. */
  record Row(String id, Writer writer, Expect normal, Expect aggressive, Format format) {}

  /** The message as sshd formats it, with the client's raw text (one char per byte). */
  interface Format {
    String text(String addr, int port, String user, String client);
  }

  static final List<Row> ROWS =
      List.of(
          new Row(
              "S-F1 password",
              Writer.MONITOR,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) -> "Failed password for " + u + " from " + a + " port " + p + " ssh2"),
          new Row(
              "S-F1 invalid user",
              Writer.MONITOR,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "Failed password for invalid user " + u + " from " + a + " port " + p + " ssh2"),
          new Row(
              "S-F1 keyboard-interactive/bsdauth",
              Writer.MONITOR,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "Failed keyboard-interactive/bsdauth for invalid user "
                      + u
                      + " from "
                      + a
                      + " port "
                      + p
                      + " ssh2"),
          new Row(
              "S-F1 publickey of an invalid user",
              Writer.MONITOR,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "Failed publickey for invalid user "
                      + u
                      + " from "
                      + a
                      + " port "
                      + p
                      + " ssh2: RSA SHA256:Hs8lcHCXHbKUzOm4SwFFYUt1KuB0OFcZvO6P7GaQWOg"),
          new Row(
              "S-F2",
              Writer.MONITOR,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) -> "Invalid user " + u + " from " + a + " port " + p),
          new Row(
              "S-F3",
              Writer.MONITOR,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) -> "User bob from " + a + " not allowed because listed in DenyUsers"),
          new Row(
              "S-F4",
              Writer.PREAUTH,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "error: maximum authentication attempts exceeded for invalid user "
                      + u
                      + " from "
                      + a
                      + " port "
                      + p
                      + " ssh2"),
          new Row(
              "S-F5",
              Writer.PREAUTH,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) -> "ROOT LOGIN REFUSED FROM " + a + " port " + p),
          new Row(
              "S-F6",
              Writer.MONITOR,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "error: PAM: Authentication failure for illegal user " + u + " from " + a),
          new Row(
              "S-F7",
              Writer.LISTENER,
              Expect.FAILURE,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "drop connection #3 from ["
                      + a
                      + "]:"
                      + p
                      + " on ["
                      + SERVER
                      + "]:22 penalty: failed authentication"),
          new Row(
              "S-A1",
              Writer.PREAUTH,
              Expect.NOTHING,
              Expect.FAILURE,
              (a, p, u, c) -> "Connection closed by invalid user " + u + " " + a + " port " + p),
          new Row(
              "S-A2",
              Writer.PREAUTH,
              Expect.NOTHING,
              Expect.FAILURE,
              (a, p, u, c) -> "Disconnected from authenticating user root " + a + " port " + p),
          new Row(
              "S-A3",
              Writer.MONITOR,
              Expect.NOTHING,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "banner exchange: Connection from " + a + " port " + p + ": invalid format"),
          new Row(
              "S-A4",
              Writer.PREAUTH,
              Expect.NOTHING,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "Unable to negotiate with "
                      + a
                      + " port "
                      + p
                      + ": no matching key exchange method found. Their offer: "
                      + c),
          new Row(
              "S-A5",
              Writer.MONITOR,
              Expect.NOTHING,
              Expect.FAILURE,
              (a, p, u, c) -> "fatal: Timeout before authentication for " + a + " port " + p),
          new Row(
              "S-A6",
              Writer.PREAUTH,
              Expect.NOTHING,
              Expect.FAILURE,
              (a, p, u, c) -> "Received disconnect from " + a + " port " + p + ":11: " + c),
          new Row(
              "S-A7",
              Writer.LISTENER,
              Expect.NOTHING,
              Expect.FAILURE,
              (a, p, u, c) ->
                  "drop connection #3 from ["
                      + a
                      + "]:"
                      + p
                      + " on ["
                      + SERVER
                      + "]:22 penalty: connections without attempting authentication"),
          new Row(
              "S-S1",
              Writer.MONITOR,
              Expect.SUCCESS,
              Expect.SUCCESS,
              (a, p, u, c) ->
                  "Accepted publickey for alice from "
                      + a
                      + " port "
                      + p
                      + " ssh2: ED25519 SHA256:Hs8lcHCXHbKUzOm4SwFFYUt1KuB0OFcZvO6P7GaQWOg"),
          new Row(
              "S-N1 none",
              Writer.MONITOR,
              Expect.NOTHING,
              Expect.NOTHING,
              (a, p, u, c) ->
                  "Failed none for invalid user " + u + " from " + a + " port " + p + " ssh2"),
          new Row(
              "S-N1 key of a valid user",
              Writer.MONITOR,
              Expect.NOTHING,
              Expect.NOTHING,
              (a, p, u, c) ->
                  "Failed publickey for alice from "
                      + a
                      + " port "
                      + p
                      + " ssh2: ED25519 SHA256:Hs8lcHCXHbKUzOm4SwFFYUt1KuB0OFcZvO6P7GaQWOg"),
          new Row(
              "S-N2",
              Writer.MONITOR,
              Expect.NOTHING,
              Expect.NOTHING,
              (a, p, u, c) ->
                  "Failed keyboard-interactive/pam for invalid user "
                      + u
                      + " from "
                      + a
                      + " port "
                      + p
                      + " ssh2"),
          new Row(
              "S-N4",
              Writer.MONITOR,
              Expect.NOTHING,
              Expect.NOTHING,
              (a, p, u, c) -> "Connection closed by " + a + " port " + p),
          new Row(
              "S-N5",
              Writer.PREAUTH,
              Expect.NOTHING,
              Expect.NOTHING,
              (a, p, u, c) ->
                  "Disconnecting invalid user "
                      + u
                      + " "
                      + a
                      + " port "
                      + p
                      + ": Too many authentication failures"),
          new Row(
              "S-N6",
              Writer.LISTENER,
              Expect.NOTHING,
              Expect.NOTHING,
              (a, p, u, c) ->
                  "drop connection #3 from ["
                      + a
                      + "]:"
                      + p
                      + " on ["
                      + SERVER
                      + "]:22 past Maxstartups"),
          new Row(
              "S-N8",
              Writer.MONITOR,
              Expect.NOTHING,
              Expect.NOTHING,
              (a, p, u, c) ->
                  "pam_unix(sshd:auth): authentication failure; logname= uid=0"
                      + " euid=0 tty=ssh ruser= rhost="
                      + a
                      + "  user=root"));

  /** S-L1 to S-L4. */
  enum Style {
    BSD_SSHD,
    BSD_SESSION,
    RFC3339,
    JOURNAL
  }

  /** Other recognised lines naming a victim, for the client to write into its fields. */
  static final List<String> WHOLE_LINES =
      List.of(
          "Failed password for root from {victim} port 22 ssh2",
          "Invalid user x from {victim} port 22",
          "May  1 10:00:01 host sshd[1]: Failed password for root from {victim} port 22 ssh2",
          "host sshd[1]: Accepted password for root from {victim6} port 22 ssh2",
          " from {victim} port 22 ssh2 [preauth]",
          "\ndrop connection #1 from [{victim}]:22 on [{server}]:22 penalty: failed authentication");

  static Gen<GeneratedCase> cases() {
    Gen<String> hostile = Hostile.values(Alphabet.ANY, WHOLE_LINES);
    Gen<Row> rows = Gen.of(ROWS);
    Gen<Style> styles = Gen.of(Style.values());
    Gen<Boolean> aggressive = Gen.booleans();
    Gen<IpAddress> sources = Addresses.sources();
    Gen<Integer> ports = Addresses.ports();
    return d ->
        build(
            rows.next(d),
            styles.next(d),
            aggressive.next(d),
            sources.next(d),
            ports.next(d),
            hostile.next(d),
            hostile.next(d));
  }

  private static GeneratedCase build(
      Row row,
      Style style,
      boolean aggressive,
      IpAddress source,
      int port,
      String user,
      String client) {
    // the user is cut to %.100s (187 bytes in the preamble of S-A1), the client's text to %.400s
    String u = bytes(user, row.id().equals("S-A1") ? 187 : 100);
    String c = bytes(client, 400);
    String message = row.format().text(source.toString(), port, u, c);
    message = vis(message);
    if (row.writer() == Writer.PREAUTH) {
      String level = "";
      if (message.startsWith("error: ")) {
        level = "error: ";
        message = message.substring(level.length());
      }
      message = level + vis(message + " [preauth]");
    }
    Expect expect = aggressive ? row.aggressive() : row.normal();
    if (message.length() > 500) {
      message = message.substring(0, 500);
      if (expect != Expect.NOTHING) {
        expect = Expect.SOURCE_OR_NOTHING;
      }
    }
    String ident =
        row.writer() == Writer.LISTENER || style == Style.BSD_SSHD
            ? "sshd[900]"
            : "sshd-session[1001]";
    String what = row.id() + " (" + style + (aggressive ? ", aggressive)" : ")");
    return switch (style) {
      case BSD_SSHD, BSD_SESSION ->
          new GeneratedCase(
              what,
              List.of("May  1 10:00:01 host " + ident + ": " + message),
              false,
              source,
              expect);
      case RFC3339 ->
          new GeneratedCase(
              what,
              List.of("2024-05-01T10:00:01.123456+02:00 host " + ident + ": " + message),
              false,
              source,
              expect);
      case JOURNAL ->
          new GeneratedCase(what, List.of("host " + ident + ": " + message), true, source, expect);
    };
  }

  /** The text as bytes (one char each), cut to a printf precision. */
  static String bytes(String text, int precision) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return new String(b, 0, Math.min(b.length, precision), StandardCharsets.ISO_8859_1);
  }

  /** log.c's strnvis(VIS_CSTYLE | VIS_NL | VIS_TAB | VIS_OCTAL), over bytes. */
  static String vis(String bytes) {
    StringBuilder out = new StringBuilder(bytes.length());
    for (int i = 0; i < bytes.length(); i++) {
      char c = bytes.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        case 0 -> out.append("\\000");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            out.append(c);
          } else {
            out.append('\\').append(String.format("%03o", (int) c));
          }
        }
      }
    }
    return out.toString();
  }

  @Test
  void everySshdLine_takesOnlyTheSource_andFindsItWhereTheLineWasNotCut() {
    Properties.check(
        "SshdDetectionTest.everySshdLine_takesOnlyTheSource_andFindsItWhereTheLineWasNotCut",
        5000,
        cases(),
        c -> {
          CaseCounter.count("sshd");
          c.check(c.what().contains("aggressive") ? AGGRESSIVE : NORMAL);
        });
  }

  @Test
  void userImitatingTheTail_isReadFromTheEnd() {
    IpAddress source = IpAddress.parse("203.0.113.5");
    build(
            ROWS.get(1),
            Style.BSD_SSHD,
            false,
            source,
            4711,
            Hostile.fill("x from {victim} port 22 ssh2"),
            "")
        .check(NORMAL);
  }

  @Test
  void preauthLineCutAt500_isNotRead() {
    IpAddress source = IpAddress.parse("2001:db8:66::ffff:ffff");
    // 80 control bytes take 400 characters after the double encoding: the address is cut off
    GeneratedCase c =
        build(ROWS.get(6), Style.BSD_SSHD, false, source, 65535, "\u0001".repeat(80), "");
    org.assertj.core.api.Assertions.assertThat(c.expect()).isEqualTo(Expect.SOURCE_OR_NOTHING);
    c.check(NORMAL).nothing();
  }

  @AfterAll
  static void report() {
    System.out.println(CaseCounter.report("sshd"));
  }
}
