package io.portcullis.feed;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A tiny path into a JSON document: an optional {@code $}, then names separated by dots, each
 * optionally followed by {@code []} or {@code [*]} (every element of that array); a leading {@code
 * []} is the document's own array. {@code $.ipaddress[*]}, {@code data[].ip}, {@code [].address}.
 * What the path reaches must be strings (an array at the end is opened too).
 */
public final class JsonPath {
  private record Step(String name, boolean each) {}

  private final String text;
  private final List<Step> steps;

  private JsonPath(String text, List<Step> steps) {
    this.text = text;
    this.steps = List.copyOf(steps);
  }

  /**
   * Parses a path.
   *
   * @throws IllegalArgumentException what is wrong with it
   */
  public static JsonPath parse(String text) {
    String t = text.strip();
    if (t.startsWith("$")) {
      t = t.substring(1);
    }
    if (t.startsWith(".")) {
      t = t.substring(1);
    }
    List<Step> steps = new ArrayList<>();
    if (t.startsWith("[]") || t.startsWith("[*]")) {
      steps.add(new Step(null, true));
      t = t.substring(t.indexOf(']') + 1);
      if (t.startsWith(".")) {
        t = t.substring(1);
      }
    }
    if (!t.isEmpty()) {
      for (String part : t.split("\\.", -1)) {
        boolean each = false;
        if (part.endsWith("[*]")) {
          part = part.substring(0, part.length() - 3);
          each = true;
        } else if (part.endsWith("[]")) {
          part = part.substring(0, part.length() - 2);
          each = true;
        }
        if (!part.matches("[A-Za-z0-9_-]+")) {
          throw new IllegalArgumentException(
              "'"
                  + text
                  + "' is not a path (names of letters, digits, '_', '-' separated by '.', each"
                  + " may end in [] or [*]; e.g. $.ipaddress[*] or data[].ip)");
        }
        steps.add(new Step(part, each));
      }
    }
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' is an empty path (e.g. $.ipaddress[*])");
    }
    return new JsonPath(text.strip(), steps);
  }

  /** Hands each node the path reaches to {@code out}: strings, or anything else (then invalid). */
  void visit(JsonNode root, Consumer<JsonNode> out) {
    List<JsonNode> nodes = List.of(root);
    for (Step s : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode n : nodes) {
        JsonNode v = s.name() == null ? n : n.get(s.name());
        if (v == null || v.isNull()) {
          continue;
        }
        if (s.each()) {
          if (v.isArray()) {
            v.forEach(next::add);
          }
        } else {
          next.add(v);
        }
      }
      nodes = next;
    }
    for (JsonNode n : nodes) {
      if (n.isArray()) {
        n.forEach(out);
      } else {
        out.accept(n);
      }
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
