package io.portcullis.detection;

import io.portcullis.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The rows of docs/filters/asterisk.md as data: for each message Asterisk 16-22 writes about a
 * login, who writes it (level, file, function), its class, where the transport source goes, and
 * every client-written field with what its protocol lets a client put there (read from Asterisk's
 * and pjproject's source; the doc's tables say where).
 */
final class AsteriskInventory {
  private AsteriskInventory() {}

  enum Kind {
    FAILURE,
    SUCCESS,
    NEITHER
  }

  /**
   * A field the client writes.
   *
   * @param alphabet what the protocol lets through
   * @param maxBytes what Asterisk keeps of it (its buffer)
   * @param print how Asterisk or pjsip prints the value it kept
   */
  record Field(String name, Alphabet alphabet, int maxBytes, UnaryOperator<String> print) {
    Field(String name, Alphabet alphabet, int maxBytes) {
      this(name, alphabet, maxBytes, UnaryOperator.identity());
    }

    /** The text Asterisk writes for what the client sent. */
    String written(String sent) {
      return print.apply(AsteriskLog.fit(AsteriskLog.cString(alphabet.cut(sent)), maxBytes));
    }
  }

  /** The transport source of a case, printed the ways Asterisk prints addresses. */
  record Source(IpAddress ip, int port) {
    /** pj_sockaddr_print(..., 3) and ast_sockaddr_stringify: 1.2.3.4:5060, [v6]:5060. */
    String withPort() {
      return (ip.isV4() ? ip.toString() : "[" + ip + "]") + ":" + port;
    }

    /** ast_sockaddr_stringify_addr: 1.2.3.4, 2001:db8::1. */
    String bare() {
      return ip.toString();
    }

    /** ast_json_ipaddr: IPV4/UDP/1.2.3.4/5060. */
    String event(String transport) {
      return (ip.isV4() ? "IPV4/" : "IPV6/") + transport + "/" + ip + "/" + port;
    }
  }

  interface Message {
    String format(List<String> values, Source source);
  }

  /**
   * One row (or one text of a row) of the inventory.
   *
   * @param anchors server-written words next to the address: a client value holding one of them
   *     leaves the line with more than one reading (the filter then takes no address)
   */
  record Template(
      String row,
      Kind kind,
      AsteriskLog.Origin origin,
      List<Field> fields,
      List<String> anchors,
      Message message) {
    @Override
    public String toString() {
      return row + " " + origin.file() + " " + kind;
    }
  }

  // --- what the protocols let a client write (docs/filters/asterisk.md, per section) ---

  /** Any byte but NUL (which ends a C string): IAX2 elements, unescaped URI users, AMI/HTTP. */
  static final Alphabet BYTES = new Alphabet("bytes", c -> c != 0);

  /** Any byte but CR and LF: a SIP header value (pjsip_NOT_NEWLINE, chan_sip's lines). */
  static final Alphabet LINE = Alphabet.LINE;

  /** Any byte but LF: a pjsip quoted string, an AMI header over TCP. */
  static final Alphabet NOT_LF = new Alphabet("not-lf", c -> c != '\n');

  /** A pjsip token (the request method). */
  static final Alphabet PJSIP_TOKEN =
      new Alphabet(
          "pjsip-token",
          c -> c < 0x80 && (Character.isLetterOrDigit(c) || "-.!%*_=`'~+".indexOf(c) >= 0));

  /** A host in a SIP URI as pjsip parses it (name or IPv4). */
  static final Alphabet HOST =
      new Alphabet(
          "host", c -> c < 0x80 && (Character.isLetterOrDigit(c) || "-._".indexOf(c) >= 0));

