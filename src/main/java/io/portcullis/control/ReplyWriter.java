package io.portcullis.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writes a command's result as the protocol's JSON with Jackson's streaming API (jackson-core), the
 * way {@code ObjectMapper} with {@link JsonInclude.Include#NON_NULL} wrote it: a record as an
 * object of its components in order (a component's {@code @JsonInclude} honoured), lists, maps with
 * their null values, strings, numbers, booleans, enums by their {@code @JsonValue} or name. An idle
 * server and a short command then never load Jackson's databind (about 400 classes, the control
 * path's whole share of an idle server's metaspace; bench/daemon.sh (c)). {@code ReplyWriterTest}
 * checks every record of {@link Replies} against what databind writes, byte for byte.
 *
 * <p>Anything else (a bean, a live object) is refused: a reply is written when it is made, from the
 * immutable records the command returned, never from state another thread changes.
 */
final class ReplyWriter {
  static final JsonFactory FACTORY = new JsonFactory();

  /** Per record class: its components as written, resolved once. */
  private static final ClassValue<Part[]> PARTS =
      new ClassValue<>() {
        @Override
        protected Part[] computeValue(Class<?> type) {
          return parts(type);
        }
      };

  /** Per enum class: the method that gives its JSON value (null: its name). */
  private static final ClassValue<Method> ENUM_VALUES =
      new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
          for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(JsonValue.class) && m.getParameterCount() == 0) {
              return m;
            }
          }
          return null;
        }
      };

  private ReplyWriter() {}

  /** One component of a record: its name, accessor and when it is left out. */
  private record Part(String name, Method accessor, JsonInclude.Include include) {}

  /**
   * The value as JSON text.
   *
   * @throws IllegalArgumentException for a value that is not a record, list, map or scalar
   */
  static String write(Object value) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      value(g, value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
    return out.toString();
  }

  /** Writes the value with the generator (for a caller that writes around it). */
  static void value(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).intValue());
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Float f) {
      g.writeNumber(f);
    } else if (v instanceof BigInteger i) {
      g.writeNumber(i);
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (v instanceof Record r) {
      record(g, r);
    } else if (v instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        value(g, o);
      }
      g.writeEndArray();
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        value(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Enum<?> e) {
      Method m = ENUM_VALUES.get(e.getDeclaringClass());
      value(g, m == null ? e.name() : invoke(m, e));
    } else {
      throw new IllegalArgumentException(
          "a reply holds a " + v.getClass().getName() + ": not a record, list, map or scalar");
    }
  }

  private static void record(JsonGenerator g, Record r) throws IOException {
    g.writeStartObject();
    for (Part p : PARTS.get(r.getClass())) {
      Object v = invoke(p.accessor(), r);
      if (leftOut(v, p.include())) {
        continue;
      }
      g.writeFieldName(p.name());
      value(g, v);
    }
    g.writeEndObject();
  }

  private static boolean leftOut(Object v, JsonInclude.Include include) {
    return switch (include) {
      case ALWAYS -> false;
      case NON_EMPTY ->
          v == null
              || (v instanceof Collection<?> c && c.isEmpty())
              || (v instanceof Map<?, ?> m && m.isEmpty())
              || (v instanceof String s && s.isEmpty());
      default -> v == null;
    };
  }

  private static Object invoke(Method m, Object on) {
    try {
      return m.invoke(on);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(m + " failed: " + e.getCause(), e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read " + m + ": " + e, e);
    }
  }

  private static Part[] parts(Class<?> type) {
    JsonInclude.Include byDefault = include(type.getAnnotation(JsonInclude.class));
    if (byDefault == null) {
      byDefault = JsonInclude.Include.NON_NULL;
    }
    List<Part> out = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      Method accessor = c.getAccessor();
      accessor.setAccessible(true);
      JsonInclude.Include include = include(annotation(type, c));
      out.add(new Part(c.getName(), accessor, include == null ? byDefault : include));
    }
    return out.toArray(Part[]::new);
  }

  /** A component's {@code @JsonInclude}: Java puts it on the record's field and accessor. */
  private static JsonInclude annotation(Class<?> type, RecordComponent c) {
    JsonInclude a = c.getAccessor().getAnnotation(JsonInclude.class);
    if (a != null) {
      return a;
    }
    try {
      Field f = type.getDeclaredField(c.getName());
      return f.getAnnotation(JsonInclude.class);
    } catch (NoSuchFieldException e) {
      return null;
    }
  }

  /** What the protocol's mapper does with an inclusion; null: not said here. */
  private static JsonInclude.Include include(JsonInclude a) {
    if (a == null || a.value() == JsonInclude.Include.USE_DEFAULTS) {
      return a == null ? null : JsonInclude.Include.NON_NULL;
    }
    return switch (a.value()) {
      case ALWAYS, NON_EMPTY -> a.value();
      case NON_NULL, NON_ABSENT -> JsonInclude.Include.NON_NULL;
      default ->
          throw new IllegalStateException("@JsonInclude(" + a.value() + ") is not written here");
    };
  }
}
