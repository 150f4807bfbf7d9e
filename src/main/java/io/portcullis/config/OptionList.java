package io.portcullis.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A name with options as jails write filters and actions: {@code name[opt=value, opt2="a,b"]}.
 * Values may be quoted with ' or " (to hold commas or brackets); unquoted values end at a comma or
 * at the closing bracket of their level.
 */
public record OptionList(String name, Map<String, String> options) {
  public OptionList {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  public static OptionList parse(String text) {
    String s = text.strip();
    int open = s.indexOf('[');
    if (open < 0) {
      if (s.isEmpty()) {
        throw new ConfigException("empty name (expected name or name[opt=value, ...])");
      }
      return new OptionList(s, Map.of());
    }
    if (!s.endsWith("]")) {
      throw new ConfigException("'" + text + "': options must end with ']'");
    }
    String name = s.substring(0, open).strip();
    if (name.isEmpty()) {
      throw new ConfigException("'" + text + "': missing name before '['");
    }
    // name[a=1][b=2]: several groups, later ones win
    Map<String, String> options = new LinkedHashMap<>();
    int i = open;
    while (i < s.length()) {
      if (s.charAt(i) != '[') {
        throw new ConfigException("'" + text + "': expected '[' at character " + (i + 1));
      }
      int close = closing(s, i);
      if (close < 0) {
        throw new ConfigException("'" + text + "': options must end with ']'");
      }
      options.putAll(parseOptions(s.substring(i + 1, close), text));
      i = close + 1;
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
    return new OptionList(name, options);
  }

  /** Index of the ']' closing the '[' at {@code open}, skipping quoted text; -1 if none. */
  private static int closing(String s, int open) {
    int depth = 0;
    char quote = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Splits a value holding several items ({@code action = a[x=1] b[y="2 3"]}, one per line or not)
   * at white space outside brackets and quotes.
   */
  public static java.util.List<String> split(String value) {
    java.util.List<String> items = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    char quote = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if ((c == '"' || c == '\'') && depth > 0) {
        quote = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (Character.isWhitespace(c) && depth == 0) {
        int j = i;
        while (j < value.length() && Character.isWhitespace(value.charAt(j))) {
          j++;
        }
        if (j < value.length() && value.charAt(j) == '[') {
          i = j - 1;
          continue;
        }
        if (cur.length() > 0) {
          items.add(cur.toString());
          cur.setLength(0);
        }
        continue;
      }
      cur.append(c);
    }
    if (cur.length() > 0) {
      items.add(cur.toString());
    }
    return items;
  }

  private static Map<String, String> parseOptions(String body, String text) {
    Map<String, String> options = new LinkedHashMap<>();
    int i = 0;
    int n = body.length();
    while (i < n) {
      while (i < n && (Character.isWhitespace(body.charAt(i)) || body.charAt(i) == ',')) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int eq = body.indexOf('=', i);
      if (eq < 0) {
        throw new ConfigException(
            "'" + text + "': option '" + body.substring(i).strip() + "' has no '=value'");
      }
      String key = body.substring(i, eq).strip();
      if (key.isEmpty() || !key.matches("[\\w\\-.?/]+")) {
        throw new ConfigException("'" + text + "': bad option name '" + key + "'");
      }
      i = eq + 1;
      while (i < n && body.charAt(i) == ' ') {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && (body.charAt(i) == '"' || body.charAt(i) == '\'')) {
        char quote = body.charAt(i++);
        while (i < n && body.charAt(i) != quote) {
          if (body.charAt(i) == '\\' && i + 1 < n && body.charAt(i + 1) == quote) {
            i++;
          }
          value.append(body.charAt(i++));
        }
        if (i >= n) {
          throw new ConfigException("'" + text + "': unterminated quote in option '" + key + "'");
        }
        i++;
      } else {
        int depth = 0;
        while (i < n) {
          char c = body.charAt(i);
          if (c == '[') {
            depth++;
          } else if (c == ']') {
            depth--;
          } else if (c == ',' && depth <= 0) {
            break;
          }
          value.append(c);
          i++;
        }
      }
      options.put(key, value.toString().strip());
    }
    return options;
  }
}
