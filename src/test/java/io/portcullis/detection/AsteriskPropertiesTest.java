package io.portcullis.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.detection.AsteriskInventory.Kind;
import io.portcullis.detection.AsteriskInventory.Source;
import io.portcullis.detection.AsteriskInventory.Template;
import io.portcullis.detection.AsteriskLog.Style;
import io.portcullis.detection.AsteriskLog.Written;
import io.portcullis.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Proof by generation for config/filter.d/asterisk.conf (issue #9): every template of
 * docs/filters/asterisk.md, written in every log style the way Asterisk writes it ({@link
 * AsteriskLog}), with every client-written field filled with hostile values cut to what its
 * protocol allows ({@link AsteriskInventory}). The filter takes the real source or nothing, never a
 * victim (R1, R3); finds the source where the line has one reading; takes nothing from a line of
 * class neither (R2, R4); and gives the source of every success line (R5).
 *
 * <p>Two things a client can do are outside what any line reader can answer, and are shown as such
 * by the examples at the end (docs/filters/asterisk.md#what-a-client-can-write-into-a-line): a raw
 * newline in the file channel writes a whole line of the client's, and an escape byte makes
 * term_strip() delete server-written text in the text channels. The property therefore leaves the
 * escape byte out of the text styles and the newline out of the file styles; in the json formatter
 * (decoded by the engine's jsonline) both stay inside their field and are generated.
 */
class AsteriskPropertiesTest {
  private static final ShippedFilter FILTER = ShippedFilter.load("asterisk");

  /** The styles written: every channel and formatter of main/logger.c, syslog, the journal. */
  static final List<Style> STYLES = List.of(Style.values());

  /** Lines of other templates that name a victim, written whole into a field. */
  private static final List<String> OTHER_LINES =
      List.of(
          "Request 'REGISTER' from '<sip:100@{victim}>' failed for '{victim}:5060' (callid: 1) - Failed to authenticate",
          "Registration from '<sip:100@x>' failed for '{victim}:5060' - Wrong password",
          "Host [{victim6}]:4569 failed to authenticate as 100",
          "{victim} failed to authenticate as 'admin'",
          "SIP ACL: Rejecting '{victim}' due to a failure to pass ACL '(BASELINE)'",
          "SecurityEvent=\"InvalidPassword\",EventTV=\"2024-05-01T10:00:01.123+0200\",Severity=\"Error\",Service=\"AMI\",EventVersion=\"2\",AccountID=\"a\",SessionID=\"0x1\",LocalAddress=\"IPV4/TCP/{server}/5038\",RemoteAddress=\"IPV4/TCP/{victim}/5038\"",
          "[2024-05-01 10:00:01] NOTICE[2330] res_pjsip/pjsip_distributor.c: Request 'INVITE' from '<sip:1@x>' failed for '{victim}:5060' (callid: 1) - No matching endpoint found",
          "pbx asterisk[2301]: NOTICE[2350]: chan_iax2.c:8413 in register_verify: No registration for peer 'x' (from {victim})",
          "{\"hostname\":\"pbx\",\"timestamp\":\"2024-05-01 10:00:01\",\"identifiers\":{\"lwp\":1,\"callid\":\"\"},\"logmsg\":{\"location\":{\"filename\":\"manager.c\",\"function\":\"authenticate\",\"line\":2328},\"level\":\"NOTICE\",\"message\":\"{victim} failed to authenticate as 'admin'\\n\"}}");

  /** One generated case: a template, a style, what the client sent, and the real source. */
  record Case(
      Template template,
      Style style,
      List<String> sent,
      IpAddress source,
      int port,
      int dateformat,
      boolean callid) {

    Source src() {
      return new Source(source, port);
    }

    /** The client's values as Asterisk writes them, cut to what this style lets through. */
    List<String> written() {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        String v = sent.get(i);
        if (style.stripsEscapes()) {
          v = v.replace(String.valueOf(AsteriskLog.ESC), "");
        }
        if (style.splitsAtNewline()) {
          v = v.replace("\n", "");
        }
        out.add(template.fields().get(i).written(v));
      }
      return out;
    }

    Written write() {
      String message = template.message().format(written(), src());
      return AsteriskLog.write(style, template.origin(), message, dateformat, callid);
    }

    /** No client value holds the words that stand next to the address, and nothing was cut. */
    boolean oneReading(Written w) {
      if (w.lines().isEmpty() || w.cut() || w.deleted()) {
        return false;
      }
      for (String v : written()) {
        for (String anchor : template.anchors()) {
          if (v.contains(anchor)) {
            return false;
          }
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return template + " / " + style + " / df " + dateformat + " / " + source + ":" + port;
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    return Arbitraries.of(AsteriskInventory.ALL).flatMap(this::casesOf);
  }

  private Arbitrary<Case> casesOf(Template t) {
    List<Arbitrary<String>> fields = new ArrayList<>();
    for (AsteriskInventory.Field f : t.fields()) {
      fields.add(Hostile.values(f.alphabet(), OTHER_LINES));
    }
    Arbitrary<List<String>> values =
        fields.isEmpty()
            ? Arbitraries.just(List.of())
            : Combinators.combine(fields).as(List::copyOf);
    return Combinators.combine(
            values,
            Arbitraries.of(STYLES),
            Addresses.sources(),
            Addresses.ports(),
            Arbitraries.integers().between(0, AsteriskLog.DATEFORMATS.size() - 1),
            Arbitraries.of(true, false))
        .as((v, style, ip, port, df, cid) -> new Case(t, style, v, ip, port, df, cid));
  }

  @Property(tries = 20_000)
  void everyTemplate_inEveryStyle_givesTheSourceOrNothing_neverAVictim(@ForAll("cases") Case c) {
    CaseCounter.count("asterisk");
    check(c);
  }

  /** Every template at least once in every style with plain values: each finds its source. */
  @Example
  void everyTemplate_inEveryStyle_withPlainValues_findsItsSource() {
    IpAddress v4 = IpAddress.parse("203.0.113.5");
    IpAddress v6 = IpAddress.parse("2001:db8:66::5");
    for (Template t : AsteriskInventory.ALL) {
      for (Style style : STYLES) {
        for (IpAddress ip : List.of(v4, v6)) {
          List<String> sent = new ArrayList<>();
          t.fields().forEach(f -> sent.add("100"));
          CaseCounter.count("asterisk");
          check(new Case(t, style, sent, ip, 5060, style.ordinal() % 5, ip.isV4()));
        }
      }
    }
  }

  private static void check(Case c) {
    Written w = c.write();
    if (w.lines().isEmpty()) {
      return;
    }
    Verdict verdict =
        w.journal()
            ? FILTER.readJournal(w.lines().get(0), ShippedFilter.NOW)
            : FILTER.read(w.lines());
    verdict.takesOnly(c.source());
    Kind kind = c.template().kind();
    if (kind == Kind.NEITHER) {
      verdict.nothing();
    } else if (c.oneReading(w)) {
      if (kind == Kind.FAILURE) {
        verdict.failureFrom(c.source());
      } else {
        verdict.successFrom(c.source());
      }
    }
  }

  // --- what no line reader can answer
  // (docs/filters/asterisk.md#what-a-client-can-write-into-a-line)

  /**
   * An escape byte in the From display name and a Call-ID starting with 'm': term_strip() deletes
   * the real address, and what is left is byte for byte the line Asterisk writes for the victim.
   */
  @Example
  void escapeByte_inTheTextChannels_leavesTheLineAsteriskWritesForTheVictim() {
    Template p1a = row("P1a", 0);
    IpAddress attacker = IpAddress.parse("203.0.113.5");
    List<String> attack =
        List.of(
            "REGISTER",
            "x" + AsteriskLog.ESC,
            "100",
            "198.51.100.1",
            "",
            "m\" <sip:100@198.51.100.1>' failed for '192.0.2.10:5060' (callid: z");
    List<String> genuine = List.of("REGISTER", "x", "100", "198.51.100.1", "", "z");
    for (Style style : List.of(Style.FILE_DEFAULT, Style.SYSLOG_BSD, Style.JOURNAL)) {
      Written forged = raw(p1a, style, attack, attacker, 5060);
      Written victims = raw(p1a, style, genuine, Addresses.VICTIM4, 5060);
      assertThat(forged.deleted()).isTrue();
      assertThat(forged.lines()).as(style.toString()).isEqualTo(victims.lines());
    }
    // the json formatter escapes the byte before term_strip runs: the real address stays, and
    // with two "' failed for '" the line has no address at all
    Written json = raw(p1a, Style.JSON, attack, attacker, 5060);
    assertThat(json.deleted()).isFalse();
    FILTER.read(json.lines()).nothing();
  }

  /** A raw newline in an IAX2 user name: the file channel holds a whole line of the client's. */
  @Example
  void rawNewline_inTheFileChannel_writesAWholeLineOfTheClients_theOtherStylesKeepItInside() {
    Template i1 = row("I1", 1);
    IpAddress attacker = IpAddress.parse("203.0.113.5");
    String victimLine =
        "[May  1 10:00:01] WARNING[2330] chan_iax2.c: Host 192.0.2.10:4569 failed to authenticate as y";
    Written file = raw(i1, Style.FILE_DEFAULT, List.of("x\n" + victimLine), attacker, 4569);
    assertThat(file.lines()).hasSize(2).last().isEqualTo(victimLine);
    for (Style style : List.of(Style.SYSLOG_BSD, Style.SYSLOG_RFC3339, Style.JOURNAL, Style.JSON)) {
      Case c = new Case(i1, style, List.of("x\n" + victimLine), attacker, 4569, 0, false);
      check(c);
      Written w = c.write();
      Verdict v =
          w.journal()
              ? FILTER.readJournal(w.lines().get(0), ShippedFilter.NOW)
              : FILTER.read(w.lines());
      v.failureFrom(attacker);
    }
  }

  private static Template row(String row, int nth) {
    return AsteriskInventory.ALL.stream()
        .filter(t -> t.row().equals(row))
        .skip(nth)
        .findFirst()
        .orElseThrow();
  }

  /** Writes a case with the values exactly as sent (no style cut), as Asterisk would. */
  private static Written raw(
      Template t, Style style, List<String> sent, IpAddress source, int port) {
    List<String> written = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      written.add(t.fields().get(i).written(sent.get(i)));
    }
    String message = t.message().format(written, new Source(source, port));
    return AsteriskLog.write(style, t.origin(), message, 0, false);
  }

  @AfterContainer
  static void report() {
    System.out.println(CaseCounter.report("asterisk"));
  }
}
