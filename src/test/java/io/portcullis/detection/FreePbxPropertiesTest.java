package io.portcullis.detection;

import io.portcullis.net.IpAddress;
import java.util.List;
import java.util.regex.Matcher;
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
    /** 15 and later with AMPSYSLOGLEVEL: Monolog's SyslogHandler, then rsyslog. */
    MONOLOG_SYSLOG
  }

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
        case MONOLOG_SYSLOG ->
            List.of(
                AsteriskLog.asRead(
                    "May  1 10:00:01 pbx freepbx_security[2101]: "
                        + AsteriskLog.rsyslogEscape("[2024-05-01 10:00:01] " + monolog())));
      };
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

  @Provide
  Arbitrary<Case> cases() {
    return Combinators.combine(
            Arbitraries.of(Row.values()),
            Arbitraries.of(Shape.values()),
            Hostile.values(AsteriskInventory.BYTES, OTHER_LINES),
            Addresses.sources())
        .as(Case::new);
  }

  @Property(tries = 3_000)
  void everyRow_inEveryShape_givesTheSourceOrNothing_neverAVictim(@ForAll("cases") Case c) {
    CaseCounter.count("freepbx");
    check(c);
  }

  @Example
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
    switch (c.row()) {
      case F1 -> v.failureFrom(c.source());
      case F2 -> v.successFrom(c.source());
      case F3 -> v.nothing();
    }
  }

  @AfterContainer
  static void report() {
    System.out.println(CaseCounter.report("freepbx"));
  }
}
