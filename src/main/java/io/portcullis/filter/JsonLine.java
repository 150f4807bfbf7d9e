package io.portcullis.filter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a JSON log line reads as text: the filter option {@code jsonline}, a template of literal text
 * and {@code {/json/pointer}} fields (RFC 6901 pointers). A line that starts with <code>{</code>
 * and parses as one JSON object that holds every field is read as the template filled with the
 * field values, so the filter's date patterns and regexes read it like the plain line the same
 * program writes. Any other line (not JSON, not one object, trailing text, a duplicate key, a field
 * missing or not a scalar) is read as it is.
 *
 * <p>Design note: values are JSON-unescaped once, by the parser, and never again. A value cannot
 * start a new line: line breaks at its end (a program's message usually ends with one) are dropped
 * and every other control character becomes U+FFFD, so a client-written {@code \n} inside a message
 * stays inside the one line it belongs to, also for multi-line filters.
 */
final class JsonLine {
  /** What stands in for a control character inside a value: not a space, quote or backslash. */
  static final char REPLACEMENT = '\uFFFD';

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private final String template;

  /** literal[0] field[0] literal[1] field[1] ... literal[n]. */
  private final String[] literals;

  private final Field[] fields;
  private final boolean wordSafe;

  private record Field(String pointer, String[] names, int[] indexes) {}

  private JsonLine(String template, List<String> literals, List<Field> fields) {
    this.template = template;
    this.literals = literals.toArray(new String[0]);
    this.fields = fields.toArray(new Field[0]);
    this.wordSafe = computeWordSafe(this.literals);
  }

  /**
   * Parses a template such as {@code [{/timestamp}] {/logmsg/level}: {/logmsg/message}}.
   *
   * @throws IllegalArgumentException saying what is wrong and how fields are written
   */
  static JsonLine parse(String template) {
    List<String> literals = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '/') {
        int close = template.indexOf('}', i);
        if (close < 0) {
          throw new IllegalArgumentException(
              "field '"
                  + template.substring(i)
                  + "' is not closed (write a field as {/json/pointer})");
        }
        String pointer = template.substring(i + 1, close);
        if (pointer.indexOf('{') >= 0) {
          throw new IllegalArgumentException(
              "field '"
                  + template.substring(i, close + 1)
                  + "' holds a '{': is a '}' missing? (write a field as {/json/pointer})");
        }
        literals.add(literal.toString());
        literal.setLength(0);
        fields.add(field(pointer));
        i = close + 1;
      } else {
        literal.append(c);
        i++;
      }
    }
    literals.add(literal.toString());
    if (fields.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + template + "' names no field (write a field as {/json/pointer})");
    }
    return new JsonLine(template, literals, fields);
  }

  private static Field field(String pointer) {
    JsonPointer p;
    try {
      p = JsonPointer.compile(pointer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "field '{" + pointer + "}' is not a JSON pointer: " + e.getMessage());
    }
    List<String> names = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (JsonPointer s = p; !s.matches(); s = s.tail()) {
      names.add(s.getMatchingProperty());
      indexes.add(s.getMatchingIndex());
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "field '{" + pointer + "}' names the whole object, not a value in it");
    }
    return new Field(
        pointer,
        names.toArray(new String[0]),
        indexes.stream().mapToInt(Integer::intValue).toArray());
  }

  String template() {
    return template;
  }

  /**
   * Whether every word (run of ASCII letters, digits, underscores) of a rendered line lies inside
   * one value: true when the template's literal text holds no word character and no two fields
   * touch. Then a word the regexes need is in the raw JSON line whenever it is in the rendered one,
   * and lines can be passed over before they are decoded.
   */
  boolean wordSafe() {
    return wordSafe;
  }

  private static boolean computeWordSafe(String[] literals) {
    for (int i = 0; i < literals.length; i++) {
      String l = literals[i];
      if (l.isEmpty() && i > 0 && i < literals.length - 1) {
        return false;
      }
      for (int k = 0; k < l.length(); k++) {
        if (isWordChar(l.charAt(k))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  /** Whether the line is worth decoding: it starts with an opening brace. */
  static boolean looksLikeJson(CharSequence line) {
    return line.length() > 0 && line.charAt(0) == '{';
  }

  /**
   * The text the line reads as; null when the line is not one JSON object holding a scalar at every
   * field (then the line is read as it is).
   */
  String render(String line) {
    if (!looksLikeJson(line)) {
      return null;
    }
    String[] values = new String[fields.length];
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      int depth = 1;
      while (depth > 0) {
        JsonToken t = p.nextToken();
        if (t == null) {
          return null;
        }
        if (t == JsonToken.FIELD_NAME) {
          continue;
        }
        if (t.isStructEnd()) {
          depth--;
        } else if (t.isStructStart()) {
          if (fieldAt(p.getParsingContext().getParent()) >= 0) {
            return null; // an object or array where a value was expected: not this shape
          }
          depth++;
        } else {
          int f = fieldAt(p.getParsingContext());
          if (f >= 0) {
            values[f] = t == JsonToken.VALUE_NULL ? "" : p.getText();
          }
        }
      }
      if (p.nextToken() != null) {
        return null;
      }
    } catch (IOException notOneObject) {
      return null;
    }
    StringBuilder out = new StringBuilder(line.length());
    out.append(literals[0]);
    for (int i = 0; i < fields.length; i++) {
      if (values[i] == null) {
        return null;
      }
      appendClean(out, values[i]);
      out.append(literals[i + 1]);
    }
    return out.toString();
  }

  /** The field whose place a value in context {@code ctx} takes, or -1. */
  private int fieldAt(JsonStreamContext ctx) {
    for (int f = 0; f < fields.length; f++) {
      if (matches(ctx, fields[f])) {
        return f;
      }
    }
    return -1;
  }

  private static boolean matches(JsonStreamContext ctx, Field field) {
    int k = field.names.length - 1;
    JsonStreamContext c = ctx;
    for (; k >= 0 && c != null && !c.inRoot(); k--, c = c.getParent()) {
      if (c.inObject()) {
        if (!field.names[k].equals(c.getCurrentName())) {
          return false;
        }
      } else if (c.getCurrentIndex() != field.indexes[k]) {
        return false;
      }
    }
    return k < 0 && c != null && c.inRoot();
  }

  /** Appends a value without its final line breaks and with other control characters replaced. */
  private static void appendClean(StringBuilder out, String v) {
    int end = v.length();
    while (end > 0 && (v.charAt(end - 1) == '\n' || v.charAt(end - 1) == '\r')) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      char c = v.charAt(i);
      if (c == '\t' || !(Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
        out.append(c);
      } else {
        out.append(REPLACEMENT);
      }
    }
  }

  @Override
  public String toString() {
    return template;
  }
}
