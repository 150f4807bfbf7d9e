package io.portcullis.control;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client's side of the protocol's JSON: a request written, a reply read into the records of
 * {@link Replies} by their components' names and types (any record, list, map, enum or scalar they
 * hold), so the client and the server share the records and their Jackson names without the client
 * loading Jackson's databind, which cost a short command more than the rest of its start
 * (bench/cli.sh; README "Speed"). {@code ClientJsonTest} reads what {@link Protocol.Reply} writes
 * for every reply record.
 *
 * <p>Design note: the reader and the binder share one file because the binder is correct only for
 * what this reader produces (maps, lists, strings, longs, doubles, booleans, null); split, either
 * could change alone and drift.
 */
final class ClientJson {
  private static final int MAX_DEPTH = 64;

  private ClientJson() {}

  /** A reply line: {@code result} is the parsed tree (maps, lists, strings, numbers, booleans). */
  record Answer(boolean ok, Object result, String error, int code) {}

  /** The request line (without its newline). */
  static String request(String command, List<String> args) {
    StringBuilder b = new StringBuilder(64 + 16 * args.size());
    b.append("{\"version\":").append(Protocol.VERSION).append(",\"command\":");
    quote(b, command);
    b.append(",\"args\":[");
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      quote(b, args.get(i));
    }
    return b.append("]}").toString();
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  /**
   * @throws IllegalArgumentException when the line is not a reply
   */
  static Answer answer(String line) {
    if (!(parse(line) instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("the reply is not a JSON object");
    }
    Object code = m.get("code");
    return new Answer(
        Boolean.TRUE.equals(m.get("ok")),
        m.get("result"),
        m.get("error") instanceof String s ? s : null,
        code instanceof Number n ? n.intValue() : 1);
  }

  // ---- reading

  /**
   * A JSON text as maps (in order), lists, strings, longs or BigDecimals, booleans and nulls.
   *
   * @throws IllegalArgumentException when it is not JSON
   */
  static Object parse(String text) {
    Parser p = new Parser(text);
    p.space();
    Object v = p.value(0);
    p.space();
    if (p.at < text.length()) {
      throw p.error("text after the value");
    }
    return v;
  }

  private static final class Parser {
    final String s;
    int at;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("not JSON at character " + at + ": " + what);
    }

    void space() {
      while (at < s.length() && " \t\r\n".indexOf(s.charAt(at)) >= 0) {
        at++;
      }
    }

    char next() {
      if (at >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(at);
    }

    void expect(char c) {
      if (next() != c) {
        throw error("'" + c + "' expected");
      }
      at++;
    }

    Object value(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nested too deep");
      }
      char c = next();
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          return array(depth);
        case '"':
          return string();
        case 't':
          return word("true", Boolean.TRUE);
        case 'f':
          return word("false", Boolean.FALSE);
        case 'n':
          return word("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected '" + c + "'");
      }
    }

    Object word(String w, Object v) {
      if (!s.startsWith(w, at)) {
        throw error(w + " expected");
      }
      at += w.length();
      return v;
    }

    Map<String, Object> object(int depth) {
      expect('{');
      Map<String, Object> m = new LinkedHashMap<>();
      space();
      if (next() == '}') {
        at++;
        return m;
      }
      while (true) {
        space();
        String k = string();
        space();
        expect(':');
        space();
        m.put(k, value(depth + 1));
        space();
        if (next() == ',') {
          at++;
          continue;
        }
        expect('}');
        return m;
      }
    }

    List<Object> array(int depth) {
      expect('[');
      List<Object> l = new ArrayList<>();
      space();
      if (next() == ']') {
        at++;
        return l;
      }
      while (true) {
        space();
        l.add(value(depth + 1));
        space();
        if (next() == ',') {
          at++;
          continue;
        }
        expect(']');
        return l;
      }
    }

    String string() {
      expect('"');
      StringBuilder b = null;
      int start = at;
      while (true) {
        char c = next();
        if (c == '"') {
          String part = s.substring(start, at++);
          return b == null ? part : b.append(part).toString();
        }
        if (c < 0x20) {
          throw error("control character in a string");
        }
        if (c != '\\') {
          at++;
          continue;
        }
        if (b == null) {
          b = new StringBuilder();
        }
        b.append(s, start, at);
        at++;
        char e = next();
        at++;
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            if (at + 4 > s.length()) {
              throw error("short \\u escape");
            }
            try {
              b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("bad \\u escape");
            }
            at += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
        start = at;
      }
    }

