package io.portcullis.pbx;

import io.portcullis.jail.Registration;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the registered phones from Asterisk's manager interface: one connection per reading, a
 * login ({@code Events: off}), {@code PJSIPShowContacts} (res_pjsip/pjsip_options.c: a {@code
 * ContactList} event per contact, then {@code ContactListComplete}), {@code SIPpeers} (chan_sip, 16
 * to 20: a {@code PeerEntry} per peer, then {@code PeerlistComplete}), {@code Logoff}. A module
 * that is not loaded answers {@code Response: Error}: nothing from it.
 *
 * <p>Which address is the phone's: a PJSIP contact's {@code Uri} is the Contact header the phone
 * wrote, unless its endpoint has {@code rewrite_contact = yes} (res_pjsip_nat.c puts the source
 * address and port there): trusted only when the admin says so ({@code rewritecontact=yes}). A
 * chan_sip peer's {@code IPaddress} is the source of its REGISTER only with {@code Forcerport: yes}
 * (chan_sip.c parse_register_contact; otherwise the Contact header's host): trusted only then.
 * Contacts and peers left out are counted as unverified.
 */
final class AsteriskRegistrar implements Registrar {
  private final RegistrarSpec.Asterisk spec;
  private final Clock clock;
  private long ids;

  AsteriskRegistrar(RegistrarSpec.Asterisk spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
  }

  @Override
  public String name() {
    return spec.describe();
  }

  @Override
  public Reading read() throws IOException {
    Instant now = clock.instant();
    List<Registration> out = new ArrayList<>();
    int[] unverified = {0, 0};
    try (AmiConnection ami = new AmiConnection(spec.host(), spec.port(), spec.timeout())) {
      Map<String, String> login = new LinkedHashMap<>();
      login.put("Action", "Login");
      login.put("ActionID", id());
      login.put("Username", spec.username());
      login.put("Secret", secret());
      login.put("Events", "off");
      Map<String, String> answer = call(ami, login);
      if (!"Success".equalsIgnoreCase(answer.get("Response"))) {
        throw new IOException(
            "Asterisk refused the manager login of "
                + spec.username()
                + ": "
                + answer.getOrDefault("Message", "no reason given"));
      }
      for (Map<String, String> e : list(ami, "PJSIPShowContacts", "ContactListComplete")) {
        if (!"ContactList".equals(e.get("Event"))) {
          continue;
        }
        Registration r = contact(e, now);
        if (r != null) {
          out.add(r);
        } else if (expires(e, now) != null) {
          unverified[0]++;
        }
      }
      for (Map<String, String> e : list(ami, "SIPpeers", "PeerlistComplete")) {
        if (!"PeerEntry".equals(e.get("Event"))) {
          continue;
        }
        Registration r = peer(e, now);
        if (r != null) {
          out.add(r);
        } else if ("yes".equals(e.get("Dynamic")) && address(e.get("IPaddress")) != null) {
          unverified[1]++;
        }
      }
      Map<String, String> logoff = new LinkedHashMap<>();
      logoff.put("Action", "Logoff");
      logoff.put("ActionID", id());
      ami.send(logoff);
    }
    List<String> why = new ArrayList<>();
    if (unverified[0] > 0) {
      why.add(
          "PJSIP contacts whose URI the phone wrote (set rewrite_contact = yes on the endpoints,"
              + " then rewritecontact=yes here)");
    }
    if (unverified[1] > 0) {
      why.add("chan_sip peers without force_rport (their address is the phone's Contact)");
    }
    return new Reading(out, unverified[0] + unverified[1], String.join("; ", why));
  }

  private String id() {
    return "portcullis-" + (++ids);
  }

  private String secret() throws IOException {
    if (spec.secret() != null) {
      return spec.secret();
    }
    String s = Files.readString(spec.secretFile(), StandardCharsets.UTF_8).strip();
    if (s.isEmpty() || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
      throw new IOException(spec.secretFile() + " must hold the secret on one line");
    }
    return s;
  }

  /** Sends an action and returns its response (events without its ActionID are skipped). */
  private Map<String, String> call(AmiConnection ami, Map<String, String> action)
      throws IOException {
    ami.send(action);
    String id = action.get("ActionID");
    for (int i = 0; i < 10_000; i++) {
      Map<String, String> m = ami.next();
      if (m == null) {
        throw new IOException("Asterisk closed the manager connection");
      }
      if (m.containsKey("Response") && id.equals(m.get("ActionID"))) {
        return m;
      }
    }
    throw new IOException("no answer to " + action.get("Action") + " among 10,000 messages");
  }

  /** A list action: its events up to the one that completes it; none when it is refused. */
  private List<Map<String, String>> list(AmiConnection ami, String action, String complete)
      throws IOException {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("Action", action);
    a.put("ActionID", id());
    Map<String, String> r = call(ami, a);
    List<Map<String, String>> events = new ArrayList<>();
    if (!"Success".equalsIgnoreCase(r.get("Response"))) {
      return events; // "No Contacts found", or the module is not loaded
    }
    for (int i = 0; i < 1_000_000; i++) {
      Map<String, String> m = ami.next();
      if (m == null) {
        throw new IOException("Asterisk closed the manager connection during " + action);
      }
      if (!a.get("ActionID").equals(m.get("ActionID"))) {
        continue;
      }
      if (complete.equals(m.get("Event"))) {
        return events;
      }
      events.add(m);
    }
    throw new IOException(action + " did not complete within 1,000,000 messages");
  }

  private Registration contact(Map<String, String> e, Instant now) {
    Instant until = expires(e, now);
    if (until == null || !spec.rewriteContact()) {
      return null;
    }
    IpAddress ip = SipUris.host(e.get("Uri"));
    if (ip == null) {
      return null;
    }
    String endpoint = e.getOrDefault("Endpoint", "");
    return new Registration(
        ip, endpoint, "pjsip", until, "asterisk PJSIPShowContacts, endpoint " + endpoint);
  }

  /** A PJSIP contact's end, or null for a permanent (configured) or ended one. */
  private static Instant expires(Map<String, String> e, Instant now) {
    try {
      long s = Long.parseLong(e.getOrDefault("ExpirationTime", "0").strip());
      Instant t = Instant.ofEpochSecond(s);
      return s > 0 && t.isAfter(now) ? t : null;
    } catch (NumberFormatException | java.time.DateTimeException bad) {
      return null;
    }
  }

  private Registration peer(Map<String, String> e, Instant now) {
    if (!"yes".equals(e.get("Dynamic")) || !"yes".equals(e.get("Forcerport"))) {
      return null;
    }
    IpAddress ip = address(e.get("IPaddress"));
    if (ip == null) {
      return null;
    }
    String name = e.getOrDefault("ObjectName", "");
    // SIPpeers says nothing of when the registration ends: trusted until three readings from now
    return new Registration(
        ip, name, "sip", now.plus(spec.every().multipliedBy(3)), "asterisk SIPpeers, peer " + name);
  }

  private static IpAddress address(String text) {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    IpAddress ip = IpAddress.parseOrNull(t);
    return ip == null || ip.toString().contains("/") ? null : ip;
  }
}
