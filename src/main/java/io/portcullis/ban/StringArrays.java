package io.portcullis.ban;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON the store writes for a ban's matches (an array of strings) without Jackson, which
 * would otherwise be set up on the start's path just to read the stored bans.
 */
final class StringArrays {
  private StringArrays() {}

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
