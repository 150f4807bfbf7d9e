package io.portcullis.detection;

import io.portcullis.net.IpAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit of issue #9's follow-up: \S and \s are Unicode in our Python-regex reading, so a client
 * field read with \S would let a no-break, figure or ideographic space (U+00A0, U+2007, U+3000)
 * leave a failure uncounted. The shipped filters other than kamailio and sip-scanner read client
 * fields with classes that do not stop at such a blank ('.', [^'], [^"], [^\n]) or read with \S
 * only fields the server writes; these cases pin that, one real line shape per client field.
 */
class UnicodeBlankFieldsTest {
  private static final List<String> BLANKS = List.of("\u00a0", "\u2007", "\u3000");

  @Test
  void asteriskPjsip_displayNameAndCallIdWithUnicodeBlank_isCounted() {
    ShippedFilter asterisk = ShippedFilter.load("asterisk");
    IpAddress source = IpAddress.parse("203.0.113.4");
    for (String b : BLANKS) {
      // pjsip_uri_print() prints the display name raw; the Call-ID is any byte but CR/LF
      asterisk
          .read(
              "[May  1 10:00:02] NOTICE[2302][C-0000001c] res_pjsip/pjsip_distributor.c: Request"
                  + " 'REGISTER' from '\"ad"
                  + b
                  + "min\" <sip:admin@198.51.100.1>' failed for '203.0.113.4:5062' (callid: 1"
                  + b
                  + "2@x) - No matching endpoint found")
          .failureFrom(source);
    }
  }

  @Test
  void freepbx_userWithUnicodeBlank_isCounted() {
    ShippedFilter freepbx = ShippedFilter.load("freepbx");
    IpAddress source = IpAddress.parse("203.0.113.100");
    for (String b : BLANKS) {
      freepbx
          .read(
              "[2024-05-01 10:00:01] Authentication failure for ad" + b + "min from 203.0.113.100")
          .failureFrom(source);
    }
  }

  @Test
  void wazoAuth_loginWithUnicodeBlank_isCounted() {
    ShippedFilter wazo = ShippedFilter.load("wazo");
    IpAddress source = IpAddress.parse("203.0.113.115");
    for (String b : BLANKS) {
      wazo.read(
              "2024-05-01 10:01:01,123 [1234] (INFO) (wazo_auth.plugins.http.tokens.http): Failed"
                  + " login: unknown username or password for login al"
                  + b
                  + "ice from 203.0.113.115 using agent \"python-requests/2.31\"")
          .failureFrom(source);
    }
  }

  @Test
  void freeswitch_userWithUnicodeBlank_isCounted() {
    ShippedFilter freeswitch = ShippedFilter.load("freeswitch");
    IpAddress source = IpAddress.parse("203.0.113.90");
    for (String b : BLANKS) {
      // freeswitch.log: a record counts once the next line (FreeSWITCH's own) has begun
      freeswitch
          .read(
              List.of(
                  "2024-05-01 10:00:01.123456 [WARNING] sofia_reg.c:1792 SIP auth failure"
                      + " (REGISTER) on sofia profile 'internal' for [10"
                      + b
                      + "00@198.51.100.1] from ip 203.0.113.90",
                  "2024-05-01 10:00:02.123456 [DEBUG] sofia.c:1 next"))
          .failureFrom(source);
    }
  }
}
