package io.portcullis.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.control.ProtocolMapper;
import io.portcullis.control.Replies;
import io.portcullis.server.Server;
import io.portcullis.testing.AsteriskLines;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of a real server: its log file watched, its SQLite file, its listeners on loopback.
 * Failures go through the log; the API, the metrics (read by the Prometheus client's own parser)
 * and the OpenAPI document are checked against what happened.
 */
class WebApiIT {
  private static final String TOKEN = "4f1c9a0e8b7d6c5f4e3d2c1b0a998877";
  private static final String ATTACKER = "203.0.113.7";
  private static final String OTHER = "198.51.100.9";

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = ProtocolMapper.JSON;
  private Server server;
  private Path log;
  private String base;

  private void start(boolean withToken) throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
    log = dir.resolve("messages");
    if (!Files.exists(log)) {
      Files.createFile(log);
    }
    Path token = dir.resolve("api.token");
    if (withToken) {
      Files.writeString(token, TOKEN + "\n");
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    }
    Files.writeString(
        dir.resolve("conf/portcullis.conf"),
        ServerProcess.settings(dir)
            + "[http]\nlisten = 127.0.0.1:0 [::1]:0\ntokenfile = "
            + token
            + "\n");
    Files.writeString(
        dir.resolve("conf/jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nmaxretry = 3\nbantime = 1h\nfindtime = 10m\nlogtimezone = UTC\n"
            + "ignoreself = false\naction = log\n");
    server = Server.start(dir.resolve("conf"), Clock.systemUTC(), null);
    InetSocketAddress a = web().addresses().get(0);
    base = "http://127.0.0.1:" + a.getPort();
  }

  private WebServer web() {
    return server.web().orElseThrow();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private String failure(String ip) {
    return AsteriskLines.wrongPassword("100", "x", ip + ":5060");
  }

  private void write(List<String> lines) throws IOException {
    Files.writeString(
        log, String.join("\n", lines) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private HttpResponse<String> call(String method, String path, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = call("GET", path, null, null);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  /** Three failures of the attacker (a ban) and one of somebody else; waits for the ban. */
  private List<String> attack() throws Exception {
    List<String> lines = List.of(failure(ATTACKER), failure(ATTACKER), failure(ATTACKER));
    List<String> all = new ArrayList<>(lines);
    all.add(1, failure(OTHER));
    write(all);
    Await.until(
        "the ban in the API",
        Duration.ofSeconds(15),
        Await.quietly(() -> get("/api/v1/bans").size() == 1));
    return lines;
  }

  @Test
  void failuresThroughAWatchedLog_showInBansWhyHistoryStats_andTheMetrics() throws Exception {
    start(true);
    List<String> lines = attack();
    Replies.BanDetail[] bans = json.treeToValue(get("/api/v1/bans"), Replies.BanDetail[].class);
    assertThat(bans).hasSize(1);
    assertThat(bans[0].ip()).isEqualTo(ATTACKER);
    assertThat(bans[0].failures()).isEqualTo(3);
    assertThat(bans[0].evidence())
        .extracting(e -> e.evidence().lines().get(0))
        .containsExactlyElementsOf(lines);
    assertThat(bans[0].evidence()).allMatch(e -> e.evidence().file().equals(log.toString()));

    Replies.History why = json.treeToValue(get("/api/v1/why/" + ATTACKER), Replies.History.class);
    assertThat(why.banned()).extracting(Replies.BanEntry::jail).containsExactly("asterisk");
    assertThat(why.events().get(0).causes()).hasSize(3);

    Replies.Event[] history =
        json.treeToValue(get("/api/v1/history?limit=10"), Replies.Event[].class);
    assertThat(history)
        .extracting(Replies.Event::kind)
        .containsOnly(Replies.EventKind.FAILURE, Replies.EventKind.BAN)
        .hasSize(5);

    Replies.Stats stats =
        json.treeToValue(get("/api/v1/stats?window=1h&step=1m"), Replies.Stats.class);
    Replies.Series s = stats.jails().get("asterisk");
    assertThat(s.failures()).hasSize(60);
    assertThat(s.failures().stream().mapToInt(Integer::intValue).sum()).isEqualTo(4);
    assertThat(s.bans().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
    assertThat(stats.addresses().get(0)).isEqualTo(new Replies.Offender(ATTACKER, 3, 1, null));
    assertThat(stats.networks())
        .contains(
            new Replies.Offender("203.0.113.0/24", 3, 1, 1),
            new Replies.Offender("198.51.100.0/24", 1, 0, 1));

    HttpResponse<String> m = call("GET", "/metrics", null, null);
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    List<PrometheusText.Sample> samples = PrometheusText.parse(m.body());
    assertThat(PrometheusText.value(samples, "portcullis_lines_total", "jail", "asterisk"))
        .isEqualTo(4);
    assertThat(PrometheusText.value(samples, "portcullis_failures_total", "jail", "asterisk"))
        .isEqualTo(4);
    assertThat(PrometheusText.value(samples, "portcullis_bans_total", "jail", "asterisk"))
        .isEqualTo(1);
    assertThat(PrometheusText.value(samples, "portcullis_unbans_total", "jail", "asterisk"))
        .isZero();
    assertThat(
            PrometheusText.value(
                samples, "portcullis_banned", "jail", "asterisk", "family", "ipv4"))
        .isEqualTo(1);
    assertThat(
            PrometheusText.value(
                samples, "portcullis_banned", "jail", "asterisk", "family", "ipv6"))
        .isZero();
    assertThat(PrometheusText.value(samples, "portcullis_allowed", "jail", "asterisk")).isZero();
    assertThat(
            PrometheusText.value(
                samples, "portcullis_action_errors_total", "jail", "asterisk", "action", "log"))
        .isZero();
    assertThat(PrometheusText.value(samples, "portcullis_firewall_repairs_total")).isZero();
    assertThat(
            PrometheusText.value(samples, "portcullis_regex_budget_hits_total", "jail", "asterisk"))
        .isZero();

    // an unban and an allow through the API move the counters
    Replies.BanResult lifted =
        json.readValue(
            call("DELETE", "/api/v1/bans/" + ATTACKER, TOKEN, null).body(),
            Replies.BanResult.class);
    assertThat(lifted.count()).isEqualTo(1);
    assertThat(lifted.stored()).isEqualTo(1);
    assertThat(lifted.complete()).isTrue();
    assertThat(
            call(
                    "POST",
                    "/api/v1/jails/asterisk/allowed",
                    TOKEN,
                    "{\"ip\":\"192.0.2.10\",\"duration\":\"1h\"}")
                .statusCode())
        .isEqualTo(200);
    samples = PrometheusText.parse(call("GET", "/metrics", null, null).body());
    assertThat(PrometheusText.value(samples, "portcullis_unbans_total", "jail", "asterisk"))
        .isEqualTo(1);
    assertThat(PrometheusText.value(samples, "portcullis_allowed", "jail", "asterisk"))
        .isEqualTo(1);
  }

  @Test
  void writes_withoutTheTokenOrWithAWrongOne_are401_andChangeNothing() throws Exception {
    start(true);
    attack();
    String before = state();
    List<String[]> writes =
        List.of(
            new String[] {
              "POST", "/api/v1/bans", "{\"jail\":\"asterisk\",\"ips\":[\"192.0.2.7\"]}"
            },
            new String[] {"DELETE", "/api/v1/bans/" + ATTACKER, null},
            new String[] {"PUT", "/api/v1/jails/asterisk/settings", "{\"maxretry\":9}"},
            new String[] {"POST", "/api/v1/jails/asterisk/allowed", "{\"ip\":\"192.0.2.8\"}"},
            new String[] {"POST", "/api/v1/jails/asterisk/ignore", "{\"ip\":\"192.0.2.0/24\"}"});
    for (String[] w : writes) {
      for (String token : new String[] {null, "wrong-token-of-the-right-length", TOKEN + "x"}) {
        HttpResponse<String> r = call(w[0], w[1], token, w[2]);
        assertThat(r.statusCode()).as(w[0] + " " + w[1] + " with " + token).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
            .hasValue("Bearer realm=\"portcullis\"");
        assertThat(json.readValue(r.body(), Api.ApiError.class).code()).isEqualTo(2);
      }
    }
    assertThat(state()).isEqualTo(before);
    // the same with the token: each changes what it says
    for (String[] w : writes) {
      assertThat(call(w[0], w[1], TOKEN, w[2]).statusCode()).as(w[1]).isEqualTo(200);
    }
    assertThat(state()).isNotEqualTo(before);
    assertThat(get("/api/v1/jails/asterisk/settings").get("maxretry").asInt()).isEqualTo(9);
    assertThat(get("/api/v1/bans").toString()).contains("192.0.2.7").doesNotContain(ATTACKER);
  }

  /** Everything a write could change. */
  private String state() throws Exception {
    return get("/api/v1/bans")
        + " "
        + get("/api/v1/jails/asterisk/settings")
        + " "
        + get("/api/v1/jails/asterisk/allowed")
        + " "
        + get("/api/v1/jails/asterisk/ignore");
  }

  @Test
  void aTokenFileOthersCanRead_orNone_leavesTheApiReadOnly() throws Exception {
    Path token = dir.resolve("api.token");
    Files.writeString(token, TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    start(false);
    attack();
    HttpResponse<String> r = call("DELETE", "/api/v1/bans/" + ATTACKER, TOKEN, null);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("the API is read-only").contains("may be read by others");
    assertThat(get("/api/v1/bans").size()).isEqualTo(1);
    Await.until(
        "the reason in the log",
        Duration.ofSeconds(5),
        () -> serverLog().contains("(read-only: tokenfile " + token + " may be read by others"));
    server.close();
    Files.delete(token);
    server = Server.start(dir.resolve("conf"), Clock.systemUTC(), null);
    base = "http://127.0.0.1:" + web().addresses().get(0).getPort();
    assertThat(call("DELETE", "/api/v1/bans/" + ATTACKER, TOKEN, null).statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/bans").size()).isEqualTo(1);
  }

  private String serverLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void listeners_areTheLoopbackAddressesWritten_andNothingElse() throws Exception {
    start(true);
    List<InetSocketAddress> bound = web().addresses();
    assertThat(bound).hasSize(2);
    assertThat(bound).allMatch(a -> a.getAddress().isLoopbackAddress());
    assertThat(bound.get(0).getAddress()).isInstanceOf(Inet4Address.class);
    assertThat(bound.get(1).getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    // this machine's other addresses do not answer on those ports
    int tried = 0;
    for (NetworkInterface n : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : java.util.Collections.list(n.getInetAddresses())) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress()) {
          continue;
        }
        for (InetSocketAddress b : bound) {
          tried++;
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(a, b.getPort()), 2000);
            throw new AssertionError(a + ":" + b.getPort() + " answered");
          } catch (ConnectException refused) {
            // as it should
          }
        }
      }
    }
    System.out.println("WebApiIT: " + tried + " connection(s) to non-loopback addresses refused");
    // a page that reached this port through a name of its own (DNS rebinding) is refused
    // (java.net.http will not send another Host: a plain socket does)
    String answer;
    try (Socket socket = new Socket("127.0.0.1", bound.get(0).getPort())) {
      socket
          .getOutputStream()
          .write(
              ("GET /api/v1/status HTTP/1.1\r\nHost: attacker.example:"
                      + bound.get(0).getPort()
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).startsWith("HTTP/1.1 421 ").contains("its own address only");
    assertThat(call("GET", "/api/v1/status", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void openApiDocument_namesEveryEndpoint_andEachAnswersAsDocumented() throws Exception {
    start(true);
    attack();
    JsonNode doc = get("/api/v1/openapi.json");
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    SchemaCheck schemas = new SchemaCheck(doc);
    // every endpoint is documented, every documented operation exists
    Set<String> documented = new TreeSet<>();
    doc.get("paths")
        .fields()
        .forEachRemaining(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        m ->
                            documented.add(
                                m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
    assertThat(documented).isEqualTo(new TreeSet<>(web().routes()));

    // each operation with its examples: reads first, then writes, deletions last
    List<String[]> operations = new ArrayList<>();
    for (String op : documented) {
      operations.add(op.split(" ", 2));
    }
    operations.sort(
        java.util.Comparator.comparingInt(
            o -> o[0].equals("GET") ? 0 : o[0].equals("DELETE") ? 2 : 1));
    int checked = 0;
    for (String[] o : operations) {
      JsonNode op = doc.get("paths").get(o[1]).get(o[0].toLowerCase(java.util.Locale.ROOT));
      String path = o[1];
      StringBuilder query = new StringBuilder();
      for (JsonNode p : op.path("parameters")) {
        String example =
            java.net.URLEncoder.encode(p.get("example").asText(), StandardCharsets.UTF_8);
        if (p.get("in").asText().equals("path")) {
          path = path.replace("{" + p.get("name").asText() + "}", example);
        } else if (p.get("in").asText().equals("query")) {
          query
              .append(query.length() == 0 ? "?" : "&")
              .append(p.get("name").asText())
              .append('=')
              .append(example);
        }
      }
      JsonNode bodyExample = op.at("/requestBody/content/application~1json/example");
      String body = bodyExample.isMissingNode() ? null : bodyExample.toString();
      boolean write = op.has("security");
      if (write) {
        // without the token first: 401, documented, an ApiError
        HttpResponse<String> r = call(o[0], path + query, null, body);
        expect(schemas, op, o, r, 401);
      }
      if (o[1].equals("/api/v1/events")) {
        checkEvents(schemas, op);
        checked++;
        continue;
      }
      HttpResponse<String> r = call(o[0], path + query, write ? TOKEN : null, body);
      expect(schemas, op, o, r, 200);
      checked++;
      // a jail that does not exist: 404 where the path names one
      if (o[1].contains("{jail}")) {
        expect(
            schemas,
            op,
            o,
            call(
                o[0], path.replace("/asterisk", "/nosuchjail") + query, write ? TOKEN : null, body),
            404);
      }
      // something that is no address: 400 where the path names one
      if (o[1].contains("{ip}")) {
        String bad = path.substring(0, path.lastIndexOf('/') + 1) + "not-an-address";
        expect(schemas, op, o, call(o[0], bad, write ? TOKEN : null, body), 400);
      }
    }
    assertThat(checked).isEqualTo(documented.size());
  }

  /** The status is one the operation documents, and the body fits its schema. */
  private void expect(
      SchemaCheck schemas, JsonNode op, String[] o, HttpResponse<String> r, int status)
      throws IOException {
    String what = o[0] + " " + o[1] + " -> " + r.statusCode() + " " + r.body();
    assertThat(r.statusCode()).as(what).isEqualTo(status);
    JsonNode response = op.path("responses").get(Integer.toString(status));
    assertThat(response).as(what + ": status not documented").isNotNull();
    Map.Entry<String, JsonNode> content = response.get("content").fields().next();
    String type = r.headers().firstValue("Content-Type").orElse("");
    assertThat(type).as(what).startsWith(content.getKey());
    if (content.getKey().equals("application/json")) {
      assertThat(schemas.problems(json.readTree(r.body()), content.getValue().get("schema")))
          .as(what)
          .isEmpty();
    }
  }

  /** The live feed: an event stream whose ban event fits the Event schema. */
  private void checkEvents(SchemaCheck schemas, JsonNode op) throws Exception {
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    JsonNode schema = op.at("/responses/200/content/text~1event-stream/schema");
    try (InputStream in = r.body()) {
      // the stream is open: a ban now comes through it
      write(List.of(failure("203.0.113.99"), failure("203.0.113.99"), failure("203.0.113.99")));
      StringBuilder text = new StringBuilder();
      long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      byte[] buf = new byte[4096];
      while (!text.toString().contains("event: ban\n") || !text.toString().endsWith("\n\n")) {
        assertThat(System.nanoTime()).as("a ban event within 15 s: " + text).isLessThan(end);
        int n = in.read(buf);
        assertThat(n).as("the stream ended: " + text).isPositive();
        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      int checked = 0;
      for (String block : text.toString().split("\n\n")) {
        String event = null;
        String data = null;
        for (String line : block.split("\n")) {
          if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            data = line.substring(6);
          }
        }
        if (data != null && !"dropped".equals(event)) {
          JsonNode e = json.readTree(data);
          assertThat(e.get("kind").asText()).isEqualTo(event);
          assertThat(schemas.problems(e, schema)).as(data).isEmpty();
          checked++;
        }
      }
      assertThat(checked).isGreaterThanOrEqualTo(4); // three failures and the ban
    }
  }

  @Test
  void ban_answersTheSocketsBanResult_andRefusesAnEverythingNetworkUnlessForced() throws Exception {
    // the API answered {"banned": n} while the socket answers a BanResult (store and actions)
    start(true);
    HttpResponse<String> r =
        call("POST", "/api/v1/bans", TOKEN, "{\"jail\":\"asterisk\",\"ips\":[\"192.0.2.7\"]}");
    assertThat(r.statusCode()).isEqualTo(200);
    Replies.BanResult banned = json.readValue(r.body(), Replies.BanResult.class);
    assertThat(banned.count()).isEqualTo(1);
    assertThat(banned.stored()).isEqualTo(1);
    assertThat(banned.actions()).extracting(Replies.ActionResult::action).containsExactly("log");
    assertThat(banned.complete()).isTrue();

    r = call("POST", "/api/v1/bans", TOKEN, "{\"jail\":\"asterisk\",\"ips\":[\"0.0.0.0/0\"]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json.readValue(r.body(), Api.ApiError.class).code()).isEqualTo(2);
    assertThat(get("/api/v1/bans").toString()).doesNotContain("0.0.0.0/0");
    r =
        call(
            "POST",
            "/api/v1/bans",
            TOKEN,
            "{\"jail\":\"asterisk\",\"ips\":[\"0.0.0.0/0\"],\"force\":true}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json.readValue(r.body(), Replies.BanResult.class).count()).isEqualTo(1);

    // unban of an address lifts the network bans that hold it too (it must become reachable):
    // its own ban and 0.0.0.0/0
    r = call("DELETE", "/api/v1/bans/192.0.2.7", TOKEN, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json.readValue(r.body(), Replies.BanResult.class).count()).isEqualTo(2);
    assertThat(get("/api/v1/bans").toString()).doesNotContain("0.0.0.0/0");
  }

  @Test
  void unknownPaths_wrongMethods_andBadBodies_areJsonErrors() throws Exception {
    start(true);
    HttpResponse<String> r = call("GET", "/api/v1/nothing", null, null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json.readValue(r.body(), Api.ApiError.class).code()).isEqualTo(2);
    r = call("PATCH", "/api/v1/bans", TOKEN, "{}");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, POST");
    r = call("POST", "/api/v1/bans", TOKEN, "{not json");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("not the JSON expected");
    r = call("POST", "/api/v1/bans", TOKEN, "{\"jail\":\"asterisk\",\"ips\":[\"999.1.1.1\"]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json.readValue(r.body(), Api.ApiError.class))
        .isEqualTo(new Api.ApiError("'999.1.1.1' is not an IP address", 2));
    r = call("DELETE", "/api/v1/bans/192.0.2.200", TOKEN, null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json.readValue(r.body(), Api.ApiError.class))
        .isEqualTo(new Api.ApiError("not banned: 192.0.2.200", 1));
    r = call("GET", "/api/v1/stats?window=30d", null, null);
    assertThat(r.statusCode()).isEqualTo(400);
    r = call("GET", "/assets/../pom.xml", null, null);
    assertThat(r.statusCode()).isEqualTo(404);
    r = call("GET", "/", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("default-src 'none'")
        .contains("connect-src 'self'");
    for (Iterator<String> it = List.of("app.js", "app.css", "icon.svg").iterator();
        it.hasNext(); ) {
      assertThat(call("GET", "/assets/" + it.next(), null, null).statusCode()).isEqualTo(200);
    }
  }
}
