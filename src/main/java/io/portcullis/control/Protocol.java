package io.portcullis.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
  public static final ObjectMapper JSON = new ObjectMapper();

  private Protocol() {}

  /** A request: a command and its arguments. */
  public record Request(String command, List<String> args) {
    public Request {
      args = List.copyOf(args);
    }

    public String toJson() {
      ObjectNode o = JSON.createObjectNode();
      o.put("version", VERSION);
      o.put("command", command);
      args.forEach(o.putArray("args")::add);
      if (args.isEmpty()) {
        o.putArray("args");
      }
      return o.toString();
    }

    public static Request parse(String line) throws ProtocolException {
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (Exception e) {
        throw new ProtocolException("request is not JSON: " + e.getMessage());
      }
      if (n == null || !n.isObject() || !n.path("command").isTextual()) {
        throw new ProtocolException("request needs a \"command\"");
      }
      int v = n.path("version").asInt(VERSION);
      if (v != VERSION) {
        throw new ProtocolException(
            "protocol version " + v + " is not supported (server speaks " + VERSION + ")");
      }
      List<String> args = new java.util.ArrayList<>();
      n.path("args").forEach(a -> args.add(a.asText()));
      return new Request(n.get("command").asText(), args);
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

  public static String ok(JsonNode result) {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", VERSION);
    o.put("ok", true);
    o.set("result", result);
    return o.toString();
  }

  public static String error(String message, int code) {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", VERSION);
    o.put("ok", false);
    o.put("error", message);
    o.put("code", code);
    return o.toString();
  }
}
