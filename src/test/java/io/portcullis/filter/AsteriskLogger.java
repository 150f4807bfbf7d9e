package io.portcullis.filter;

/**
 * Writes one log line the way Asterisk's main/logger.c does (branches 16 to 22), for tests: the
 * file channel's default formatter ({@code format_log_default}, LOGTYPE_FILE: {@code "[%s] %s[%d]%s
 * %s: %s"}) and the json formatter ({@code format_log_json}: {@code ast_json_pack} of hostname,
 * timestamp, identifiers {lwp, callid}, logmsg {location {filename, function, line}, level,
 * message}, dumped by jansson in compact form, keys in packing order, then a newline). {@code
 * format_log_message_ap} adds a final newline to every message, so the JSON message ends with an
 * escaped one.
 */
final class AsteriskLogger {
  private AsteriskLogger() {}

  /** What ast_log hands the formatters; {@code callid} 0 is "no call id". */
  record Message(
      String date,
      String level,
      int lwp,
      int callid,
      String file,
      int line,
      String function,
      String message) {
    Message {
      if (!message.endsWith("\n")) {
        message = message + "\n";
      }
    }
  }

  /** The template that reads the json formatter's line as the default formatter's line. */
  static final String TEMPLATE =
      "[{/timestamp}] {/logmsg/level}[{/identifiers/lwp}]{/identifiers/callid}"
          + " {/logmsg/location/filename}: {/logmsg/message}";

  private static String callid(Message m) {
    return m.callid() == 0 ? "" : String.format("[C-%08x]", m.callid());
  }

  /** The default formatter's file line, without its line break. */
  static String plain(Message m) {
    String line =
        String.format(
            "[%s] %s[%d]%s %s: %s", m.date(), m.level(), m.lwp(), callid(m), m.file(), m.message());
    return line.substring(0, line.length() - 1);
  }

  /** The json formatter's line, without its line break. */
  static String json(String hostname, Message m) {
    return "{\"hostname\":"
        + str(hostname)
        + ",\"timestamp\":"
        + str(m.date())
        + ",\"identifiers\":{\"lwp\":"
        + m.lwp()
        + ",\"callid\":"
        + str(callid(m))
        + "},\"logmsg\":{\"location\":{\"filename\":"
        + str(m.file())
        + ",\"function\":"
        + str(m.function())
        + ",\"line\":"
        + m.line()
        + "},\"level\":"
        + str(m.level())
        + ",\"message\":"
        + str(m.message())
        + "}}";
  }

  /** A JSON string as jansson's dump writes it without flags: UTF-8 kept, controls escaped. */
  static String str(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
