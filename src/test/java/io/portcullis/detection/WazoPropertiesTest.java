package io.portcullis.detection;

import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Proof by generation for config/filter.d/wazo.conf: every row of docs/filters/wazo.md, the
 * client-written fields (Basic auth user, query, referer, user agent, login) filled with hostile
 * values, escaped as nginx escapes them in its access log and written raw by wazo-auth. The address
 * is the source or nothing, never a victim; failures and successes find the source where the line
 * has one reading; the other rows give nothing.
 */
class WazoPropertiesTest {
  private static final ShippedFilter FILTER = ShippedFilter.load("wazo");

  enum Row {
    /** nginx: the token request refused. */
    W1(AsteriskInventory.Kind.FAILURE),
    /** nginx: a token handed out. */
    W2(AsteriskInventory.Kind.SUCCESS),
    /** nginx: another API refused a token. */
    W5(AsteriskInventory.Kind.NEITHER),
    /** nginx: the rate limit. */
    W6(AsteriskInventory.Kind.NEITHER),
    /** wazo-auth: wrong password. */
    W3(AsteriskInventory.Kind.FAILURE),
    /** wazo-auth: unknown login. */
    W3U(AsteriskInventory.Kind.FAILURE),
    /** wazo-auth: an unknown refresh token. */
    W3N(AsteriskInventory.Kind.NEITHER),
    /** wazo-auth: a token handed out. */
    W4(AsteriskInventory.Kind.SUCCESS);

    final AsteriskInventory.Kind kind;

    Row(AsteriskInventory.Kind kind) {
      this.kind = kind;
    }

    boolean nginx() {
      return ordinal() <= W6.ordinal();
    }
  }

  private static final List<String> OTHER_LINES =
      List.of(
          "{victim} - - [01/May/2024:10:00:01 +0200] \"POST /api/auth/0.1/token HTTP/1.1\" 401 75 \"-\" \"-\"",
          "x [01/May/2024:09:00:00 +0200] \"POST /api/auth/0.1/token HTTP/1.1\" 401 75",
          "x from {victim} using agent \"y\"",
          "2024-05-01 10:00:01,123 [1] (INFO) (wazo_auth.plugins.http.tokens.http): Failed login: unknown username or password for login x from {victim} using agent \"y\"");

  record Case(Row row, String user, String query, String agent, String referer, IpAddress source) {

    List<String> lines() {
      if (row.nginx()) {
        String status =
            switch (row) {
              case W1 -> "401";
              case W2 -> "200";
              case W5 -> "401";
              default -> "429";
            };
        String uri = row == Row.W5 ? "/api/confd/1.1/users" : "/api/auth/0.1/token";
        String q = query.replace(" ", "").replace("\r", "").replace("\n", "");
        String request =
            (row == Row.W5 ? "GET " : "POST ") + uri + (q.isEmpty() ? "" : "?" + q) + " HTTP/1.1";
        String line =
            source
                + " - "
                + (user.isEmpty() ? "-" : nginx(user))
                + " [01/May/2024:10:00:01 +0200] \""
                + nginx(request)
                + "\" "
                + status
                + " 75 \""
                + nginx(referer)
                + "\" \""
                + nginx(agent)
                + "\" \"wazo-auth\" 312 1714550401.123 0.012 127.0.0.1:9497 75 0.012 "
                + status;
        return List.of(line);
      }
      // wazo-auth writes through Python logging: a newline in the login would end the line
      // (docs/filters/wazo.md, the file is not the one the jail reads), left out here
      String login = user.replace("\n", "");
      String ua = agent.replace("\r", "").replace("\n", "");
      String message =
          switch (row) {
            case W3 -> "Failed login: unknown username or password for login " + login;
            case W3U -> "Failed login: No such user: \"" + login + "\"";
            case W3N -> "Failed login: unknown refresh_token for client_id \"" + login + "\"";
            default ->
                "Successful login: " + login + " got token XXXXXXXX-XXXX-XXXX-XXXX-XXXX1a2b3c4d";
          };
      String line =
          "2024-05-01 10:00:01,123 [1234] (INFO) (wazo_auth.plugins.http.tokens.http): "
              + message
              + " from "
              + source
              + " using agent \""
              + ua
              + "\"";
      return List.of(AsteriskLog.asRead(line));
    }

    /** The words a client may not write for the line to keep one reading. */
    boolean oneReading() {
      return row.nginx()
          || !(user.replace("\n", "").contains(" using agent \"")
              || agent.replace("\r", "").replace("\n", "").contains(" using agent \""));
    }
  }

  /** nginx's escape=default: '"', '\' and bytes below 0x20 or above 0x7e as \xHH. */
  static String nginx(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : AsteriskLog.utf8(value)) {
      int c = b & 0xff;
      if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
        out.append(String.format("\\x%02X", c));
      } else {
        out.append((char) c);
      }
    }
    return out.toString();
  }

  static Gen<Case> cases() {
    Gen<Row> rows = Gen.of(Row.values());
    Gen<String> value = Hostile.values(AsteriskInventory.BYTES, OTHER_LINES);
    Gen<String> agents = Hostile.values(AsteriskInventory.LINE, OTHER_LINES);
    Gen<IpAddress> sources = Addresses.sources();
    return d ->
        new Case(
            rows.next(d),
            value.next(d),
            value.next(d),
            agents.next(d),
            value.next(d),
            sources.next(d));
  }

  @Test
  void everyRow_givesTheSourceOrNothing_neverAVictim() {
    Properties.check(
        "WazoPropertiesTest.everyRow_givesTheSourceOrNothing_neverAVictim",
        3_000,
        cases(),
        c -> {
          CaseCounter.count("wazo");
          check(c);
        });
  }

  @Test
  void everyRow_withPlainValues_findsItsSource() {
    for (Row row : Row.values()) {
      for (String ip : List.of("203.0.113.5", "2001:db8:66::5")) {
        CaseCounter.count("wazo");
        check(new Case(row, "alice", "", "curl/8.0", "-", IpAddress.parse(ip)));
      }
    }
  }

  /**
   * Found by the property: once nginx lines had made the nginx date pattern the most used one, a
   * wazo-auth login imitating nginx's "[date] \"POST" made that pattern read the login's date, so
   * the line lost its prefix and the failure went unseen.
   */
  @Test
  void wazoAuthLogin_imitatingAnNginxDate_keepsWazoAuthsDate() {
    IpAddress source = IpAddress.parse("2001:db8:66::9");
    for (int i = 0; i < 5; i++) {
      // nginx lines first: the date pattern they use is then tried first
      check(new Case(Row.W1, "alice", "", "curl/8.0", "-", IpAddress.parse("203.0.113.5")));
    }
    String login = "x [01/May/2024:09:00:00 +0200] \"POST /api/auth/0.1/token HTTP/1.1\" 401 75";
    CaseCounter.count("wazo");
    check(new Case(Row.W3, login, "", "curl/8.0", "-", source));
    check(new Case(Row.W4, login, "", "curl/8.0", "-", source));
  }

  private static void check(Case c) {
    Verdict v = FILTER.read(c.lines());
    v.takesOnly(c.source());
    switch (c.row().kind) {
      case NEITHER -> v.nothing();
      case FAILURE -> {
        if (c.oneReading()) {
          v.failureFrom(c.source());
        }
      }
      case SUCCESS -> {
        if (c.oneReading()) {
          v.successFrom(c.source());
        }
      }
    }
  }

  @AfterAll
  static void report() {
    System.out.println(CaseCounter.report("wazo"));
  }
}
