package io.portcullis.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The control socket's replies, written without databind ({@link ReplyWriter}), are byte for byte
 * what databind ({@link ProtocolMapper#JSON}, as the server wrote them before) writes, for every
 * record of {@link Replies}: filled (every component set, nested records, text that needs escaping)
 * and sparse (nulls and empty lists, where the inclusion rules matter). The client reads each back
 * equal.
 */
class ReplyWriterTest {
  /** The reply as the server wrote it with databind: the result turned into a tree when made. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record DatabindReply(int version, boolean ok, JsonNode result, String error, Integer code) {}

  private static String databind(Object result) throws Exception {
    JsonNode r = ProtocolMapper.JSON.valueToTree(result);
    return ProtocolMapper.JSON.writeValueAsString(
        new DatabindReply(
            Protocol.VERSION, true, r == null ? ProtocolMapper.JSON.nullNode() : r, null, null));
  }

  static Stream<Class<?>> replyRecords() {
    return Stream.of(Replies.class.getDeclaredClasses()).filter(Class::isRecord);
  }

  @ParameterizedTest
  @MethodSource("replyRecords")
  void everyReplyRecord_filled_writesAsDatabindDid_andReadsBackEqual(Class<?> type)
      throws Exception {
    Object value = sample(type, /* sparse= */ false, 0);
    String line = Protocol.Reply.ok(value).toJson();
    assertThat(line).isEqualTo(databind(value));
    assertThat((Object) ClientJson.bind(ClientJson.answer(line).result(), type)).isEqualTo(value);
  }

  @ParameterizedTest
  @MethodSource("replyRecords")
  void everyReplyRecord_sparse_writesAsDatabindDid_andReadsBackEqual(Class<?> type)
      throws Exception {
    Object value = sample(type, /* sparse= */ true, 0);
    String line = Protocol.Reply.ok(value).toJson();
    assertThat(line).isEqualTo(databind(value));
    assertThat((Object) ClientJson.bind(ClientJson.answer(line).result(), type)).isEqualTo(value);
  }

  @Test
  void listsMapsScalarsAndEnums_writeAsDatabindDid() throws Exception {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", null);
    map.put("b", List.of(1L, -2L));
    List<Object> values = new ArrayList<>();
    values.add(null);
    values.add(map);
    for (Object v :
        List.of(
            "pong",
            "stopping",
            -1L,
            600L,
            5,
            1.5,
            0.1 + 0.2,
            true,
            List.of(),
            Map.of(),
            List.of("203.0.113.7", "2001:db8::1"),
            Replies.EventKind.BLOCKED,
            List.of(Replies.EventKind.values()),
            values)) {
      assertThat(Protocol.Reply.ok(v).toJson()).isEqualTo(databind(v));
    }
    assertThat(Protocol.Reply.ok(null).toJson()).isEqualTo(databind(null));
  }

  @Test
  void errorReply_writesAsDatabindDid() throws Exception {
    String message = "unknown jail 'x\"' (running: asterisk)\n\u0001é";
    assertThat(Protocol.Reply.error(message, 2).toJson())
        .isEqualTo(
            ProtocolMapper.JSON.writeValueAsString(
                new DatabindReply(Protocol.VERSION, false, null, message, 2)));
  }

  @Test
  void request_writesAsDatabindDid() throws Exception {
    record Wire(int version, String command, List<String> args) {}
    Protocol.Request r = new Protocol.Request("ban", List.of("asterisk", "q\"uo\\te\n\u0001"));
    assertThat(r.toJson())
        .isEqualTo(
            ProtocolMapper.JSON.writeValueAsString(
                new Wire(Protocol.VERSION, r.command(), r.args())));
  }

  @Test
  void aReplyIsWrittenWhenMade_notFromStateChangedLater() {
    // the reply must not read live state later on another thread (lean6's RotationServerIT loss)
    List<String> live = new ArrayList<>(List.of("a"));
    Protocol.Reply reply = Protocol.Reply.ok(live);
    live.add("b");
    assertThat(reply.toJson()).isEqualTo("{\"version\":1,\"ok\":true,\"result\":[\"a\"]}");
  }

  @Test
  void aValueThatIsNotARecordListMapOrScalar_isRefused() {
    assertThatThrownBy(() -> Protocol.Reply.ok(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
  }

  // ---- samples: every component of a record given a value of its type

  private static Object sample(Type type, boolean sparse, int depth) throws Exception {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        return sparse || depth > 2 ? List.of() : List.of(sample(args[0], false, depth + 1));
      }
      if (Map.class.isAssignableFrom(raw)) {
        if (sparse || depth > 2) {
          return Map.of();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("asterisk", sample(args[1], false, depth + 1));
        m.put("sshd \"x\"", sample(args[1], false, depth + 1));
        return m;
      }
      throw new IllegalArgumentException("no sample for " + type);
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return sparse ? null : "a \"quoted\" \\ line\n\t\u0001 é ✓ 203.0.113.7";
    }
    if (c == int.class || c == Integer.class) {
      return c == Integer.class && sparse ? null : -7 - depth;
    }
    if (c == long.class || c == Long.class) {
      return c == Long.class && sparse ? null : 1_790_000_000_123L + depth;
    }
    if (c == double.class || c == Double.class) {
      return c == Double.class && sparse ? null : 0.1 + 0.2;
    }
    if (c == boolean.class || c == Boolean.class) {
      return c == Boolean.class && sparse ? null : Boolean.TRUE;
    }
    if (c.isEnum()) {
      return sparse ? null : c.getEnumConstants()[c.getEnumConstants().length - 1];
    }
    if (c.isRecord()) {
      if (sparse && depth > 0) {
        return null;
      }
      RecordComponent[] parts = c.getRecordComponents();
      Class<?>[] types = new Class<?>[parts.length];
      Object[] values = new Object[parts.length];
      for (int i = 0; i < parts.length; i++) {
        types[i] = parts[i].getType();
        values[i] = sample(parts[i].getGenericType(), sparse, depth + 1);
      }
      Constructor<?> k = c.getDeclaredConstructor(types);
      try {
        return k.newInstance(values);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException(c.getSimpleName() + ": " + e.getCause(), e.getCause());
      }
    }
    throw new IllegalArgumentException("no sample for " + type);
  }
}
