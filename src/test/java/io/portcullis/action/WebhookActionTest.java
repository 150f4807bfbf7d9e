package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP receiver on loopback. */
class WebhookActionTest {
  private HttpServer receiver;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final AtomicInteger failFirst = new AtomicInteger();

  @BeforeEach
  void setUp() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          int code = failFirst.getAndDecrement() > 0 ? 503 : 200;
          if (code == 200) {
            bodies.add(new String(body, StandardCharsets.UTF_8));
          }
          ex.sendResponseHeaders(code, -1);
          ex.close();
        });
    receiver.start();
  }

  @AfterEach
  void tearDown() {
    receiver.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  private static BanDecision ban() {
    return new BanDecision(
        "asterisk",
        "203.0.113.5",
        IpAddress.parse("203.0.113.5"),
        Instant.ofEpochSecond(1714557600),
        Duration.ofHours(1),
        2,
        5,
        List.of("line \"one\""));
  }

  @Test
  void ban_postsTheGenericJson_andRetriesAServerError() throws Exception {
    failFirst.set(2);
    WebhookAction a = new WebhookAction("asterisk", Map.of("url", url()), m -> {});
    a.ban(ban());
    assertThat(bodies).hasSize(1);
    JsonNode o = new ObjectMapper().readTree(bodies.get(0));
    assertThat(o.get("event").asText()).isEqualTo("ban");
    assertThat(o.get("ip").asText()).isEqualTo("203.0.113.5");
    assertThat(o.get("bantime").asLong()).isEqualTo(3600);
    assertThat(o.get("bancount").asInt()).isEqualTo(2);
    assertThat(o.get("matches").get(0).asText()).isEqualTo("line \"one\"");
    // restored bans are not announced again; unbans only when asked
    a.restore(ban());
    a.unban(ban());
    assertThat(bodies).hasSize(1);
  }

  @Test
  void slackFormat_sendsText() throws Exception {
    new WebhookAction("asterisk", Map.of("url", url(), "format", "slack", "unban", "yes"), m -> {})
        .unban(ban());
    assertThat(new ObjectMapper().readTree(bodies.get(0)).get("text").asText())
        .isEqualTo("[asterisk] unbanned 203.0.113.5");
  }

  private static io.portcullis.jail.AccountAlert alert() {
    return new io.portcullis.jail.AccountAlert(
        "asterisk",
        new io.portcullis.jail.Account("100", "pjsip"),
        Instant.ofEpochSecond(1714557600),
        60,
        30,
        Duration.ofMinutes(10),
        Instant.ofEpochSecond(1714561200));
  }

  @Test
  void accountUnderAttack_isPostedAsItsOwnEvent_genericAndSlack() throws Exception {
    new WebhookAction("asterisk", Map.of("url", url()), m -> {}).alert(alert());
    JsonNode o = new ObjectMapper().readTree(bodies.get(0));
    assertThat(o.get("event").asText()).isEqualTo("account-under-attack");
    assertThat(o.get("account").asText()).isEqualTo("100");
    assertThat(o.get("service").asText()).isEqualTo("pjsip");
    assertThat(o.get("failures").asInt()).isEqualTo(60);
    assertThat(o.get("addresses").asInt()).isEqualTo(30);
    assertThat(o.get("findtime").asLong()).isEqualTo(600);
    assertThat(o.get("until").asLong()).isEqualTo(1714561200L);
    new WebhookAction("asterisk", Map.of("url", url(), "format", "slack"), m -> {}).alert(alert());
    assertThat(new ObjectMapper().readTree(bodies.get(1)).get("text").asText())
        .startsWith("[asterisk] account 100 (pjsip) under attack: 60 failures from 30 address(es)");
  }

  @Test
  void unreachableReceiver_failsAfterItsRetries_andABadUrlIsRefused() {
    WebhookAction a =
        new WebhookAction(
            "asterisk",
            Map.of("url", "http://127.0.0.1:1/none", "retries", "1", "timeout", "1s"),
            m -> {});
    assertThatThrownBy(() -> a.ban(ban())).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> new WebhookAction("j", Map.of("url", "ftp://x"), m -> {}))
        .hasMessageContaining("url=http");
  }
}
