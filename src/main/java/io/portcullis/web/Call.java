package io.portcullis.web;

import com.sun.net.httpserver.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request as a route sees it: the path's parameters, the query, the body, the exchange. */
record Call(
    Map<String, String> params, Map<String, String> query, byte[] body, HttpExchange exchange) {
  Call {
    params = Map.copyOf(params);
    query = Map.copyOf(query);
  }

  String param(String name) {
    return params.get(name);
  }

  /** A query parameter, or null. */
  String query(String name) {
    return query.get(name);
  }

  /** The query of a URI ({@code a=1&b=2}), decoded; a repeated name keeps its first value. */
  static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.putIfAbsent(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }
}
