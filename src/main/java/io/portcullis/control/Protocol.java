package io.portcullis.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
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

  /**
   * How the server reads a request: one JSON value and nothing after it, no key twice (so that no
   * two programs can read one request as two different commands). Jackson's streaming parser: the
   * control path does not load databind ({@link ReplyWriter}).
   */
  private static final JsonFactory REQUESTS =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private Protocol() {}

  /** Reads a request and writes a reply once, so that the first command finds both ready. */
  public static void warm() {
    try {
      Request.parse(new Request("ping", List.of()).toJson());
    } catch (ProtocolException e) {
      throw new IllegalStateException("the protocol cannot read its own request", e);
    }
    Reply.ok(new Replies.Failures(0, 0, 0, 0)).toJson();
    Reply.error("warm", 1).toJson();
  }

  /** A request: a command and its arguments. */
  public record Request(String command, List<String> args) {
    public Request {
      args = List.copyOf(args);
    }

    public String toJson() {
      return ReplyWriter.write(new Wire(VERSION, command, args));
    }

    private record Wire(int version, String command, List<String> args) {}

    public static Request parse(String line) throws ProtocolException {
      Fields f;
      try (JsonParser p = REQUESTS.createParser(line)) {
        f = Fields.read(p);
      } catch (IOException | RuntimeException e) {
        throw new ProtocolException("request is not JSON: " + e.getMessage());
      }
      if (f == null || f.command == null) {
        throw new ProtocolException("request needs a \"command\" (a string)");
      }
      if (f.version != null && !f.version.integral) {
        throw new ProtocolException("\"version\" must be a whole number (this server speaks 1)");
      }
      if (f.version != null && (!f.version.anInt || f.version.value != VERSION)) {
        throw new ProtocolException(
            "protocol version "
                + f.version.text
                + " is not supported (server speaks "
                + VERSION
                + ")");
      }
      if (f.argsNotAList) {
        throw new ProtocolException("\"args\" must be a list of strings");
      }
      if (f.badArg != null) {
        throw new ProtocolException("\"args\" must be a list of strings, not " + f.badArg);
      }
      return new Request(f.command, f.args);
    }

    /** A request's version as given: whether a whole number, and an int (then its value). */
    private record Version(boolean integral, boolean anInt, int value, String text) {}

    /**
     * What a request line holds, read whole before any of it is judged (so a line that is not JSON
     * is said to be so whatever comes first): null for a line that is not an object.
     */
    private static final class Fields {
      String command;
      Version version;
      List<String> args = new ArrayList<>();
      boolean argsNotAList;
      String badArg;

      static Fields read(JsonParser p) throws IOException {
        JsonToken root = p.nextToken();
        Fields f = root == JsonToken.START_OBJECT ? new Fields() : null;
        if (f == null) {
          p.skipChildren();
        } else {
          for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t == null) {
              throw new JsonParseException(p, "unexpected end of a request");
            }
            String name = p.currentName();
            f.field(name, p.nextToken(), p);
          }
        }
        if (root != null && p.nextToken() != null) {
          throw new JsonParseException(
              p, "Trailing token (of type " + p.currentToken() + ") found after value");
        }
        return f;
      }

      private void field(String name, JsonToken t, JsonParser p) throws IOException {
        switch (name) {
          case "command" -> command = t == JsonToken.VALUE_STRING ? p.getText() : null;
          case "version" -> version = version(t, p);
          case "args" -> args(t, p);
          default -> {
            // read past: a client may send what this server does not know
          }
        }
        p.skipChildren();
      }

      private static Version version(JsonToken t, JsonParser p) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          return new Version(false, false, 0, p.getText());
        }
        boolean anInt = p.getNumberType() == JsonParser.NumberType.INT;
        return new Version(true, anInt, anInt ? p.getIntValue() : 0, p.getNumberValue().toString());
      }

      private void args(JsonToken t, JsonParser p) throws IOException {
        args = new ArrayList<>();
        argsNotAList = false;
        badArg = null;
        if (t == JsonToken.VALUE_NULL) {
          return;
        }
        if (t != JsonToken.START_ARRAY) {
          argsNotAList = true;
          return; // the caller reads past it
        }
        for (JsonToken a = p.nextToken(); a != JsonToken.END_ARRAY; a = p.nextToken()) {
          if (a == null) {
            throw new JsonParseException(p, "unexpected end of a request");
          }
          if (a == JsonToken.VALUE_STRING) {
            args.add(p.getText());
          } else {
            badArg = badArg != null ? badArg : nodeType(a);
            p.skipChildren();
          }
        }
      }

      /** The kind of a value as Jackson's tree names it (the messages stay as they were). */
      private static String nodeType(JsonToken t) {
        return switch (t) {
          case START_OBJECT -> "OBJECT";
          case START_ARRAY -> "ARRAY";
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "NUMBER";
          case VALUE_TRUE, VALUE_FALSE -> "BOOLEAN";
          case VALUE_NULL -> "NULL";
          default -> String.valueOf(t);
        };
      }
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

  /**
   * A reply line: {@code ok} with the result, or the error with its exit code. The result is
   * written to JSON when the reply is made, on the thread that ran the command, so what is sent is
   * the result as it was then.
   */
  public static final class Reply {
    private final String json;

    private Reply(String json) {
      this.json = json;
    }

    /**
     * @throws IllegalArgumentException for a result that is not a record, list, map or scalar
     */
    public static Reply ok(Object result) {
      StringWriter out = new StringWriter(128);
      try (JsonGenerator g = ReplyWriter.FACTORY.createGenerator(out)) {
        g.writeStartObject();
        g.writeNumberField("version", VERSION);
        g.writeBooleanField("ok", true);
        g.writeFieldName("result");
        ReplyWriter.value(g, result);
        g.writeEndObject();
      } catch (IOException e) {
        throw new IllegalStateException("a reply that cannot be written: " + e.getMessage(), e);
      }
      return new Reply(out.toString());
    }

    public static Reply error(String message, int code) {
      return new Reply(ReplyWriter.write(new Failed(VERSION, false, message, code)));
    }

    /** The reply line, without its newline. */
    public String toJson() {
      return json;
    }

    @Override
    public String toString() {
      return json;
    }

    private record Failed(int version, boolean ok, String error, int code) {}
  }
}
