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
    return new OptionList(name, parseOptions(s.substring(open + 1, s.length() - 1), text));
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
