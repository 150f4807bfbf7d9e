package io.portcullis.detection;

import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Proof by generation for config/filter.d/freepbx.conf: every row of docs/filters/freepbx.md in
 * every shape FreePBX writes its security log, the user name filled with hostile values. The
 * address is the source or nothing, never a victim; F1 and F2 find the source; F3, whose address
 * comes from a header the client writes, gives nothing.
 */
class FreePbxPropertiesTest {
  private static final ShippedFilter FILTER = ShippedFilter.load("freepbx");

  /** Where freepbx_log_security writes (docs/filters/freepbx.md#how-freepbx-writes-a-line). */
  enum Shape {
    /** 14 and earlier: "[Y-m-d H:i:s] txt", written raw. */
    OLD_FILE,
    /** 15 and later: Monolog's LineFormatter into the file. */
    MONOLOG_FILE,
    /** 15 and later with AMPSYSLOGLEVEL: Monolog's SyslogHandler, then rsyslog (8k). */
    MONOLOG_SYSLOG,
    /** The same through a relay that keeps RFC 3164's 1024 bytes a packet. */
    MONOLOG_SYSLOG_1K
  }

  /** The longest user name the filter reads (freepbx.conf __user). */
  static final int USER_MAX = 640;

  enum Row {
    F1("Authentication failure for %s from %s"),
    F2("Authentication successful for %s from %s"),
    F3("Possible proxy detected, forwarded headers for%s set to %s");

    final String template;

    Row(String template) {
      this.template = template;
    }
  }

  private static final List<String> OTHER_LINES =
      List.of(
          "[2024-05-01 10:00:01] Authentication failure for admin from {victim}",
          "[2024-05-01 10:00:01] [freepbx_security.NOTICE]: Authentication failure for admin from {victim} [] []",
          "admin from {victim} [] []",
          "x %context% %extra% %datetime% %context.a% from {victim6}");

  record Case(Row row, Shape shape, String user, IpAddress source) {
    /** The text freepbx_log_security is given. */
    String message() {
      String address = row == Row.F3 ? Addresses.VICTIM4.toString() : source.toString();
      return row.template.formatted(user.isEmpty() ? "unknown" : user, address);
    }

    List<String> lines() {
      return switch (shape) {
        case OLD_FILE -> {
          // written raw; a newline would end the line (the file channel's limit, left out here)
          String line = "[2024-05-01 10:00:01] " + message().replace("\n", "");
          yield List.of(AsteriskLog.asRead(line));
        }
        case MONOLOG_FILE -> List.of(AsteriskLog.asRead("[2024-05-01 10:00:01] " + monolog()));
        case MONOLOG_SYSLOG, MONOLOG_SYSLOG_1K ->
            List.of(
                AsteriskLog.asRead(
                    "May  1 10:00:01 pbx freepbx_security[2101]: "
                        + AsteriskLog.rsyslogEscape(syslogged())));
      };
    }

    /** What reaches rsyslog of Monolog's syslog(3) message, after the limit of the shape. */
    String syslogged() {
      String text = "[2024-05-01 10:00:01] " + monolog();
      if (shape == Shape.MONOLOG_SYSLOG_1K) {
        String header = "<14>May  1 10:00:01 freepbx_security[2101]: ";
        return AsteriskLog.fit(header + text, AsteriskLog.RFC3164_MAX).substring(header.length());
      }
      return AsteriskLog.fit(text, AsteriskLog.RSYSLOG_MAX);
    }

    /**
     * The line has one reading: nothing was cut and the name stays within the filter's {@link
     * #USER_MAX} characters even when rsyslog writes each of its characters as four ("#ooo").
     */
    boolean oneReading() {
      boolean cut =
          (shape == Shape.MONOLOG_SYSLOG || shape == Shape.MONOLOG_SYSLOG_1K)
              && !syslogged().endsWith(" [] []");
      return user.codePointCount(0, user.length()) * 4 <= USER_MAX && !cut;
    }

    /**
     * Monolog's LineFormatter: newlines in the message become spaces, %message% is filled first,
     * the other placeholders after it (also inside the message), leftover %context.x% and %extra.x%
     * are removed.
     */
    String monolog() {
      String message = message().replace("\r\n", " ").replace("\r", " ").replace("\n", " ");
      String out = "[freepbx_security.NOTICE]: %message% %context% %extra%";
      out = out.replace("%message%", message);
      String[][] vars = {
        {"%context%", "[]"},
        {"%level%", "250"},
        {"%level_name%", "NOTICE"},
        {"%channel%", "freepbx_security"},
        {"%datetime%", "2024-05-01 10:00:01"},
        {"%extra%", "[]"}
      };
      for (String[] v : vars) {
        out = out.replace(v[0], v[1]);
      }
      return LEFTOVER.matcher(out).replaceAll(Matcher.quoteReplacement(""));
    }
  }

  private static final Pattern LEFTOVER = Pattern.compile("%(?:extra|context)\\..+?%");

  static Gen<Case> cases() {
    Gen<Row> rows = Gen.of(Row.values());
    Gen<Shape> shapes = Gen.of(Shape.values());
    Gen<String> users = Hostile.values(AsteriskInventory.BYTES, OTHER_LINES);
    Gen<IpAddress> sources = Addresses.sources();
    return d -> new Case(rows.next(d), shapes.next(d), users.next(d), sources.next(d));
  }

  @Test
  void everyRow_inEveryShape_givesTheSourceOrNothing_neverAVictim() {
    Properties.check(
        "FreePbxPropertiesTest.everyRow_inEveryShape_givesTheSourceOrNothing_neverAVictim",
        3_000,
        cases(),
        c -> {
          CaseCounter.count("freepbx");
          check(c);
        });
  }

  @Test
  void everyRow_inEveryShape_withAPlainName_findsItsSource() {
    for (Row row : Row.values()) {
      for (Shape shape : Shape.values()) {
        for (String ip : List.of("203.0.113.5", "2001:db8:66::5")) {
          CaseCounter.count("freepbx");
          check(new Case(row, shape, "admin", IpAddress.parse(ip)));
        }
      }
    }
  }

  private static void check(Case c) {
    Verdict v = FILTER.read(c.lines());
    v.takesOnly(c.source());
    if (c.row() == Row.F3) {
      v.nothing();
    } else if (c.oneReading()) {
      if (c.row() == Row.F1) {
        v.failureFrom(c.source());
      } else {
        v.successFrom(c.source());
      }
    }
  }

  /**
   * A user name padded so that the syslog limit cuts the line right after an imitated "from
   * <victim> [] []" gave the victim before the filter bounded the name (red team, issue #9).
   */
  @Test
  void userPaddedToTheSyslogLimit_endingInTheVictim_givesNothing() {
    IpAddress attacker = IpAddress.parse("203.0.113.5");
    String imitation = " from " + Addresses.VICTIM4 + " [] []";
    for (Shape shape : List.of(Shape.MONOLOG_SYSLOG, Shape.MONOLOG_SYSLOG_1K)) {
      Case probe = new Case(Row.F1, shape, "A".repeat(12_000), attacker);
      String cut = probe.syslogged();
      int kept = cut.length() - cut.replaceAll("A+$", "").length();
      Case attack =
          new Case(Row.F1, shape, "A".repeat(kept - imitation.length()) + imitation, attacker);
      List<String> lines = attack.lines();
      org.assertj.core.api.Assertions.assertThat(lines.get(0)).endsWith(imitation);
      FILTER.read(lines).nothing();
    }
  }

  @AfterAll
  static void report() {
    System.out.println(CaseCounter.report("freepbx"));
  }
}
