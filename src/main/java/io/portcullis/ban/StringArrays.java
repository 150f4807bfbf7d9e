package io.portcullis.ban;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON the store keeps for a ban's matches and an event's lines (an array of strings): read
 * without Jackson on the start's path (the stored bans), and otherwise with Jackson's streaming
 * API, not databind, which an idle server, a tracked failure or the first ban would load just for
 * this (bench/daemon.sh (c)).
 */
final class StringArrays {
  private static final JsonFactory JSON = new JsonFactory();

  private StringArrays() {}

  /** The strings as a JSON array, as databind's {@code writeValueAsString} wrote them. */
  static String write(List<String> strings) {
    if (strings.isEmpty()) {
      return "[]"; // a ban by command has no lines: no generator for each of 10,000
    }
    StringWriter out = new StringWriter(16 + 64 * strings.size());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartArray();
      for (String s : strings) {
        g.writeString(s);
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /**
   * The strings of a JSON array of strings (other values of the array as their text, as databind
   * read them into a {@code String[]}).
   *
   * @throws IOException when the text is not such an array
   */
  static List<String> parse(String json) throws IOException {
    List<String> quick = read(json);
    if (quick != null) {
      return quick;
    }
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new JsonParseException(p, "not an array of strings");
      }
      List<String> out = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (t == null || !t.isScalarValue() || t == JsonToken.VALUE_NULL) {
          throw new JsonParseException(p, "not an array of strings");
        }
        out.add(p.getText());
      }
      return List.copyOf(out);
    }
  }

  /** The strings of a JSON array of strings; null when the text is anything else. */
  static List<String> read(String json) {
    int n = json.length();
    int at = skipSpace(json, 0);
    if (at >= n || json.charAt(at) != '[') {
      return null;
    }
    List<String> out = new ArrayList<>();
    at = skipSpace(json, at + 1);
    if (at < n && json.charAt(at) == ']') {
      return skipSpace(json, at + 1) == n ? List.of() : null;
    }
    StringBuilder b = new StringBuilder();
    while (true) {
      if (at >= n || json.charAt(at) != '"') {
        return null;
      }
      b.setLength(0);
      at++;
      while (true) {
        if (at >= n) {
          return null;
        }
        char c = json.charAt(at++);
        if (c == '"') {
          break;
        }
        if (c < 0x20) {
          return null;
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (at >= n) {
          return null;
        }
        char e = json.charAt(at++);
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (at + 4 > n) {
              return null;
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
              int d = Character.digit(json.charAt(at + i), 16);
              if (d < 0) {
                return null;
              }
              v = v * 16 + d;
            }
            b.append((char) v);
            at += 4;
          }
          default -> {
            return null;
          }
        }
      }
      out.add(b.toString());
      at = skipSpace(json, at);
      if (at >= n) {
        return null;
      }
      char c = json.charAt(at++);
      if (c == ']') {
        return skipSpace(json, at) == n ? List.copyOf(out) : null;
      }
      if (c != ',') {
        return null;
      }
      at = skipSpace(json, at);
    }
  }

  private static int skipSpace(String s, int at) {
    while (at < s.length()) {
      char c = s.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      at++;
    }
    return at;
  }
}
