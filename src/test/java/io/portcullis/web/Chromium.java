package io.portcullis.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, headless, driven through the DevTools protocol over Java's own
 * WebSocket client: load a page, read the page with JavaScript, click where an element is (a real
 * mouse event, not {@code element.click()}), type, take screenshots. The browser runs with a fresh
 * profile and nothing that phones home; {@link #close} ends it and its children.
 */
final class Chromium implements AutoCloseable {
  private static final Duration CALL_LIMIT = Duration.ofSeconds(30);
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final ObjectMapper json = new ObjectMapper();
  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private final Path profile;

  private Chromium(Process process, WebSocket socket, Path profile) {
    this.process = process;
    this.socket = socket;
    this.profile = profile;
  }

  /** Starts the browser with a fresh profile in {@code profile}; its output goes to {@code log}. */
  static Chromium launch(Path profile, Path log) throws Exception {
    List<String> cmd =
        List.of(
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--user-data-dir=" + profile,
            "--remote-debugging-port=0",
            "--window-size=1280,1000",
            "about:blank");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<String> browserUrl = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter out =
                      new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                String line;
                while ((line = in.readLine()) != null) {
                  out.println(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    browserUrl.complete(m.group(1));
                  }
                }
              } catch (IOException e) {
                browserUrl.completeExceptionally(e);
              }
              browserUrl.completeExceptionally(new IOException("chromium ended; see " + log));
            },
            "chromium-output");
    reader.setDaemon(true);
    reader.start();
    try {
      URI browser = URI.create(browserUrl.get(30, TimeUnit.SECONDS));
      // the page's own endpoint, from the browser's list of targets
      HttpClient http = HttpClient.newHttpClient();
      String list =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://"
                                  + browser.getHost()
                                  + ":"
                                  + browser.getPort()
                                  + "/json/list"))
                      .timeout(CALL_LIMIT)
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      String page = null;
      for (JsonNode t : new ObjectMapper().readTree(list)) {
        if (t.get("type").asText().equals("page")) {
          page = t.get("webSocketDebuggerUrl").asText();
        }
      }
      if (page == null) {
        throw new IOException("chromium shows no page: " + list);
      }
      Listener listener = new Listener();
      WebSocket ws =
          http.newWebSocketBuilder()
              .buildAsync(URI.create(page), listener)
              .get(30, TimeUnit.SECONDS);
      Chromium c = new Chromium(p, ws, profile);
      listener.owner = c;
      c.call("Page.enable", c.json.createObjectNode());
      c.call("Runtime.enable", c.json.createObjectNode());
      return c;
    } catch (Exception e) {
      kill(p);
      throw e;
    }
  }

  /** Receives the protocol's messages (a message may come in parts) and answers the callers. */
  private static final class Listener implements WebSocket.Listener {
    volatile Chromium owner;
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        Chromium c = owner;
        if (c != null) {
          c.receive(message);
        }
      }
      ws.request(1);
      return null;
    }
  }

  private void receive(String message) {
    try {
      JsonNode m = json.readTree(message);
      if (m.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
        if (f != null) {
          if (m.has("error")) {
            f.completeExceptionally(new IOException("DevTools: " + m.get("error")));
          } else {
            f.complete(m.get("result"));
          }
        }
      }
    } catch (IOException e) {
      pending.values().forEach(f -> f.completeExceptionally(e));
    }
  }

  /** Calls a DevTools method and waits for its result (at most 30 s). */
  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode m = json.createObjectNode();
    m.put("id", id);
    m.put("method", method);
    m.set("params", params);
    socket.sendText(json.writeValueAsString(m), true).get(30, TimeUnit.SECONDS);
    return f.get(CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  ObjectNode params() {
    return json.createObjectNode();
  }

  /** Opens a page and waits until it has loaded. */
  void open(String url) throws Exception {
    call("Page.navigate", params().put("url", url));
    long end = System.nanoTime() + CALL_LIMIT.toNanos();
    while (!"complete".equals(eval("document.readyState").asText())) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the page did not load within 30 s: " + url);
      }
      Thread.sleep(50);
    }
  }

  /** Evaluates JavaScript in the page (promises awaited) and returns its value. */
  JsonNode eval(String expression) throws Exception {
    JsonNode r =
        call(
            "Runtime.evaluate",
            params()
                .put("expression", expression)
                .put("returnByValue", true)
                .put("awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IOException("the page threw: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Clicks the middle of the element a selector finds, as a mouse would. */
  void click(String selector) throws Exception {
    JsonNode box =
        eval(
            "(() => { const e = document.querySelector("
                + json.writeValueAsString(selector)
                + "); if (!e) return null; e.scrollIntoView({block: 'center'});"
                + " const r = e.getBoundingClientRect();"
                + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
    if (box.isNull() || box.isMissingNode()) {
      throw new AssertionError("nothing to click at " + selector);
    }
    double x = box.get("x").asDouble();
    double y = box.get("y").asDouble();
    for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
      ObjectNode p = params().put("type", type).put("x", x).put("y", y);
      if (!type.equals("mouseMoved")) {
        p.put("button", "left").put("clickCount", 1);
      }
      call("Input.dispatchMouseEvent", p);
    }
  }

  /** Types text into the focused element. */
  void type(String text) throws Exception {
    call("Input.insertText", params().put("text", text));
  }

  /** Presses Enter in the focused element. */
  void enter() throws Exception {
    for (String type : List.of("keyDown", "keyUp")) {
      call(
          "Input.dispatchKeyEvent",
          params()
              .put("type", type)
              .put("key", "Enter")
              .put("code", "Enter")
              .put("windowsVirtualKeyCode", 13)
              .put("text", type.equals("keyDown") ? "\r" : ""));
    }
  }

  /** The viewport: a desktop window, or a phone (width, height in CSS pixels, scale 2). */
  void viewport(int width, int height, boolean phone) throws Exception {
    call(
        "Emulation.setDeviceMetricsOverride",
        params()
            .put("width", width)
            .put("height", height)
            .put("deviceScaleFactor", phone ? 2 : 1)
            .put("mobile", phone));
  }

  /** A PNG of the whole page (not only what the window shows). */
  void screenshot(Path file) throws Exception {
    // from the top: a sticky header would otherwise be drawn where the page was scrolled to
    eval(
        "window.scrollTo({top: 0, behavior: 'instant'});"
            + " new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
    JsonNode r =
        call(
            "Page.captureScreenshot",
            params().put("format", "png").put("captureBeyondViewport", true));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
  }

  /**
   * Asks the browser to quit, then ends whatever is left of it, and removes the directory of its
   * profile lock (chromium leaves it in /tmp when it does not quit by itself).
   */
  @Override
  public void close() {
    Path lock = null;
    try {
      lock = Files.readSymbolicLink(profile.resolve("SingletonSocket")).getParent();
    } catch (IOException | UnsupportedOperationException e) {
      // no lock: nothing to remove
    }
    try {
      call("Browser.close", params());
    } catch (Exception e) {
      // it may close the connection before it answers
    }
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    socket.abort();
    kill(process);
    if (lock != null && lock.getFileName().toString().startsWith("org.chromium.Chromium.")) {
      try (var files = Files.walk(lock)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // already gone
      }
    }
  }

  private static void kill(Process p) {
    List<ProcessHandle> family = new ArrayList<>(p.descendants().toList());
    p.destroyForcibly();
    family.forEach(ProcessHandle::destroyForcibly);
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
