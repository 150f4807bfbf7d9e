package io.portcullis.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's files, from the jar ({@code /web/...}): nothing is fetched from elsewhere, so it
 * works offline and the browser is told to load nothing from elsewhere either.
 */
final class Assets {
  /** The files there are and their types; nothing else is served. */
  private static final Map<String, String> TYPES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "app.js", "text/javascript; charset=utf-8",
          "app.css", "text/css; charset=utf-8",
          "icon.svg", "image/svg+xml",
          "openapi.json", "application/json");

  /** What the dashboard may load: its own files and its own API, nothing else. */
  static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none';"
          + " frame-ancestors 'none'";

  private final Map<String, byte[]> files;

  Assets() {
    java.util.HashMap<String, byte[]> loaded = new java.util.HashMap<>();
    for (String name : TYPES.keySet()) {
      try (InputStream in = Assets.class.getResourceAsStream("/web/" + name)) {
        if (in == null) {
          throw new IllegalStateException("the jar lacks /web/" + name);
        }
        loaded.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    this.files = Map.copyOf(loaded);
  }

  /** A file by name, or null. */
  Answer file(String name) {
    byte[] body = files.get(name);
    return body == null ? null : new Answer.Bytes(200, TYPES.get(name), body);
  }
}