    Object number() {
      int start = at;
      if (next() == '-') {
        at++;
      }
      boolean integral = true;
      while (at < s.length()) {
        char c = s.charAt(at);
        if (c >= '0' && c <= '9') {
          at++;
        } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
          integral = false;
          at++;
        } else {
          break;
        }
      }
      String t = s.substring(start, at);
      try {
        if (integral && t.length() < 19) {
          return Long.parseLong(t);
        }
        return new BigDecimal(t);
      } catch (NumberFormatException e) {
        throw error("bad number '" + t + "'");
      }
    }
  }

  // ---- binding to types

  /** The type {@code List<element>}, for {@link #bind}. */
  static ParameterizedType listOf(Class<?> element) {
    return new ParameterizedType() {
      @Override
      public Type[] getActualTypeArguments() {
        return new Type[] {element};
      }

      @Override
      public Type getRawType() {
        return List.class;
      }

      @Override
      public Type getOwnerType() {
        return null;
      }

      @Override
      public String getTypeName() {
        return "List<" + element.getSimpleName() + ">";
      }
    };
  }

  /**
   * The tree as a value of {@code type}: a record from an object (by component name; a missing one
   * is null, 0 or false), a list, a map with string keys, an enum by name, a string, a number or a
   * boolean.
   *
   * @throws IllegalArgumentException when the tree does not fit the type
   */
  @SuppressWarnings("unchecked")
  static <T> T bind(Object tree, Type type) {
    return (T) value(tree, type);
  }

  private static Object value(Object v, Type type) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (v == null) {
        return null;
      }
      if (List.class.isAssignableFrom(raw)) {
        if (!(v instanceof List<?> l)) {
          throw mismatch(v, type);
        }
        List<Object> out = new ArrayList<>(l.size());
        for (Object o : l) {
          out.add(value(o, args[0]));
        }
        return Collections.unmodifiableList(out);
      }
      if (Map.class.isAssignableFrom(raw)) {
        if (!(v instanceof Map<?, ?> m)) {
          throw mismatch(v, type);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, o) -> out.put((String) k, value(o, args[1])));
        return Collections.unmodifiableMap(out);
      }
      throw mismatch(v, type);
    }
    Class<?> c = (Class<?>) type;
    if (c == Object.class) {
      return v;
    }
    if (c.isPrimitive()) {
      return primitive(v, c);
    }
    if (v == null) {
      return null;
    }
    if (c == String.class) {
      if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        return v.toString();
      }
      throw mismatch(v, type);
    }
    if (c == Long.class || c == Integer.class || c == Double.class || c == Boolean.class) {
      return primitive(v, c);
    }
    if (c.isRecord()) {
      if (!(v instanceof Map<?, ?> m)) {
        throw mismatch(v, type);
      }
      return record(m, c);
    }
    if (c.isEnum()) {
      for (Object e : c.getEnumConstants()) {
        // as Jackson writes it: the name, or lower case where the enum says so (@JsonValue word())
        if (((Enum<?>) e).name().equals(v) || ((Enum<?>) e).name().equalsIgnoreCase(v.toString())) {
          return e;
        }
      }
      throw mismatch(v, type);
    }
    if (c == List.class && v instanceof List<?>) {
      return v;
    }
    if (c == Map.class && v instanceof Map<?, ?>) {
      return v;
    }
    throw mismatch(v, type);
  }

  private static Object primitive(Object v, Class<?> c) {
    if (c == boolean.class || c == Boolean.class) {
      if (v == null) {
        return c == boolean.class ? Boolean.FALSE : null;
      }
      if (v instanceof Boolean b) {
        return b;
      }
      throw mismatch(v, c);
    }
    if (v == null) {
      if (!c.isPrimitive()) {
        return null;
      }
      v = 0L;
    }
    if (!(v instanceof Number n)) {
      throw mismatch(v, c);
    }
    if (c == long.class || c == Long.class) {
      return n.longValue();
    }
    if (c == int.class || c == Integer.class) {
      return n.intValue();
    }
    if (c == double.class || c == Double.class) {
      return n.doubleValue();
    }
    throw mismatch(v, c);
  }

  private static Object record(Map<?, ?> m, Class<?> c) {
    RecordComponent[] parts = c.getRecordComponents();
    Class<?>[] types = new Class<?>[parts.length];
    Object[] values = new Object[parts.length];
    for (int i = 0; i < parts.length; i++) {
      types[i] = parts[i].getType();
      values[i] = value(m.get(parts[i].getName()), parts[i].getGenericType());
    }
    try {
      Constructor<?> k = c.getDeclaredConstructor(types);
      return k.newInstance(values);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          c.getSimpleName() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("cannot make a " + c.getSimpleName() + ": " + e, e);
    }
  }

  private static IllegalArgumentException mismatch(Object v, Type type) {
    String what =
        v == null
            ? "null"
            : v instanceof Map
                ? "an object"
                : v instanceof List ? "a list" : v.getClass().getSimpleName();
    return new IllegalArgumentException(
        "the server sent " + what + " where " + type.getTypeName() + " was expected");
  }
}
