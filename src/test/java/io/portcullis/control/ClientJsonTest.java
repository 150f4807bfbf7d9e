package io.portcullis.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientJsonTest {
  /** What the server writes (Jackson, {@link Protocol.Reply}), read back by the client. */
  private static <T> T roundTrip(Object result, Type type) {
    ClientJson.Answer a = ClientJson.answer(Protocol.Reply.ok(result).toJson());
    assertThat(a.ok()).isTrue();
    return ClientJson.bind(a.result(), type);
  }

  @Test
  void serverStatus_writtenByJackson_readsBackEqual() {
    Map<String, List<String>> broken = new LinkedHashMap<>();
    broken.put("sshd", List.of("no log file \"/var/log/auth.log\""));
    Replies.ServerStatus s =
        new Replies.ServerStatus(
            List.of("asterisk", "kamailio"),
            broken,
            3,
            Map.of("nft", new Replies.FirewallStatus(12, null)),
            1_790_000_000L,
            new Replies.StoreStatus(
                "/var/lib/portcullis/db.sqlite3",
                3,
                List.of("disk full: database or disk is full")),
            null);
    assertThat((Replies.ServerStatus) roundTrip(s, Replies.ServerStatus.class)).isEqualTo(s);
  }

  @Test
  void banResult_withActionsAndAStoreProblem_readsBackEqual() {
    // the fast client path read ban answers as an integer before they became BanResult
    Replies.BanResult r =
        new Replies.BanResult(
            2,
            0,
            "disk full: database or disk is full",
            List.of(
                new Replies.ActionResult("asterisk", "firewall", true, 2, 0, 0, null),
                new Replies.ActionResult("asterisk", "webhook", false, 0, 1, 1, "timed out")));
    Replies.BanResult back = roundTrip(r, Replies.BanResult.class);
    assertThat(back).isEqualTo(r);
    assertThat(back.complete()).isFalse();
  }

  @Test
  void jailStatus_withNullsAndNestedRecords_readsBackEqual() {
    Replies.JailStatus s =
        new Replies.JailStatus(
            "asterisk",
            "asterisk",
            null,
            List.of("/var/log/asterisk/messages"),
            123_456_789_012L,
            new Replies.Failures(2, 17, 5, 3),
            new Replies.Bans(1, 4, List.of("192.0.2.7")),
            List.of(new Replies.Allowed("2001:db8::1", 1_790_000_600L)),
            List.of("127.0.0.1/8"),
            List.of(
                new Replies.ActionState("nftables", true, null, null),
                new Replies.ActionState("mail", false, Boolean.FALSE, "smtp: \"refused\"\n")),
            null,
            List.of("log \\ file gone: é ✓"),
            new Replies.LogReading(1, 2, 3, 4, 5, 6, 7_000_000_000L),
            9L,
            List.of(),
            List.of(),
            new Replies.RateLimited("20/10s drop", List.of("203.0.113.66", "2001:db8:66::/64"), 3));
    assertThat((Replies.JailStatus) roundTrip(s, Replies.JailStatus.class)).isEqualTo(s);
  }

  @Test
  void banEntries_endNullForEver_readBackEqual() {
    List<Replies.BanEntry> l =
        List.of(
            new Replies.BanEntry(
                "asterisk", "198.51.100.9", 1_790_000_000L, null, 5, 1, null, List.of(), "DE"),
            new Replies.BanEntry(
                "asterisk",
                "203.0.113.4",
                1_790_000_000L,
                1_790_003_600L,
                6,
                2,
                null,
                List.of(),
                null));
    List<Replies.BanEntry> back = roundTrip(l, ClientJson.listOf(Replies.BanEntry.class));
    assertThat(back).isEqualTo(l);
  }

  @Test
  void scalars_readBack() {
    assertThat((String) roundTrip("pong", String.class)).isEqualTo("pong");
    assertThat((Integer) roundTrip(10_000, Integer.class)).isEqualTo(10_000);
    assertThat((Long) roundTrip(-5L, long.class)).isEqualTo(-5L);
    List<String> texts = roundTrip(List.of("a", "b\tc"), ClientJson.listOf(String.class));
    assertThat(texts).containsExactly("a", "b\tc");
  }

  @Test
  void errorReply_givesMessageAndCode() {
    ClientJson.Answer a = ClientJson.answer(Protocol.Reply.error("no jail \"x\"", 2).toJson());
    assertThat(a.ok()).isFalse();
    assertThat(a.error()).isEqualTo("no jail \"x\"");
    assertThat(a.code()).isEqualTo(2);
  }

  @Test
  void request_readByTheServer_givesCommandAndArgs() throws Exception {
    String line = ClientJson.request("ban", List.of("asterisk", "192.0.2.1", "q\"uo\\te\n\u0001"));
    Protocol.Request r = Protocol.Request.parse(line);
    assertThat(r.command()).isEqualTo("ban");
    assertThat(r.args()).containsExactly("asterisk", "192.0.2.1", "q\"uo\\te\n\u0001");
  }

  @Test
  void parse_rejectsWhatIsNotJson() {
    assertThatThrownBy(() -> ClientJson.parse("{\"ok\":tru}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClientJson.parse("{\"ok\":true} x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClientJson.parse("[".repeat(100) + "]".repeat(100)))
        .hasMessageContaining("nested too deep");
    assertThatThrownBy(() -> ClientJson.answer("[1]")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bind_wrongShape_namesWhatWasExpected() {
    assertThatThrownBy(() -> ClientJson.bind(List.of(1L), Replies.ServerStatus.class))
        .hasMessageContaining("a list")
        .hasMessageContaining("ServerStatus");
  }
}
