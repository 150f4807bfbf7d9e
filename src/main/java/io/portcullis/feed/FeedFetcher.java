package io.portcullis.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads a feed: a file, one HTTP body with a conditional GET (ETag, Last-Modified), or APIBAN's
 * pages following the {@code ID} cursor. Bounded: at most {@link #MAX_BYTES} per body, {@link
 * #MAX_PAGES} pages, and the feed's timeout for the whole download.
 */
final class FeedFetcher {
  static final long MAX_BYTES = 64L << 20;
  static final int MAX_PAGES = 2_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a download gave: new pages, or "not modified" (the validators to send next time). */
  record Fetched(boolean notModified, List<String> pages, String etag, String lastModified) {
    Fetched {
      pages = List.copyOf(pages);
    }
  }

  private final HttpClient http;

  FeedFetcher(Duration connectTimeout) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /**
   * Fetches a feed; {@code etag}/{@code lastModified}: the validators of the body in force (null
   * for none).
   *
   * @throws IOException what went wrong (HTTP status, timeout, too large, ...)
   */
  Fetched fetch(FeedSettings f, String etag, String lastModified)
      throws IOException, InterruptedException {
    if (f.file() != null) {
      if (Files.size(f.file()) > MAX_BYTES) {
        throw new IOException(f.file() + " is larger than " + (MAX_BYTES >> 20) + " MiB");
      }
      return new Fetched(
          false, List.of(Files.readString(f.file(), StandardCharsets.UTF_8)), null, null);
    }
    long deadline = System.nanoTime() + f.timeout().toNanos();
    if (f.format() instanceof FeedFormat.Apiban) {
      return apiban(f, deadline);
    }
    HttpRequest.Builder req = request(f.url(), deadline);
    if (etag != null) {
      req.header("If-None-Match", etag);
    }
    if (lastModified != null) {
      req.header("If-Modified-Since", lastModified);
    }
    HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 304) {
      return new Fetched(true, List.of(), etag, lastModified);
    }
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + f.source());
    }
    return new Fetched(
        false,
        List.of(body(r)),
        r.headers().firstValue("ETag").orElse(null),
        r.headers().firstValue("Last-Modified").orElse(null));
  }

  /**
   * APIBAN: the list from its start, page after page: each page names the {@code ID} of the next
   * ({@code url/ID}); {@code "none"} ends it. A 400 whose body says {@code "ID": "none"} is APIBAN
   * saying that nothing more is there.
   */
  private Fetched apiban(FeedSettings f, long deadline) throws IOException, InterruptedException {
    List<String> pages = new ArrayList<>();
    String base = f.url().toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String id = null;
    for (int n = 0; n < MAX_PAGES; n++) {
      URI uri = URI.create(id == null ? base : base + "/" + id);
      HttpResponse<byte[]> r =
          http.send(request(uri, deadline).build(), HttpResponse.BodyHandlers.ofByteArray());
      String body = body(r);
      JsonNode page = null;
      try {
        page = JSON.readTree(body);
      } catch (IOException e) {
        // judged below with the status
      }
      String next = page == null ? null : page.path("ID").asText(null);
      if (r.statusCode() == 400 && "none".equals(next)) {
        return new Fetched(false, pages, null, null);
      }
      if (r.statusCode() != 200) {
        throw new IOException(
            "HTTP " + r.statusCode() + " from " + f.source() + " (page " + (n + 1) + ")");
      }
      if (page == null || !page.isObject()) {
        throw new IOException("page " + (n + 1) + " from " + f.source() + " is not a JSON object");
      }
      pages.add(body);
      if (next == null) {
        throw new IOException("page " + (n + 1) + " from " + f.source() + " has no ID");
      }
      if (next.equals("none")) {
        return new Fetched(false, pages, null, null);
      }
      if (!next.matches("[A-Za-z0-9_-]{1,64}") || next.equals(id)) {
        throw new IOException(
            "page "
                + (n + 1)
                + " from "
                + f.source()
                + ": ID '"
                + (next.length() > 64 ? next.substring(0, 64) : next)
                + "' is not a cursor to follow");
      }
      id = next;
    }
    throw new IOException(f.source() + ": more than " + MAX_PAGES + " pages");
  }

  private static HttpRequest.Builder request(URI uri, long deadline) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IOException("timed out");
    }
    return HttpRequest.newBuilder(uri).timeout(Duration.ofNanos(left)).GET();
  }

  private static String body(HttpResponse<byte[]> r) throws IOException {
    if (r.body().length > MAX_BYTES) {
      throw new IOException("body larger than " + (MAX_BYTES >> 20) + " MiB");
    }
    return new String(r.body(), StandardCharsets.UTF_8);
  }
}
