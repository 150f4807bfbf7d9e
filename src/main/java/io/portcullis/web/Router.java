package io.portcullis.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Finds the route of a method and path; path segments in braces are parameters. */
final class Router {
  private final List<Route> routes;

  Router(List<Route> routes) {
    this.routes = List.copyOf(routes);
  }

  List<Route> routes() {
    return routes;
  }

  /** What a method and path led to. */
  sealed interface Match {
    record Found(Route route, Map<String, String> params) implements Match {}

    /** The path exists with other methods. */
    record WrongMethod(Set<String> allowed) implements Match {}

    record NotFound() implements Match {}
  }

  Match match(String method, String rawPath) {
    String[] path = rawPath.split("/", -1);
    Set<String> allowed = new LinkedHashSet<>();
    for (Route r : routes) {
      Map<String, String> params = params(r.template().split("/", -1), path);
      if (params == null) {
        continue;
      }
      if (r.method().equals(method)) {
        return new Match.Found(r, params);
      }
      allowed.add(r.method());
    }
    return allowed.isEmpty() ? new Match.NotFound() : new Match.WrongMethod(allowed);
  }

  private static Map<String, String> params(String[] template, String[] path) {
    if (template.length != path.length) {
      return null;
    }
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      if (t.startsWith("{") && t.endsWith("}")) {
        if (path[i].isEmpty()) {
          return null;
        }
        // a path keeps '+' as it is (URLDecoder is made for forms, where it is a space)
        String value = URLDecoder.decode(path[i].replace("+", "%2B"), StandardCharsets.UTF_8);
        out.put(t.substring(1, t.length() - 1), value);
      } else if (!t.equals(path[i])) {
        return null;
      }
    }
    return out;
  }

  /** The templates, for the OpenAPI check: {@code GET /api/v1/status} ... */
  List<String> describe() {
    List<String> out = new ArrayList<>();
    routes.forEach(r -> out.add(r.method() + " " + r.template()));
    return out;
  }
}
