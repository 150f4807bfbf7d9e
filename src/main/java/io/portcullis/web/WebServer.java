package io.portcullis.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.config.HttpSettings;
import io.portcullis.control.ProtocolMapper;
import io.portcullis.control.ServerControl;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The HTTP side of the server: the JSON API ({@code /api/v1}), its live feed, its OpenAPI document,
 * the Prometheus metrics ({@code /metrics}) and the dashboard ({@code /}), on the addresses of
 * {@code [http] listen} only. Writes need the bearer token of {@code tokenfile}; with no usable
 * token file the API only reads.
 *
 * <p>Design note: the JDK's own HTTP server ({@code com.sun.net.httpserver}): no dependency, starts
 * in milliseconds, and a handler may keep its response open, which is all server-sent events need.
 * Requests run on a small named pool ({@code http-N}); a request must arrive within 30 s, bodies
 * are at most 64 kB, and a page served from a loopback address only answers requests whose {@code
 * Host} is a loopback name (a web page cannot reach it through a DNS name it controls).
 */
public final class WebServer implements AutoCloseable {
  private static final int THREADS = 8 + LiveFeed.MAX_STREAMS;
  private static final int MAX_BODY = 64 * 1024;

  /** Where the web side reports. */
  public record Log(Consumer<String> notice, Consumer<String> warning, Consumer<String> error) {}

  private final List<HttpServer> servers = new ArrayList<>();
  private final ThreadPoolExecutor pool;
  private final Router router;
  private final ApiToken token;
  private final String readOnlyWhy;
  private final Log log;
  private final LiveFeed feed;
  private final Metrics metrics;

  private WebServer(HttpSettings settings, ServerControl server, Log log) {
    this.log = log;
    ApiToken.Reading reading = ApiToken.read(settings.tokenfile());
    this.token = reading instanceof ApiToken.Reading.Found f ? f.token() : null;
    this.readOnlyWhy = reading instanceof ApiToken.Reading.Missing m ? m.why() : null;
    this.feed = new LiveFeed(server);
    this.metrics = new Metrics(server, feed::dropped);
    Assets assets = new Assets();
    List<Route> routes = new ArrayList<>(new Api(server).routes());
    routes.add(Route.read("GET", Api.PREFIX + "/events", feed::stream));
    routes.add(Route.read("GET", Api.PREFIX + "/openapi.json", c -> assets.file("openapi.json")));
    routes.add(
        Route.read(
            "GET",
            "/metrics",
            c -> new Answer.Bytes(200, metrics.contentType(), metrics.scrape())));
    routes.add(Route.read("GET", "/", c -> assets.file("index.html")));
    routes.add(
        Route.read(
            "GET",
            "/assets/{file}",
            c -> {
              Answer a = c.param("file").equals("index.html") ? null : assets.file(c.param("file"));
              if (a == null) {
                throw new Api.Refused(404, 2, "no such file");
              }
              return a;
            }));
    this.router = new Router(routes);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, "http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Binds every listen address and serves; throws (nothing left bound) when one cannot be bound.
   */
  public static WebServer start(HttpSettings settings, ServerControl server, Log log)
      throws IOException {
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      // a client that sends its request slowly is cut off after 30 s (read when the class loads)
      System.setProperty("sun.net.httpserver.maxReqTime", "30");
    }
    WebServer w = new WebServer(settings, server, log);
    try {
      for (HttpSettings.Listen l : settings.listen()) {
        HttpServer s = HttpServer.create(l.socketAddress(), 64);
        s.createContext("/", w::handle);
        s.setExecutor(w.pool);
        s.start();
        w.servers.add(s);
        if (!l.loopback()) {
          log.warning()
              .accept(
                  "HTTP: "
                      + w.url(s.getAddress())
                      + " can be reached from other machines (as [http] listen says); it has no"
                      + " TLS: put a TLS proxy in front of it");
        }
      }
    } catch (IOException e) {
      w.close();
      throw new IOException(
          "HTTP: cannot listen on " + settings.listen() + ": " + e.getMessage(), e);
    }
    log.notice()
        .accept(
            "HTTP: API, dashboard and metrics on "
                + String.join(" ", w.addresses().stream().map(w::url).toList())
                + (w.token != null
                    ? " (writes need the token of " + settings.tokenfile() + ")"
                    : " (read-only: " + w.readOnlyWhy + ")"));
    return w;
  }

  /** The addresses bound (with the port chosen when the config said 0). */
  public List<InetSocketAddress> addresses() {
    return servers.stream().map(HttpServer::getAddress).toList();
  }

