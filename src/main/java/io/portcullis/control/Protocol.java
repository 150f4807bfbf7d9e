package io.portcullis.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.List;

/**
 * The control protocol, version 1: one JSON object per line each way over a Unix socket. Request:
 * {@code {"version":1,"command":"status","args":["asterisk"]}}. Reply: {@code
 * {"version":1,"ok":true,"result":...}} or {@code {"version":1,"ok":false,"error":"...","code":1}}
 * where code 1 is a failure and 2 a wrong request (unknown jail, bad address). See
 * docs/protocol.md.
 */
public final class Protocol {
  public static final int VERSION = 1;

  /** How both sides write and read the protocol's records: null fields are left out. */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .setDefaultPropertyInclusion(
              JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS))
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * How the server reads a request: one JSON value and nothing after it, no key twice (so that no
   * two programs can read one request as two different commands).
   */
  private static final ObjectReader REQUESTS =
      JSON.reader()
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

  private Protocol() {}

  /** A request: a command and its arguments. */
  public record Request(String command, List<String> args) {
    public Request {
      args = List.copyOf(args);
    }

    public String toJson() {
      try {
        return JSON.writeValueAsString(new Wire(VERSION, command, args));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    private record Wire(int version, String command, List<String> args) {}

    public static Request parse(String line) throws ProtocolException {
      JsonNode n;
      try {
        n = REQUESTS.readTree(line);
      } catch (Exception e) {
        throw new ProtocolException("request is not JSON: " + e.getMessage());
      }
      if (n == null || !n.isObject() || !n.path("command").isTextual()) {
        throw new ProtocolException("request needs a \"command\" (a string)");
      }
      JsonNode version = n.path("version");
      if (!version.isMissingNode() && !version.isIntegralNumber()) {
        throw new ProtocolException("\"version\" must be a whole number (this server speaks 1)");
      }
      if (!version.isMissingNode()
          && (!version.canConvertToInt() || version.intValue() != VERSION)) {
        throw new ProtocolException(
            "protocol version "
                + version.asText()
                + " is not supported (server speaks "
                + VERSION
                + ")");
      }
      JsonNode list = n.path("args");
      if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
        throw new ProtocolException("\"args\" must be a list of strings");
      }
      List<String> args = new java.util.ArrayList<>();
      for (JsonNode a : list) {
        if (!a.isTextual()) {
          throw new ProtocolException("\"args\" must be a list of strings, not " + a.getNodeType());
        }
        args.add(a.textValue());
      }
      return new Request(n.get("command").textValue(), args);
    }
  }

  /** A failed command: its message for the user and the exit code it deserves. */
  public static final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;

    public CommandException(String message, int code) {
      super(message);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** A malformed exchange. */
  public static final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
      super(message);
    }
  }

  /** A reply line: {@code ok} with the result, or the error with its exit code. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Reply(int version, boolean ok, JsonNode result, String error, Integer code) {
    public static Reply ok(Object result) {
      JsonNode r = JSON.valueToTree(result);
      return new Reply(VERSION, true, r == null ? JSON.nullNode() : r, null, null);
    }

    public static Reply error(String message, int code) {
      return new Reply(VERSION, false, null, message, code);
    }

    public String toJson() {
      try {
        return JSON.writeValueAsString(this);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("a reply that cannot be written: " + e.getMessage(), e);
      }
    }
  }
}
