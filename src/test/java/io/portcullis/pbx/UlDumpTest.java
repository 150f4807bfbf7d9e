package io.portcullis.pbx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.net.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Kamailio's ul.dump answer read into registrations: only the Received address is trusted. */
class UlDumpTest {
  private static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode recorded() throws Exception {
    return JSON.readTree(
        Files.readString(Path.of("src/test/resources/pbx/kamailio-5.6-ul.dump.json")));
  }

  /** The first contact of the recorded answer (AoR 100, Received set). */
  private static ObjectNode firstContact(JsonNode reply) {
    return (ObjectNode) reply.at("/result/Domains/0/Domain/AoRs/0/Info/Contacts/0/Contact");
  }

  @Test
  void recordedAnswer_trustsTheReceivedAddress_andCountsTheContactWithoutOne() throws Exception {
    Registrar.Reading r = UlDump.read(recorded(), NOW, "kamailio ul.dump");
    assertThat(r.registrations())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.ip()).isEqualTo(IpAddress.parse("127.0.0.1"));
              assertThat(g.account()).isEqualTo("100");
              assertThat(g.service()).isNull();
              assertThat(g.until()).isEqualTo(NOW.plusSeconds(57));
              assertThat(g.detail()).isEqualTo("kamailio ul.dump, AoR 100");
            });
    assertThat(r.unverified()).isEqualTo(1);
    assertThat(r.why()).contains("fix_nated_register()");
  }

  @Test
  void receivedForms_ipv6AndParameters_areRead_namesAndGarbageAreNot() throws Exception {
    JsonNode reply = recorded();
    ObjectNode c = firstContact(reply);
    c.put("Received", "sip:[2001:db8:7::5]:5061;transport=tls");
    assertThat(UlDump.read(reply, NOW, "k").registrations())
        .singleElement()
        .satisfies(g -> assertThat(g.ip()).isEqualTo(IpAddress.parse("2001:db8:7::5")));
    for (String bad :
        new String[] {
          "sip:phone.example.org:5060",
          "sip:203.0.113.5:port",
          "203.0.113.5:5060",
          "tel:+41445551234",
          "sip:[2001:db8::5:5060",
          "sip:203.0.113.0/24",
          "[not set]"
        }) {
      c.put("Received", bad);
      assertThat(UlDump.read(reply, NOW, "k").registrations()).as(bad).isEmpty();
    }
  }

  @Test
  void permanentExpiredOrDeletedContacts_areNoRegistrations() throws Exception {
    JsonNode reply = recorded();
    ObjectNode c = firstContact(reply);
    for (String e : new String[] {"permanent", "expired", "deleted"}) {
      c.put("Expires", e);
      Registrar.Reading r = UlDump.read(reply, NOW, "k");
      assertThat(r.registrations()).as(e).isEmpty();
    }
  }

  @Test
  void anErrorAnswer_isAnError() throws Exception {
    JsonNode err =
        JSON.readTree(
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":500,\"message\":\"Method Not Found\"},\"id\":1}");
    assertThatThrownBy(() -> UlDump.read(err, NOW, "k"))
        .hasMessageContaining("Kamailio answered with an error")
        .hasMessageContaining("Method Not Found");
  }
}
