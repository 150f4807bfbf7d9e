package io.portcullis.pbx;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.jail.Registration;
import io.portcullis.net.IpAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Kamailio's answer to {@code ul.dump} (usrloc's {@code ul_rpc.c}, 4.4 to 6.0), read into
 * registrations. Each contact carries {@code Address} (the Contact header: written by the phone),
 * {@code Received} (the source address and port the REGISTER came from, as {@code sip:IP:PORT},
 * when the config records it: nathelper's {@code fix_nated_register()} with the registrar's {@code
 * received_avp}) and {@code Expires} (seconds left, or {@code permanent}, {@code expired}, {@code
 * deleted}). Only {@code Received} is trusted; a contact without one is counted as unverified. 4.4
 * answers with one object per domain, 5.x with {@code {"Domains": [...]}}: both are walked the same
 * way, to every object holding {@code AoR} and {@code Contacts}.
 */
final class UlDump {
  private UlDump() {}

  static Registrar.Reading read(JsonNode reply, Instant now, String source) {
    JsonNode error = reply.get("error");
    if (error != null && !error.isNull()) {
      throw new IllegalArgumentException("Kamailio answered with an error: " + error);
    }
    JsonNode result = reply.get("result");
    if (result == null) {
      throw new IllegalArgumentException("Kamailio's answer has no result");
    }
    List<Registration> out = new ArrayList<>();
    int[] unverified = {0};
    walk(result, now, source, out, unverified);
    return new Registrar.Reading(
        out,
        unverified[0],
        unverified[0] == 0
            ? ""
            : "contacts without a Received address: the registrar does not record where"
                + " REGISTERs come from (load nathelper, set"
                + " modparam(\"registrar\", \"received_avp\", ...) and call fix_nated_register())");
  }

  private static void walk(
      JsonNode node, Instant now, String source, List<Registration> out, int[] unverified) {
    if (node.isArray()) {
      node.forEach(n -> walk(n, now, source, out, unverified));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    JsonNode aor = node.get("AoR");
    JsonNode contacts = node.get("Contacts");
    if (aor != null && aor.isTextual() && contacts != null && contacts.isArray()) {
      for (JsonNode c : contacts) {
        JsonNode contact = c.has("Contact") ? c.get("Contact") : c;
        Registration r = registration(aor.asText(), contact, now, source);
        if (r != null) {
          out.add(r);
        } else if (live(contact)) {
          unverified[0]++;
        }
      }
      return;
    }
    node.forEach(n -> walk(n, now, source, out, unverified));
  }

  /** Whether a contact is a registration in force (not permanent, expired or deleted). */
  private static boolean live(JsonNode c) {
    JsonNode expires = c.get("Expires");
    return expires != null && expires.isIntegralNumber() && expires.asLong() > 0;
  }

  private static Registration registration(String aor, JsonNode c, Instant now, String source) {
    if (!live(c)) {
      return null;
    }
    JsonNode received = c.get("Received");
    IpAddress ip =
        received == null || !received.isTextual() ? null : SipUris.host(received.asText());
    if (ip == null) {
      return null;
    }
    return new Registration(
        ip, aor, null, now.plusSeconds(c.get("Expires").asLong()), source + ", AoR " + aor);
  }
}
