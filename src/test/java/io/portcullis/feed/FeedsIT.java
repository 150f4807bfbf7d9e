package io.portcullis.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.config.Origin;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.TestClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds served by a real HTTP server on loopback (JDK's): each format, APIBAN's paging, the
 * conditional GET, failed downloads that keep what is in force, and the list kept for a restart.
 * The jail side is a recording {@link FeedTarget} (the kernel side is FeedNetnsIT's).
 */
class FeedsIT {
  /** A page the server answers: status, body, headers. */
  record Page(int status, String body, Map<String, String> headers) {}

  @TempDir Path dir;

  private HttpServer http;
  private final Map<String, Page> pages = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> conditional = new CopyOnWriteArrayList<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final TestClock clock = new TestClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final Recorder jail = new Recorder();

  /** The jail's side: an ignore list, and the elements "in the kernel" with their timeouts. */
  static final class Recorder implements FeedTarget {
    final Set<IpAddress> ignored = new LinkedHashSet<>();
    final Map<IpAddress, Duration> kernel = new ConcurrentHashMap<>();
    final List<String> calls = new ArrayList<>();
    boolean refuse;

    @Override
    public List<IpAddress> screen(String jail, List<IpAddress> entries) {
      return entries.stream().filter(ip -> !ignored.contains(ip)).toList();
    }

    @Override
    public void apply(
        String jail,
        Collection<IpAddress> remove,
        Collection<IpAddress> refresh,
        Collection<IpAddress> add,
        Duration timeout)
        throws IOException {
      if (refuse) {
        throw new IOException("nft -f - failed (1): Error: Could not process rule");
      }
      calls.add("-" + remove.size() + " ~" + refresh.size() + " +" + add.size());
      remove.forEach(kernel::remove);
      refresh.forEach(ip -> kernel.put(ip, timeout));
      add.forEach(ip -> kernel.put(ip, timeout));
    }

    Set<String> inKernel() {
      return kernel.keySet().stream().map(IpAddress::toString).collect(Collectors.toSet());
    }
  }

  @BeforeEach
  void serve() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", this::answer);
    http.start();
  }

  @AfterEach
  void stop() {
    http.stop(0);
  }

  private void answer(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    requests.add(path);
    String inm = x.getRequestHeaders().getFirst("If-None-Match");
    Page p = pages.getOrDefault(path, new Page(404, "not found", Map.of()));
    if (inm != null) {
      conditional.add(inm);
      if (inm.equals(p.headers().get("ETag"))) {
        x.sendResponseHeaders(304, -1);
        x.close();
        return;
      }
    }
    p.headers().forEach((k, v) -> x.getResponseHeaders().add(k, v));
    byte[] b = p.body().getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(p.status(), b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      x.getResponseBody().write(b);
    }
    x.close();
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
  }

  private FeedSettings feed(String path, FeedFormat format, int max) {
    return new FeedSettings(
        "test",
        url(path),
        null,
        format,
        Duration.ofMinutes(10),
        "asterisk",
        Duration.ofMinutes(30),
        max,
        Duration.ofSeconds(10),
        Origin.NONE);
  }

  private Feeds feeds(FeedSettings f, Path cache) {
    return new Feeds(List.of(f), jail, clock, cache, new Feeds.Log(log::add, log::add));
  }

  private static Feeds.Status status(Feeds f) {
    return f.status().get(0);
  }

  @Test
  void plainList_goesIntoTheKernelWithBantime_invalidEntriesCountedAndSkipped() throws Exception {
    pages.put(
        "/list.txt",
        new Page(200, "# honeypot\n203.0.113.1\n203.0.113.2 ; x\nbogus\n2001:db8::5\n", Map.of()));
    Feeds f = feeds(feed("/list.txt", new FeedFormat.Plain(), 1000), null);
    assertThat(f.refreshNow("test", Duration.ofSeconds(30))).isTrue();
    assertThat(jail.inKernel())
        .containsExactlyInAnyOrder("203.0.113.1", "203.0.113.2", "2001:db8::5");
    assertThat(jail.kernel.values()).containsOnly(Duration.ofMinutes(30));
    assertThat(status(f).entries()).isEqualTo(3);
    assertThat(status(f).invalid()).isEqualTo(1);
    assertThat(status(f).lastError()).isNull();
    assertThat(String.join("\n", log)).contains("not an address, skipped (e.g. bogus)");
  }

  @Test
  void csvAndJson_feeds_readTheirColumnAndPath() throws Exception {
    pages.put("/l.csv", new Page(200, "ip,score\n198.51.100.4,9\n198.51.100.5,3\n", Map.of()));
    Feeds csv = feeds(feed("/l.csv", new FeedFormat.Csv(1, ',', true), 1000), null);
    csv.refreshNow("test", Duration.ofSeconds(30));
    assertThat(jail.inKernel()).containsExactlyInAnyOrder("198.51.100.4", "198.51.100.5");
    jail.kernel.clear();
    pages.put(
        "/l.json",
        new Page(200, "{\"data\":[{\"ip\":\"192.0.2.77\"},{\"ip\":\"2001:db8::77\"}]}", Map.of()));
    Feeds json =
        feeds(feed("/l.json", new FeedFormat.Json(JsonPath.parse("data[].ip")), 1000), null);
    json.refreshNow("test", Duration.ofSeconds(30));
    assertThat(jail.inKernel()).containsExactlyInAnyOrder("192.0.2.77", "2001:db8::77");
  }

  @Test
  void apiban_followsTheIdCursor_untilNone() throws Exception {
    pages.put(
        "/api/KEY/banned",
        new Page(
            200,
            "{\"ipaddress\":[\"203.0.113.10\",\"203.0.113.11\"],\"ID\":\"1700000001\"}",
            Map.of()));
    pages.put(
        "/api/KEY/banned/1700000001",
        new Page(200, "{\"ipaddress\":[\"203.0.113.12\"],\"ID\":\"1700000002\"}", Map.of()));
    pages.put(
        "/api/KEY/banned/1700000002",
        new Page(400, "{\"ipaddress\":[\"no new bans\"],\"ID\":\"none\"}", Map.of()));
    Feeds f = feeds(feed("/api/KEY/banned", new FeedFormat.Apiban(), 1000), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(requests)
        .containsExactly(
            "/api/KEY/banned", "/api/KEY/banned/1700000001", "/api/KEY/banned/1700000002");
    assertThat(jail.inKernel())
        .containsExactlyInAnyOrder("203.0.113.10", "203.0.113.11", "203.0.113.12");
    assertThat(status(f).lastError()).isNull();
  }

  @Test
  void apiban_lastPageWithIdNoneAnd200_endsTheListToo() throws Exception {
    pages.put("/b", new Page(200, "{\"ipaddress\":[\"203.0.113.20\"],\"ID\":\"7\"}", Map.of()));
    pages.put("/b/7", new Page(200, "{\"ID\":\"none\"}", Map.of()));
    Feeds f = feeds(feed("/b", new FeedFormat.Apiban(), 1000), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(jail.inKernel()).containsExactly("203.0.113.20");
  }

  @Test
  void conditionalGet_304_keepsTheListAndRenewsItsTimeout() throws Exception {
    pages.put("/l", new Page(200, "203.0.113.30\n203.0.113.31\n", Map.of("ETag", "\"v1\"")));
    Feeds f = feeds(feed("/l", new FeedFormat.Plain(), 1000), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    clock.advance(Duration.ofMinutes(10));
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(conditional).containsExactly("\"v1\"");
    assertThat(status(f).notModified()).isEqualTo(1);
    assertThat(status(f).entries()).isEqualTo(2);
    assertThat(jail.calls).containsExactly("-0 ~0 +2", "-0 ~2 +0");
    assertThat(status(f).lastGood()).isEqualTo(clock.instant());
  }

  @Test
  void refresh_replacesTheSet_leaversRemovedNewcomersAdded() throws Exception {
    pages.put("/l", new Page(200, "203.0.113.40\n203.0.113.41\n", Map.of()));
    Feeds f = feeds(feed("/l", new FeedFormat.Plain(), 1000), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    pages.put("/l", new Page(200, "203.0.113.41\n203.0.113.42\n", Map.of()));
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(jail.inKernel()).containsExactlyInAnyOrder("203.0.113.41", "203.0.113.42");
    assertThat(jail.calls).last().isEqualTo("-1 ~1 +1");
  }

  @Test
  void corruptDownload_httpErrorOrKernelRefusal_keepWhatIsInForce() throws Exception {
    pages.put("/l", new Page(200, "203.0.113.50\n203.0.113.51\n", Map.of()));
    Feeds f = feeds(feed("/l", new FeedFormat.Plain(), 1000), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    Instant good = clock.instant();
    // an error page served as 200
    pages.put(
        "/l", new Page(200, "<html>\n<body>\nService Unavailable\n</body>\n</html>\n", Map.of()));
    clock.advance(Duration.ofMinutes(10));
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(jail.inKernel()).containsExactlyInAnyOrder("203.0.113.50", "203.0.113.51");
    assertThat(status(f).lastError()).contains("does not look like the list");
    assertThat(status(f).lastGood()).isEqualTo(good);
    assertThat(status(f).expires()).isEqualTo(good.plus(Duration.ofMinutes(30)));
    pages.put("/l", new Page(503, "busy", Map.of()));
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(status(f).lastError()).contains("HTTP 503");
    pages.put("/l", new Page(200, "203.0.113.52\n", Map.of()));
    jail.refuse = true;
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(status(f).lastError()).contains("Could not process rule");
    assertThat(status(f).entries()).isEqualTo(2);
    assertThat(status(f).failures()).isEqualTo(3);
    assertThat(jail.inKernel()).containsExactlyInAnyOrder("203.0.113.50", "203.0.113.51");
    assertThat(String.join("\n", log))
        .contains("the 2 entries in force stay until " + good.plus(Duration.ofMinutes(30)));
  }

  @Test
  void listThatShrinksToNearlyNothing_isHeldOnce_thenBelieved() throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      big.append("198.51.100.").append(i).append('\n');
    }
    pages.put("/l", new Page(200, big.toString(), Map.of()));
    Feeds f = feeds(feed("/l", new FeedFormat.Plain(), 1000), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    pages.put("/l", new Page(200, "# nothing today\n", Map.of()));
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(status(f).entries()).isEqualTo(200);
    assertThat(status(f).lastError()).contains("shrank from 200 to 0");
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(status(f).entries()).isZero();
    assertThat(jail.inKernel()).isEmpty();
  }

  @Test
  void ignoredAddressInTheFeed_isNotBanned() throws Exception {
    jail.ignored.add(IpAddress.parse("192.0.2.10"));
    pages.put("/l", new Page(200, "192.0.2.10\n203.0.113.60\n", Map.of()));
    Feeds f = feeds(feed("/l", new FeedFormat.Plain(), 1000), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(jail.inKernel()).containsExactly("203.0.113.60");
    assertThat(status(f).screened()).isEqualTo(1);
  }

  @Test
  void maxentries_capsWhatGoesIntoTheKernel() throws Exception {
    pages.put(
        "/l", new Page(200, "203.0.113.1\n203.0.113.2\n203.0.113.3\n203.0.113.4\n", Map.of()));
    Feeds f = feeds(feed("/l", new FeedFormat.Plain(), 3), null);
    f.refreshNow("test", Duration.ofSeconds(30));
    assertThat(jail.kernel).hasSize(3);
    assertThat(String.join("\n", log)).contains("1 entries beyond maxentries = 3 left out");
  }

  @Test
  void restart_putsTheCachedListBackWithItsTimeLeft_andWaitsForTheInterval() throws Exception {
    pages.put("/l", new Page(200, "203.0.113.70\n203.0.113.71\n", Map.of("ETag", "\"e\"")));
    Path cache = dir.resolve("feeds");
    feeds(feed("/l", new FeedFormat.Plain(), 1000), cache)
        .refreshNow("test", Duration.ofSeconds(30));
    jail.kernel.clear();
    requests.clear();
    clock.advance(Duration.ofMinutes(4));
    Feeds again = feeds(feed("/l", new FeedFormat.Plain(), 1000), cache).start();
    try {
      io.portcullis.testing.Await.until(
          "the cached list back in the kernel",
          Duration.ofSeconds(10),
          () -> jail.kernel.size() == 2);
      assertThat(jail.kernel.values()).containsOnly(Duration.ofMinutes(26));
      assertThat(requests).isEmpty();
      assertThat(status(again).nextFetch()).isEqualTo(clock.instant().plus(Duration.ofMinutes(6)));
      clock.advance(Duration.ofMinutes(6));
      io.portcullis.testing.Await.until(
          "the next fetch, conditional",
          Duration.ofSeconds(10),
          () -> conditional.contains("\"e\""));
    } finally {
      again.close();
    }
  }
}