  /**
   * The content of a quoted string as pjsip keeps it: every '"' escaped, no lone '\' at the end.
   */
  static String quotedContent(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        if (i + 1 < s.length()) {
          out.append(c).append(s.charAt(++i));
        }
      } else if (c == '"') {
        out.append("\\\"");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A display name as pjsip prints it: an unquoted one (no ':', '<', CR, LF; trimmed) is printed
   * inside quotes as it is, raw quotes and all; any other is a quoted string's content.
   */
  static String display(String s) {
    boolean unquoted = s.chars().noneMatch(c -> c == ':' || c == '<' || c == '\r');
    return unquoted && s.indexOf('"') >= 0 ? s.strip() : quotedContent(s);
  }

  /** A URI user as pjsip prints it: %-escaped outside its user characters. */
  static String escapedUser(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : AsteriskLog.utf8(s)) {
      int c = b & 0xff;
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "-_.!~*'()&=+$,;?/".indexOf(c) >= 0)) {
        out.append((char) c);
      } else {
        out.append(String.format("%%%02X", c));
      }
    }
    return out.toString();
  }

  static final String DISTRIBUTOR = "res_pjsip/pjsip_distributor.c";
  static final String SESSION = "res_pjsip_session.c";
  static final String SECURITY_LOG = "res_security_log.c";

  private static AsteriskLog.Origin at(String level, String file, String function, int line) {
    return new AsteriskLog.Origin(level, file, function, line);
  }

  /**
   * The method and From header of a PJSIP request, as log_failed_request prints them: each into a
   * buffer of PJSIP_MAX_URL_SIZE, 512 bytes in 20 and 22 (third-party/pjproject config_site.h),
   * pjproject's 256 in 16 and 18.
   */
  private static final List<Field> PJSIP_REQUEST =
      List.of(
          new Field("method", PJSIP_TOKEN, 511),
          new Field("display", NOT_LF, 400, AsteriskInventory::display),
          new Field("user", BYTES, 40, AsteriskInventory::escapedUser),
          new Field("host", HOST, 30, h -> h.isEmpty() ? "x" : h),
          new Field("param", NOT_LF, 60, AsteriskInventory::quotedContent),
          new Field("callid", LINE, 20_000));

  private static String from(List<String> v) {
    String display = v.get(1).isEmpty() ? "" : "\"" + v.get(1) + "\" ";
    String param = v.get(4).isEmpty() ? "" : ";x=\"" + v.get(4) + "\"";
    return display + "<sip:" + v.get(2) + "@" + v.get(3) + param + ">";
  }

  private static String method(String m) {
    return m.isEmpty() ? "REGISTER" : m;
  }

  private static final String EV_HEAD =
      "SecurityEvent=\"%s\",EventTV=\"2024-05-01T10:00:01.123+0200\",Severity=\"%s\",Service=\"%s\",EventVersion=\"%s\",";

  private static String local(Source s, String transport, int port) {
    return (s.ip().isV4()
            ? "IPV4/" + transport + "/198.51.100.1/"
            : "IPV6/" + transport + "/2001:db8:1::1/")
        + port;
  }

  static final List<Template> ALL = build();

  private static List<Template> build() {
    List<Template> t = new ArrayList<>();
    String[][] pjsip = {
      {"P1a", "FAILURE", "Failed to authenticate"},
      {"P1b", "FAILURE", "No matching endpoint found"},
      {"P1c", "FAILURE", "No matching endpoint found after 5 tries in 10.002 ms"},
      {"P1d", "FAILURE", "Not match Endpoint ACL"},
      {"P1e", "FAILURE", "Not match Endpoint Contact ACL"},
      {"P1f", "NEITHER", "Error to authenticate"},
    };
    for (String[] p : pjsip) {
      t.add(
          new Template(
              p[0],
              Kind.valueOf(p[1]),
              at("NOTICE", DISTRIBUTOR, "log_failed_request", 722),
              PJSIP_REQUEST,
              List.of("' failed for '"),
              (v, s) ->
                  "Request '%s' from '%s' failed for '%s' (callid: %s) - %s"
                      .formatted(method(v.get(0)), from(v), s.withPort(), v.get(5), p[2])));
    }
    Field exten = new Field("exten", BYTES, 79);
    t.add(
        new Template(
            "P2a",
            Kind.FAILURE,
            at("NOTICE", SESSION, "new_invite", 2963),
            List.of(exten),
            List.of(),
            (v, s) ->
                "Call from 'anonymous' (UDP:%s:%d) to extension '%s' rejected because extension not found in context 'public'."
                    .formatted(s.bare(), s.port(), v.get(0))));
    t.add(
        new Template(
            "P2b",
            Kind.FAILURE,
            at("NOTICE", SESSION, "new_invite", 3275),
            List.of(exten),
            List.of(),
            (v, s) ->
                "Call from 'anonymous' (TCP:%s) to extension '%s' rejected because extension not found in context 'default'."
                    .formatted(s.withPort(), v.get(0))));
    t.add(
        new Template(
            "P2c",
            Kind.FAILURE,
            at("NOTICE", SESSION, "new_invite", 4011),
            List.of(exten),
            List.of(),
            (v, s) ->
                " PJSIP/anonymous-00000001: Call (UDP:%s) to extension '%s' rejected because extension not found in context 'from-external'."
                    .formatted(s.withPort(), v.get(0))));
    t.add(
        new Template(
            "P3a",
            Kind.FAILURE,
            at("WARNING", "res_pjsip_acl.c", "apply_acl", 158),
            List.of(),
            List.of(),
            (v, s) ->
                "Incoming SIP message from %s did not pass ACL test".formatted(s.withPort())));
    // P3b: the Contact's host, which the client chose: it names the victim, with port 0
    t.add(
        new Template(
            "P3b",
            Kind.NEITHER,
            at("WARNING", "res_pjsip_acl.c", "apply_contact_acl", 201),
            List.of(),
            List.of(),
            (v, s) -> "Incoming SIP message from %s:0 did not pass ACL test".formatted(victim(s))));
    t.add(
        new Template(
            "P4",
            Kind.NEITHER,
            at("WARNING", "res_pjsip_registrar.c", "registrar_on_rx_request", 1261),
            List.of(),
            List.of(),
            (v, s) ->
                "Endpoint '100' (%s:%d) has no configured AORs".formatted(s.bare(), s.port())));

    Field to = new Field("to", LINE, 20_000);
    String[][] chanSip = {
      {"FAILURE", "Wrong password"},
      {"FAILURE", "Username/auth name mismatch"},
      {"FAILURE", "No matching peer found"},
      {"FAILURE", "Not a local domain"},
      {"FAILURE", "Peer is not supposed to register"},
      {"FAILURE", "Device does not match ACL"},
      {"FAILURE", "Device not configured to use this transport type"},
      {"NEITHER", "RTP initialization failed"},
      {"NEITHER", "Unknown failure"},
    };
    for (String[] c : chanSip) {
      t.add(
          new Template(
              c[0].equals("FAILURE") ? "C1" : "C1n",
              Kind.valueOf(c[0]),
              at("NOTICE", "chan_sip.c", "handle_request_register", 29080),
              List.of(to),
              List.of(),
              (v, s) ->
                  "Registration from '%s' failed for '%s' - %s"
                      .formatted(v.get(0), s.withPort(), c[1])));
    }
    t.add(
        new Template(
            "C2",
            Kind.FAILURE,
            at("NOTICE", "chan_sip.c", "handle_request_invite", 26848),
            List.of(new Field("user", LINE, 256), exten),
            List.of(") to extension '"),
            (v, s) ->
                "Call from '%s' (%s) to extension '%s' rejected because extension not found in context 'public'."
                    .formatted(v.get(0), s.withPort(), v.get(1))));
    t.add(
        new Template(
            "C3",
            Kind.NEITHER,
            at("NOTICE", "chan_sip.c", "send_check_user_failure_response", 19670),
            List.of(new Field("from", LINE, 20_000)),
            List.of(),
            (v, s) ->
                "Failed to authenticate device %s for INVITE, code = -1".formatted(v.get(0))));
    t.add(
        new Template(
            "C4",
            Kind.NEITHER,
            at("WARNING", "chan_sip.c", "parse_register_contact", 17140),
            List.of(new Field("hostport", LINE, 256)),
            List.of(),
            (v, s) ->
                "Domain '%s' disallowed by contact ACL (violating IP %s)"
                    .formatted(v.get(0), victim(s))));

    Field ie = new Field("ie", BYTES, 255);
    for (String level : List.of("NOTICE", "WARNING")) {
      t.add(
          new Template(
              "I1",
              Kind.FAILURE,
              at(level, "chan_iax2.c", "socket_process_helper", 11431),
              List.of(ie),
              List.of(),
              (v, s) -> "Host %s failed to authenticate as %s".formatted(s.withPort(), v.get(0))));
    }
    t.add(
        new Template(
            "I2",
            Kind.FAILURE,
            at("NOTICE", "chan_iax2.c", "socket_process_helper", 10953),
            List.of(ie, ie),
            List.of(),
            (v, s) ->
                "Rejected connect attempt from %s, who was trying to reach '%s@%s'"
                    .formatted(s.withPort(), v.get(0), v.get(1))));
    for (String what : List.of("connect", "dial")) {
      t.add(
          new Template(
              "I3",
              Kind.FAILURE,
              at("WARNING", "chan_iax2.c", "socket_process_helper", 11678),
              List.of(ie, ie),
              List.of(),
              (v, s) ->
                  "Rejected %s attempt from %s, request '%s@%s' does not exist"
                      .formatted(what, s.withPort(), v.get(0), v.get(1))));
    }
    t.add(
        new Template(
            "I4",
            Kind.FAILURE,
            at("NOTICE", "chan_iax2.c", "register_verify", 8384),
            List.of(),
            List.of(),
            (v, s) -> "Empty registration from " + s.bare()));
    t.add(
        new Template(
            "I5",
            Kind.FAILURE,
            at("NOTICE", "chan_iax2.c", "register_verify", 8413),
            List.of(ie),
            List.of(),
            (v, s) -> "No registration for peer '%s' (from %s)".formatted(v.get(0), s.bare())));
    t.add(
        new Template(
            "I6",
            Kind.FAILURE,
            at("NOTICE", "chan_iax2.c", "register_verify", 8419),
            List.of(ie),
            List.of(),
            (v, s) -> "Peer '%s' is not dynamic (from %s)".formatted(v.get(0), s.bare())));
    t.add(
        new Template(
            "I7",
            Kind.FAILURE,
            at("NOTICE", "chan_iax2.c", "register_verify", 8425),
            List.of(),
            List.of(),
            (v, s) -> "Host %s denied access to register peer '100'".formatted(s.bare())));
    t.add(
        new Template(
            "I7",
            Kind.FAILURE,
            at("NOTICE", "chan_iax2.c", "register_verify", 8482),
            List.of(ie),
            List.of(),
            (v, s) ->
                "Host %s failed MD5 authentication for '100' (e7df7cd2ca07f4f1ab415d457a6e1c13 != %s)"
                    .formatted(s.bare(), v.get(0))));
    t.add(
        new Template(
            "I7",
            Kind.FAILURE,
            at("NOTICE", "chan_iax2.c", "register_verify", 8489),
            List.of(),
            List.of(),
            (v, s) ->
                "Host %s did not provide proper plaintext password for '100'".formatted(s.bare())));
    t.add(
        new Template(
            "I8",
            Kind.NEITHER,
            at("NOTICE", "chan_iax2.c", "register_verify", 8453),
            List.of(ie),
            List.of(),
            (v, s) ->
                "Host %s failed RSA authentication with inkeys 'pbxkey'".formatted(v.get(0))));
    t.add(
        new Template(
            "I9",
            Kind.NEITHER,
            at("NOTICE", "chan_iax2.c", "socket_process_helper", 11046),
            List.of(ie),
            List.of(),
            (v, s) ->
                "Rejected connect attempt from %s, requested '%s' incompatible with our capability 'gsm'."
                    .formatted(s.withPort(), v.get(0))));

    Field amiUser = new Field("username", NOT_LF, 1024);
    for (String[] m :
        new String[][] {
          {"M1", "%s tried to authenticate with nonexistent user '%s'"},
          {"M2", "%s failed to pass IP ACL as '%s'"},
          {"M3", "%s failed to authenticate as '%s'"}
        }) {
      t.add(
          new Template(
              m[0],
              Kind.FAILURE,
              at("NOTICE", "manager.c", "authenticate", 2291),
              List.of(amiUser),
              List.of(),
              (v, s) -> m[1].formatted(s.bare(), v.get(0))));
    }
    t.add(
        new Template(
            "M6",
            Kind.NEITHER,
            at("VERBOSE", "manager.c", "session_do", 7508),
            List.of(),
            List.of(),
            (v, s) -> "Connect attempt from '%s' unable to authenticate".formatted(s.bare())));

    for (String purpose :
        List.of(
            "SIP ACL: ",
            "SIP Peer ACL: ",
            "IAX2 Peer ACL: ",
            "Manager User ACL: ",
            "Manager User ACL:",
            "ARI User ACL",
            "HTTP Path ACL")) {
      t.add(
          new Template(
              "L1",
              Kind.FAILURE,
              at("NOTICE", "acl.c", "ast_apply_acl_internal", 783),
              List.of(),
              List.of(),
              (v, s) ->
                  "%sRejecting '%s' due to a failure to pass ACL '(BASELINE)'"
                      .formatted(purpose, s.bare())));
    }
    for (String purpose :
        List.of("SIP Contact ACL: ", "SIP contact ACL: ", "SIP Direct Media ACL: ")) {
      t.add(
          new Template(
              "L1n",
              Kind.NEITHER,
              at("NOTICE", "acl.c", "ast_apply_acl_internal", 783),
              List.of(),
              List.of(),
              (v, s) ->
                  "%sRejecting '%s' due to a failure to pass ACL 'contacts'"
                      .formatted(purpose, victim(s))));
    }
    t.add(
        new Template(
            "I12",
            Kind.NEITHER,
            at("NOTICE", "acl.c", "ast_apply_acl_internal", 783),
            List.of(),
            List.of(),
            (v, s) ->
                "IAX2 user ACL: Rejecting '%s' due to a failure to pass ACL '(BASELINE)'"
                    .formatted(s.bare())));
    t.add(
        new Template(
            "L2",
            Kind.NEITHER,
            at("WARNING", "acl.c", "ast_apply_acl_internal", 772),
            List.of(),
            List.of(),
            (v, s) ->
                "SIP ACL: Rejecting '%s' due to use of an invalid ACL 'x'.".formatted(s.bare())));

    addEvents(t);

    t.add(
        new Template(
            "M4",
            Kind.SUCCESS,
            at("VERBOSE", "manager.c", "action_login", 3424),
            List.of(),
            List.of(),
            (v, s) -> "Manager 'admin' logged on from " + s.bare()));
    t.add(
        new Template(
            "M5",
            Kind.SUCCESS,
            at("VERBOSE", "manager.c", "auth_http_callback", 8820),
            List.of(),
            List.of(),
            (v, s) -> "HTTP Manager 'admin' logged in from " + s.bare()));
    t.add(
        new Template(
            "I10",
            Kind.SUCCESS,
            at("VERBOSE", "chan_iax2.c", "update_registry", 9270),
            List.of(),
            List.of(),
            (v, s) -> "Registered IAX2 '100' (AUTHENTICATED) at " + s.withPort()));
    t.add(
        new Template(
            "I10n",
            Kind.NEITHER,
            at("VERBOSE", "chan_iax2.c", "update_registry", 9270),
            List.of(),
            List.of(),
            (v, s) -> "Registered IAX2 '100' (UNAUTHENTICATED) at " + s.withPort()));
    t.add(
        new Template(
            "I11",
            Kind.SUCCESS,
            at("VERBOSE", "chan_iax2.c", "socket_process_helper", 11588),
            List.of(),
            List.of(),
            (v, s) ->
                "Accepting AUTHENTICATED call from %s:\n       > requested auth methods = (md5),\n       > actual auth method = md5"
                    .formatted(s.withPort())));
    // red team (issue #9): forms the first inventory missed
    t.add(
        new Template(
            "I11b",
            Kind.SUCCESS,
            at("VERBOSE", "chan_iax2.c", "socket_process_helper", 11663),
            List.of(),
            List.of(),
            (v, s) -> "Accepted AUTHENTICATED TBD call from " + s.withPort()));
    t.add(
        new Template(
            "I11bn",
            Kind.NEITHER,
            at("VERBOSE", "chan_iax2.c", "socket_process_helper", 11146),
            List.of(),
            List.of(),
            (v, s) -> "Accepted unauthenticated TBD call from " + s.withPort()));
    t.add(
        new Template(
            "P6",
            Kind.NEITHER,
            at("VERBOSE", "res_pjsip_registrar.c", "register_aor_core", 962),
            List.of(new Field("contact", LINE, 256)),
            List.of(),
            (v, s) ->
                "Added contact 'sip:%s@%s:5060' to AOR '100' with expiration of 3600 seconds"
                    .formatted(v.get(0), victim(s))));
    t.add(
        new Template(
            "P7",
            Kind.NEITHER,
            at("NOTICE", "res_pjsip_maintenance.c", "maintenance_on_rx_request", 297),
            List.of(new Field("method", PJSIP_TOKEN, 511)),
            List.of(),
            (v, s) ->
                "PJSIP: Endpoint '100' is in maintenance mode; rejecting new %s from %s"
                    .formatted(method(v.get(0)), s.bare())));
    for (String m :
        List.of(
            "Address %s failed CallToken hash inspection",
            "Too much delay in IAX2 calltoken timestamp from address %s")) {
      // a source that never received its call token may be spoofed: it names the victim
      t.add(
          new Template(
              "I13",
              Kind.NEITHER,
              at("WARNING", "chan_iax2.c", "handle_call_token", 5096),
              List.of(),
              List.of(),
              (v, s) -> m.formatted(victim(s) + ":4569")));
    }
    t.add(
        new Template(
            "I14",
            Kind.NEITHER,
            at("ERROR", "chan_iax2.c", "peercnt_add", 2752),
            List.of(),
            List.of(),
            (v, s) -> "maxcallnumber limit of 2048 for %s has been reached!".formatted(s.bare())));
    t.add(
        new Template(
            "L3",
            Kind.NEITHER,
            at("NOTICE", "acl.c", "ast_apply_acl_internal", 783),
            List.of(),
            List.of(),
            (v, s) ->
                "Rejecting '%s' due to a failure to pass ACL '(BASELINE)'".formatted(victim(s))));
    t.add(
        new Template(
            "C7",
            Kind.NEITHER,
            at("NOTICE", "chan_sip.c", "handle_incoming", 29405),
            List.of(new Field("method", LINE, 256)),
            List.of(),
            (v, s) -> "Unknown SIP command '%s' from '%s:5060'".formatted(v.get(0), viaHost(s))));
    t.add(
        new Template(
            "C7",
            Kind.NEITHER,
            at("NOTICE", "chan_sip.c", "handle_request_subscribe", 28978),
            List.of(exten),
            List.of(),
            (v, s) ->
                "Got SUBSCRIBE for extension %s@default from %s:5060, but there is no hint for that extension."
                    .formatted(v.get(0), viaHost(s))));
    // R4: a dialplan Log() writes text a caller chose, under "Ext. <exten>"
    t.add(
        new Template(
            "R4",
            Kind.NEITHER,
            at("NOTICE", "Ext. s", "default", 1),
            List.of(new Field("text", BYTES, 8000)),
            List.of(),
            (v, s) -> v.get(0)));
    return List.copyOf(t);
  }

  private static void addEvents(List<Template> t) {
    Field callId = new Field("callid", LINE, 20_000);
    Field fromUser = new Field("fromuser", BYTES, 36);
    Field amiUser = new Field("username", NOT_LF, 1024);
    Field nonce = new Field("nonce", LINE, 63);
    Field response = new Field("response", LINE, 255);
    Field action = new Field("action", NOT_LF, 63 - "Action: ".length());
    List<String> once = List.of("RemoteAddress=");
    AsteriskLog.Origin sec = at("SECURITY", SECURITY_LOG, "security_event_stasis_cb", 114);

    t.add(
        new Template(
            "E1",
            Kind.FAILURE,
            sec,
            List.of(fromUser, callId),
            once,
            (v, s) ->
                EV_HEAD.formatted("InvalidAccountID", "Error", "PJSIP", "1")
                    + "AccountID=\"%s\",SessionID=\"%s\",LocalAddress=\"%s\",RemoteAddress=\"%s\""
                        .formatted(v.get(0), v.get(1), local(s, "UDP", 5060), s.event("UDP"))));
    t.add(
        new Template(
            "E1",
            Kind.FAILURE,
            sec,
            List.of(callId, nonce, response),
            once,
            (v, s) ->
                EV_HEAD.formatted("ChallengeResponseFailed", "Error", "PJSIP", "1")
                    + "AccountID=\"<unknown>\",SessionID=\"%s\",LocalAddress=\"%s\",RemoteAddress=\"%s\",Challenge=\"%s\",Response=\"%s\",ExpectedResponse=\"\""
                        .formatted(
                            v.get(0), local(s, "TLS", 5061), s.event("TLS"), v.get(1), v.get(2))));
    for (String[] acl :
        new String[][] {
          {"FAILURE", "not_match_endpoint_acl"},
          {"FAILURE", "not_match_endpoint_contact_acl"},
          {"NEITHER", "registrar_attempt_without_configured_aors"},
          {"NEITHER", "registrar_invalid_contacts_provided"}
        }) {
      t.add(
          new Template(
              acl[0].equals("FAILURE") ? "E2" : "E2n",
              Kind.valueOf(acl[0]),
              sec,
              List.of(callId),
              once,
              (v, s) ->
                  EV_HEAD.formatted("FailedACL", "Error", "PJSIP", "1")
                      + "AccountID=\"100\",SessionID=\"%s\",LocalAddress=\"%s\",RemoteAddress=\"%s\",ACLName=\"%s\""
                          .formatted(v.get(0), local(s, "TCP", 5060), s.event("TCP"), acl[1])));
    }
    String tv = ",SessionTV=\"2024-05-01T10:00:00.100+0200\"";
    for (String[] e :
        new String[][] {{"InvalidAccountID", "1"}, {"FailedACL", "1"}, {"InvalidPassword", "2"}}) {
      t.add(
          new Template(
              "E3",
              Kind.FAILURE,
              sec,
              List.of(amiUser),
              once,
              (v, s) ->
                  EV_HEAD.formatted(e[0], "Error", "AMI", e[1])
                      + "AccountID=\"%s\",SessionID=\"0x7f8ecc0421f8\",LocalAddress=\"%s\",RemoteAddress=\"%s\"%s"
                          .formatted(v.get(0), local(s, "TCP", 5038), s.event("TCP"), tv)));
    }
    t.add(
        new Template(
            "E3",
            Kind.FAILURE,
            sec,
            List.of(response),
            once,
            (v, s) ->
                EV_HEAD.formatted("ChallengeResponseFailed", "Error", "AMI", "1")
                    + "AccountID=\"\",SessionID=\"0x7f8ecc0421f8\",LocalAddress=\"%s\",RemoteAddress=\"%s\",Challenge=\"123456789\",Response=\"%s\",ExpectedResponse=\"4567ef0123456789abcdef0123456789\"%s"
                        .formatted(local(s, "TCP", 5038), s.event("TCP"), v.get(0), tv)));
    for (String[] e : new String[][] {{"E4", "FAILURE", ""}, {"E4n", "NEITHER", "monitor"}}) {
      t.add(
          new Template(
              e[0],
              Kind.valueOf(e[1]),
              sec,
              List.of(action),
              once,
              (v, s) ->
                  EV_HEAD.formatted("RequestNotAllowed", "Error", "AMI", "1")
                      + "AccountID=\"%s\",SessionID=\"0x7f8ecc0421f8\",LocalAddress=\"%s\",RemoteAddress=\"%s\",RequestType=\"Action: %s\"%s"
                          .formatted(e[2], local(s, "TCP", 5038), s.event("TCP"), v.get(0), tv)));
    }
    for (String[] e : new String[][] {{"E5", "FAILURE", ""}, {"E5n", "NEITHER", "admin"}}) {
      t.add(
          new Template(
              e[0],
              Kind.valueOf(e[1]),
              sec,
              List.of(action),
              once,
              (v, s) ->
                  EV_HEAD.formatted("RequestBadFormat", "Error", "AMI", "1")
                      + "SessionID=\"0x7f8ecc0421f8\",LocalAddress=\"%s\",RemoteAddress=\"%s\",RequestType=\"Action: %s\"%s,AccountID=\"%s\""
                          .formatted(local(s, "TCP", 5038), s.event("TCP"), v.get(0), tv, e[2])));
    }
    t.add(
        new Template(
            "E6",
            Kind.SUCCESS,
            sec,
            List.of(callId),
            once,
            (v, s) ->
                EV_HEAD.formatted("SuccessfulAuth", "Informational", "PJSIP", "1")
                    + "AccountID=\"100\",SessionID=\"%s\",LocalAddress=\"%s\",RemoteAddress=\"%s\",UsingPassword=\"1\""
                        .formatted(v.get(0), local(s, "UDP", 5060), s.event("UDP"))));
    t.add(
        new Template(
            "E6",
            Kind.SUCCESS,
            sec,
            List.of(),
            once,
            (v, s) ->
                EV_HEAD.formatted("SuccessfulAuth", "Informational", "AMI", "1")
                    + "AccountID=\"admin\",SessionID=\"0x7f8ecc0421f8\",LocalAddress=\"%s\",RemoteAddress=\"%s\",UsingPassword=\"1\"%s"
                        .formatted(local(s, "TCP", 5038), s.event("TCP"), tv)));
    t.add(
        new Template(
            "E7",
            Kind.NEITHER,
            sec,
            List.of(),
            once,
            (v, s) ->
                EV_HEAD.formatted("SessionLimit", "Error", "AMI", "1")
                    + "AccountID=\"admin\",SessionID=\"0x7f8ecc0421f8\",LocalAddress=\"%s\",RemoteAddress=\"%s\"%s"
                        .formatted(local(s, "TCP", 5038), s.event("TCP"), tv)));
    t.add(
        new Template(
            "E7",
            Kind.NEITHER,
            sec,
            List.of(callId),
            once,
            (v, s) ->
                EV_HEAD.formatted("MemoryLimit", "Error", "PJSIP", "1")
                    + "AccountID=\"100\",SessionID=\"%s\",LocalAddress=\"%s\",RemoteAddress=\"%s\""
                        .formatted(v.get(0), local(s, "UDP", 5060), s.event("UDP"))));
    t.add(
        new Template(
            "E8",
            Kind.NEITHER,
            sec,
            List.of(callId),
            once,
            (v, s) ->
                EV_HEAD.formatted("ChallengeSent", "Informational", "PJSIP", "1")
                    + "AccountID=\"100\",SessionID=\"%s\",LocalAddress=\"%s\",RemoteAddress=\"%s\",Challenge=\"1714550400/6d16ccf29ff59d423c6d548af00bf9b4\""
                        .formatted(v.get(0), local(s, "UDP", 5060), s.event("UDP"))));
    // E10: chan_sip's RemoteAddress is the Via maddr the client named: here the victim
    for (String e : List.of("InvalidPassword", "SuccessfulAuth", "FailedACL")) {
      t.add(
          new Template(
              "E10",
              Kind.NEITHER,
              sec,
              List.of(new Field("exten", BYTES, 256)),
              once,
              (v, s) ->
                  EV_HEAD.formatted(e, "Error", "SIP", "1")
                      + "AccountID=\"%s\",SessionID=\"0x88aab6c\",LocalAddress=\"%s\",RemoteAddress=\"%s\""
                          .formatted(
                              v.get(0),
                              local(s, "UDP", 5060),
                              (s.ip().isV4() ? "IPV4/UDP/" : "IPV6/UDP/") + victim(s) + "/5060")));
    }
  }

  /** chan_sip's p->sa as ast_sockaddr_stringify prints it: the Via maddr the client named. */
  static String viaHost(Source s) {
    return s.ip().isV4() ? victim(s) : "[" + victim(s) + "]";
  }

  /** The victim of the source's family, as a client would name it. */
  static String victim(Source s) {
    return (s.ip().isV4() ? Addresses.VICTIM4 : Addresses.VICTIM6).toString();
  }
}