  private String url(InetSocketAddress a) {
    IpAddress ip = IpAddress.parseOrNull(a.getAddress().getHostAddress());
    String host = ip == null ? a.getHostString() : ip.toString();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
  }

  /** The routes, as {@code METHOD /template}: for the OpenAPI check. */
  List<String> routes() {
    return router.describe();
  }

  private void handle(HttpExchange x) {
    boolean streamed = false;
    try {
      Answer a = answer(x);
      streamed = a instanceof Answer.Streamed;
      if (!streamed) {
        send(x, a);
      }
    } catch (IOException gone) {
      // the client went away
    } finally {
      if (!streamed) {
        x.close();
      }
    }
  }

  private Answer answer(HttpExchange x) {
    String method = x.getRequestMethod();
    String path = x.getRequestURI().getRawPath();
    try {
      if (!hostAccepted(x)) {
        throw new Api.Refused(
            421, 2, "this server answers requests to its own address only (Host header)");
      }
      Router.Match m = router.match(method, path);
      if (m instanceof Router.Match.WrongMethod w) {
        x.getResponseHeaders().set("Allow", String.join(", ", w.allowed()));
        throw new Api.Refused(405, 2, method + " is not allowed here (try " + w.allowed() + ")");
      }
      if (!(m instanceof Router.Match.Found found)) {
        throw new Api.Refused(404, 2, "nothing at " + path);
      }
      Route route = found.route();
      if (route.access() == Route.Access.WRITE) {
        authorize(x);
      }
      byte[] body = readBody(x);
      Call call =
          new Call(found.params(), Call.parseQuery(x.getRequestURI().getRawQuery()), body, x);
      Answer a = route.handler().handle(call);
      if (a == null) {
        throw new Api.Refused(404, 2, "nothing at " + path);
      }
      return a;
    } catch (Api.Refused r) {
      return new Answer.Json(r.status, new Api.ApiError(r.getMessage(), r.code));
    } catch (Exception e) {
      log.error().accept("HTTP " + method + " " + path + " failed: " + e);
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      return new Answer.Json(500, new Api.ApiError(message, 1));
    }
  }

  private void authorize(HttpExchange x) throws Api.Refused {
    if (token == null) {
      throw new Api.Refused(403, 1, "the API is read-only: " + readOnlyWhy);
    }
    if (!token.accepts(x.getRequestHeaders().getFirst("Authorization"))) {
      x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"portcullis\"");
      throw new Api.Refused(
          401, 2, "this needs the API token: Authorization: Bearer <the token of tokenfile>");
    }
  }

  private static byte[] readBody(HttpExchange x) throws IOException, Api.Refused {
    try (InputStream in = x.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        throw new Api.Refused(413, 2, "the request body is larger than " + MAX_BODY + " bytes");
      }
      return body;
    }
  }

  /** From a loopback listener, only requests that name a loopback host. */
  private static boolean hostAccepted(HttpExchange x) {
    if (!x.getLocalAddress().getAddress().isLoopbackAddress()) {
      return true;
    }
    String host = x.getRequestHeaders().getFirst("Host");
    if (host == null) {
      return true; // HTTP/1.0 without Host: not a browser on someone's page
    }
    String name = host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']'))) : host;
    int colon = name.lastIndexOf(':');
    if (!host.startsWith("[") && colon >= 0) {
      name = name.substring(0, colon);
    }
    if (name.equalsIgnoreCase("localhost")) {
      return true;
    }
    IpAddress ip = IpAddress.parseOrNull(name);
    return ip != null && (ip.toString().equals("::1") || ip.toString().startsWith("127."));
  }

  private static void send(HttpExchange x, Answer a) throws IOException {
    int status;
    String type;
    byte[] body;
    if (a instanceof Answer.Json j) {
      status = j.status();
      type = "application/json";
      body = ProtocolMapper.JSON.writeValueAsBytes(j.body());
    } else {
      Answer.Bytes b = (Answer.Bytes) a;
      status = b.status();
      type = b.contentType();
      body = b.body();
    }
    Headers h = x.getResponseHeaders();
    h.set("Content-Type", type);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Cache-Control", "no-store");
    if (type.startsWith("text/html")) {
      h.set("Content-Security-Policy", Assets.POLICY);
      h.set("X-Frame-Options", "DENY");
    }
    x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    feed.close();
    for (HttpServer s : servers) {
      s.stop(0);
    }
    pool.shutdownNow();
    try {
      metrics.close();
    } catch (Exception e) {
      log.error().accept("HTTP: closing the metrics: " + e.getMessage());
    }
  }
}
