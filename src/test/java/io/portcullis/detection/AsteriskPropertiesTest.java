package io.portcullis.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.detection.AsteriskInventory.Kind;
import io.portcullis.detection.AsteriskInventory.Source;
import io.portcullis.detection.AsteriskInventory.Template;
import io.portcullis.detection.AsteriskLog.Style;
import io.portcullis.detection.AsteriskLog.Written;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

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

    /**
     * No client value holds the words that stand next to the address, nothing was cut, and the
     * address stands within {@link #REACH} characters of the message start (beyond, the filter
     * cannot tell the line from one a limit cut short: docs/filters/asterisk.md#lines-cut-short).
     */
    boolean oneReading(Written w) {
      if (w.lines().isEmpty() || w.cut() || w.deleted()) {
        return false;
      }
      if (addressOffset(template, written(), src()) > REACH) {
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
      return template
          + " / "
          + style
          + " / df "
          + dateformat
          + " / callid "
          + callid
          + " / "
          + source
          + ":"
          + port
          + " / sent "
          + sent;
    }
  }

  /**
   * How far into the message a template's address may stand and still be found: the filter's {@code
   * __reach} (640) less the longest server-written text between an anchor and the address.
   */
  static final int REACH = 600;

  /** Where the source address starts in a template's message (-1: it holds none). */
  static int addressOffset(Template t, List<String> written, Source source) {
    Source other =
        new Source(
            source.ip().isV4()
                ? IpAddress.parse("198.51.100.77")
                : IpAddress.parse("2001:db8:77::1"),
            source.port() == 1 ? 2 : 1);
    String a = t.message().format(written, source);
    String b = t.message().format(written, other);
    int at = commonPrefix(a, b);
    if (at == a.length() && a.length() == b.length()) {
      return -1;
    }
    // the two addresses may begin alike ("2001:db8:..."): step back over what they share
    return at - commonPrefix(source.ip().toString(), other.ip().toString());
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  static Gen<Case> cases() {
    return Gen.of(AsteriskInventory.ALL).flatMap(AsteriskPropertiesTest::casesOf);
  }

  private static Gen<Case> casesOf(Template t) {
    List<Gen<String>> fields = new ArrayList<>();
    for (AsteriskInventory.Field f : t.fields()) {
      fields.add(Hostile.values(f.alphabet(), OTHER_LINES));
    }
    Gen<List<String>> values = Gen.all(fields);
    Gen<Style> styles = Gen.of(STYLES);
    Gen<IpAddress> sources = Addresses.sources();
    Gen<Integer> ports = Addresses.ports();
    Gen<Integer> dateformats = Gen.ints(0, AsteriskLog.DATEFORMATS.size() - 1);
    Gen<Boolean> callids = Gen.booleans();
    return d ->
        new Case(
            t,
            styles.next(d),
            values.next(d),
            sources.next(d),
            ports.next(d),
            dateformats.next(d),
            callids.next(d));
  }

  @Test
  void everyTemplate_inEveryStyle_givesTheSourceOrNothing_neverAVictim() {
    Properties.check(
        "AsteriskPropertiesTest.everyTemplate_inEveryStyle_givesTheSourceOrNothing_neverAVictim",
        20_000,
        cases(),
        c -> {
          CaseCounter.count("asterisk");
          check(c);
        });
  }

  /** Every template at least once in every style with plain values: each finds its source. */
  @Test
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

  // --- lines a length limit cut short (docs/filters/asterisk.md#lines-cut-short)

  /**
   * A client pads one field so that a length limit (LOGMSG_SIZE, rsyslog's 8k, RFC 3164's 1024
   * bytes) cuts the line right after an imitation of the end of the line Asterisk writes for a
   * victim: the real address is cut away and the line ends like the victim's.
   */
  record CutAttack(
      Template template, int field, boolean padEarlier, Style style, int back, IpAddress source) {
    /** The attack as written, or null when the field cannot carry the imitation to the cut. */
    Written write() {
      IpAddress victim = source.isV4() ? Addresses.VICTIM4 : Addresses.VICTIM6;
      List<String> plain = new ArrayList<>();
      for (int i = 0; i < template.fields().size(); i++) {
        // the fields before this one either plain or as long as Asterisk keeps them
        plain.add(
            padEarlier && i < field ? "B".repeat(template.fields().get(i).maxBytes()) : "100");
      }
      List<String> marked = new ArrayList<>(plain);
      marked.set(field, "QQMARKQQ");
      Source src = new Source(source, 5060);
      String victims = template.message().format(marked, new Source(victim, 5060));
      String imitation;
      if (back < 0) {
        // the rest of the victim's line after this field
        imitation = victims.substring(victims.indexOf("QQMARKQQ") + "QQMARKQQ".length());
      } else {
        int at = addressOffset(template, marked, new Source(victim, 5060)) - back;
        if (at < 0 || at >= victims.length()) {
          return null;
        }
        imitation = victims.substring(at).replace("QQMARKQQ", "100");
      }
      // where the cut falls: fill the field to far beyond every limit
      List<String> full = new ArrayList<>(plain);
      full.set(field, "A".repeat(12_000));
      Written probe = written(full, src);
      if (probe == null || !probe.cut()) {
        return null;
      }
      String line = probe.lines().get(probe.lines().size() - 1);
      int kept = line.length() - line.replaceAll("A+$", "").length();
      if (kept < imitation.length() || kept == 0) {
        return null;
      }
      List<String> attack = new ArrayList<>(plain);
      attack.set(field, "A".repeat(kept - imitation.length()) + imitation);
      return written(attack, src);
    }

    private Written written(List<String> sent, Source src) {
      List<String> w = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        w.add(template.fields().get(i).written(sent.get(i)));
      }
      String message = template.message().format(w, src);
      Written out = AsteriskLog.write(style, template.origin(), message, 1, false);
      return out.lines().isEmpty() ? null : out;
    }

    @Override
    public String toString() {
      return template
          + " field "
          + field
          + (padEarlier ? " (padded before)" : "")
          + " / "
          + style
          + " / back "
          + back
          + " / "
          + source;
    }
  }

  static Gen<CutAttack> cutAttacks() {
    List<Template> withFields =
        AsteriskInventory.ALL.stream().filter(t -> !t.fields().isEmpty()).toList();
    Gen<Boolean> pads = Gen.booleans();
    Gen<Style> styles = Gen.of(STYLES);
    Gen<Integer> backs = Gen.ints(-1, 90);
    Gen<IpAddress> sources = Addresses.sources();
    return Gen.of(withFields)
        .flatMap(
            t ->
                d ->
                    new CutAttack(
                        t,
                        Gen.ints(0, t.fields().size() - 1).next(d),
                        pads.next(d),
                        styles.next(d),
                        backs.next(d),
                        sources.next(d)));
  }

  @Test
  void lineCutRightAfterAnImitatedEnd_neverGivesTheVictim() {
    Properties.check(
        "AsteriskPropertiesTest.lineCutRightAfterAnImitatedEnd_neverGivesTheVictim",
        3_000,
        cutAttacks(),
        a -> {
          CaseCounter.count("asterisk");
          Written w = a.write();
          if (w == null) {
            return;
          }
          Verdict v =
              w.journal()
                  ? FILTER.readJournal(w.lines().get(0), ShippedFilter.NOW)
                  : FILTER.read(w.lines());
          v.takesOnly(a.source());
        });
  }

  /**
   * The cuts that gave the victim before the filter bounded how far into a message an anchor may
   * stand (red team, issue #9): a chan_sip To header (C1), a PJSIP Call-ID in a security event
   * (E1), an AMI user name in one (E3) and a PJSIP method and display name (P1), each padded so
   * that rsyslog's 8k or a relay's 1024 bytes cut the line right after "... 192.0.2.10 ...".
   */
  @Test
  void paddedFields_cutAtTheLimit_endLikeTheVictimsLine_andGiveNothing() {
    IpAddress attacker = IpAddress.parse("203.0.113.5");
    String[][] attacks = {
      {"C1", "0", "0", "SYSLOG_BSD"},
      {"C1", "0", "0", "SYSLOG_1K"},
      {"E1", "0", "1", "SYSLOG_BSD"},
      {"E1", "0", "1", "SYSLOG_1K"},
      {"E1", "1", "0", "SYSLOG_RFC3339"},
      {"E3", "2", "0", "SYSLOG_1K"},
      {"P1a", "0", "1", "SYSLOG_1K"},
    };
    int[] back = {14, 14, -1, -1, -1, -1, 14};
    for (int k = 0; k < attacks.length; k++) {
      String[] at = attacks[k];
      Template t = row(at[0], Integer.parseInt(at[1]));
      CutAttack a =
          new CutAttack(t, Integer.parseInt(at[2]), true, Style.valueOf(at[3]), back[k], attacker);
      Written w = a.write();
      assertThat(w).as(a.toString()).isNotNull();
      String line = w.lines().get(0);
      assertThat(line).as(a.toString()).contains(Addresses.VICTIM4.toString());
      assertThat(line).as(a.toString()).doesNotContain(attacker.toString());
      FILTER.read(w.lines()).nothing();
    }
  }

  // --- what no line reader can answer
  // (docs/filters/asterisk.md#what-a-client-can-write-into-a-line)

  /**
   * An escape byte in the From display name and a Call-ID starting with 'm': term_strip() deletes
   * the real address, and what is left is byte for byte the line Asterisk writes for the victim.
   */
  @Test
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
  @Test
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

  @AfterAll
  static void report() {
    System.out.println(CaseCounter.report("asterisk"));
  }
}
