package io.portcullis.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a JSON value against a schema of an OpenAPI 3.1 document, strictly: the keywords it knows
 * are all the document may use (another keyword is a problem, not something to skip), and an object
 * schema that says {@code additionalProperties: false} refuses fields it does not list.
 */
final class SchemaCheck {
  private static final Set<String> KEYWORDS =
      Set.of(
          "type",
          "properties",
          "required",
          "additionalProperties",
          "items",
          "enum",
          "$ref",
          "description",
          "example");

  private final JsonNode document;

  SchemaCheck(JsonNode document) {
    this.document = document;
  }

  /** What is wrong with {@code value}; empty when it fits. */
  List<String> problems(JsonNode value, JsonNode schema) {
    List<String> out = new ArrayList<>();
    check(value, schema, "$", out);
    return out;
  }

  private void check(JsonNode value, JsonNode schema, String at, List<String> out) {
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYWORDS.contains(k)) {
        out.add(at + ": the schema uses '" + k + "', which this check does not know");
      }
    }
    if (schema.has("$ref")) {
      check(value, resolve(schema.get("$ref").asText()), at, out);
      return;
    }
    if (schema.has("type") && !typeFits(value, schema.get("type"))) {
      out.add(at + ": " + kind(value) + " where the schema says " + schema.get("type"));
      return;
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode e : schema.get("enum")) {
        found |= e.equals(value);
      }
      if (!found) {
        out.add(at + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
    if (value.isObject()) {
      JsonNode props = schema.path("properties");
      for (JsonNode r : schema.path("required")) {
        if (!value.has(r.asText())) {
          out.add(at + ": lacks the required '" + r.asText() + "'");
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode sub = props.get(f.getKey());
        JsonNode extra = schema.get("additionalProperties");
        if (sub != null) {
          check(f.getValue(), sub, at + "." + f.getKey(), out);
        } else if (extra != null && extra.isBoolean() && !extra.asBoolean()) {
          out.add(at + ": '" + f.getKey() + "' is not in the schema");
        } else if (extra != null && extra.isObject()) {
          check(f.getValue(), extra, at + "." + f.getKey(), out);
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(value.get(i), schema.get("items"), at + "[" + i + "]", out);
      }
    }
  }

  JsonNode resolve(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalArgumentException("only local references: " + ref);
    }
    JsonNode n = document.at(ref.substring(1));
    if (n.isMissingNode()) {
      throw new IllegalArgumentException("a reference to nothing: " + ref);
    }
    return n;
  }

  private static boolean typeFits(JsonNode value, JsonNode type) {
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (typeFits(value, t)) {
          return true;
        }
      }
      return false;
    }
    switch (type.asText()) {
      case "object":
        return value.isObject();
      case "array":
        return value.isArray();
      case "string":
        return value.isTextual();
      case "integer":
        return value.isIntegralNumber();
      case "number":
        return value.isNumber();
      case "boolean":
        return value.isBoolean();
      case "null":
        return value.isNull();
      default:
        throw new IllegalArgumentException("an unknown type: " + type);
    }
  }

  private static String kind(JsonNode v) {
    return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + v;
  }
}
