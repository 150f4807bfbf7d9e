package io.portcullis.detection;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes one Asterisk log message the way Asterisk 16-22 and what stands behind it write it (see
 * docs/filters/asterisk.md#how-asterisk-writes-a-line): main/logger.c's formatters with their
 * 8192-byte buffer and {@code term_strip()}, rsyslog's escaping of control characters, the journal
 * as Portcullis reads it, and jansson's JSON.
 */
final class AsteriskLog {
  private AsteriskLog() {}

  /** Where a log line ends up, and in which shape. */
  enum Style {
    FILE_DEFAULT,
    FILE_PLAIN,
    SYSLOG_BSD,
    SYSLOG_RFC3339,
    /** syslog(3) through a relay that keeps to RFC 3164's 1024 bytes a packet, then rsyslog. */
    SYSLOG_1K,
    JOURNAL,
    JSON;

    /** A raw newline in a message starts a new physical line of the log. */
    boolean splitsAtNewline() {
      return this == FILE_DEFAULT || this == FILE_PLAIN;
    }

    /** term_strip() runs over the text: an escape byte deletes up to the next 'm'. */
    boolean stripsEscapes() {
      return this != JSON;
    }
  }

  /** The dateformat settings of logger.conf the file channel is written with. */
  static final List<String> DATEFORMATS =
      List.of("%b %e %T", "%F %T", "%F %T.%3q", "%FT%T.%3q%z", "%FT%T");

  /** LOGMSG_SIZE of main/logger.c: the message and the formatted line fit in it. */
  static final int LOGMSG_SIZE = 8192;

  /** When every case is written (local time, Europe/Zurich, +02:00 in May). */
  static final LocalDateTime WHEN = LocalDateTime.of(2024, 5, 1, 10, 0, 1, 123_000_000);

  static final char ESC = 0x1b;

  /** Who wrote the message: logger.c's level name, __FILE__, __FUNCTION__, __LINE__. */
  record Origin(String level, String file, String function, int line) {}

  /**
   * What the log holds after Asterisk wrote the message.
   *
   * @param lines the physical lines a reader sees (none when the channel wrote nothing)
   * @param journal the lines are journal entries (read with the entry's own time)
   * @param cut the text was cut to the buffer, losing its end
   * @param deleted term_strip() deleted text
   */
  record Written(List<String> lines, boolean journal, boolean cut, boolean deleted) {}

  /**
   * @param dateformat index into {@link #DATEFORMATS} for the file channel
   * @param callid the message belongs to a call (logged with its [C-xxxxxxxx] id)
   */
  static Written write(
      Style style, Origin origin, String rawMessage, int dateformat, boolean callid) {
    String message = cString(rawMessage);
    message = fit(message, LOGMSG_SIZE - 1);
    if (!message.endsWith("\n")) {
      message += "\n";
    }
    String cid = callid ? "[C-0000001a]" : "";
    int lwp = 2330;
    return switch (style) {
      case FILE_DEFAULT, FILE_PLAIN -> {
        String date = date(DATEFORMATS.get(dateformat));
        String line =
            style == Style.FILE_DEFAULT
                ? "[%s] %s[%d]%s %s: %s"
                    .formatted(date, origin.level(), lwp, cid, origin.file(), message)
                : "[%s] %s[%d]%s: %s:%d %s: %s"
                    .formatted(
                        date,
                        origin.level(),
                        lwp,
                        cid,
                        origin.file(),
                        origin.line(),
                        origin.function(),
                        message);
        Cut c = cut(line);
        String stripped = termStrip(c.text);
        List<String> lines = new ArrayList<>(List.of(stripped.split("\n", -1)));
        if (!c.cut && lines.get(lines.size() - 1).isEmpty()) {
          lines.remove(lines.size() - 1);
        }
        lines.replaceAll(AsteriskLog::asRead);
        yield new Written(lines, false, c.cut, !stripped.equals(c.text));
      }
      case SYSLOG_BSD, SYSLOG_RFC3339, SYSLOG_1K, JOURNAL -> {
        String body =
            "%s[%d]%s: %s:%d in %s: %s"
                .formatted(
                    origin.level(),
                    lwp,
                    cid,
                    origin.file(),
                    origin.line(),
                    origin.function(),
                    message);
        Cut c = cut(body);
        String stripped = termStrip(c.text);
        boolean deleted = !stripped.equals(c.text);
        String text =
            stripped.endsWith("\n") ? stripped.substring(0, stripped.length() - 1) : stripped;
        if (style == Style.JOURNAL) {
          yield new Written(
              List.of(asRead("pbx asterisk[2301]: " + text.replace('\n', ' '))),
              true,
              c.cut,
              deleted);
        }
        boolean relayCut = false;
        if (style == Style.SYSLOG_1K) {
          // the packet glibc's syslog(3) sends, header and all, cut to 1024 bytes on the way
          String header = "<13>" + date("%b %e %T") + " asterisk[2301]: ";
          String packet = fit(header + text, RFC3164_MAX);
          relayCut = packet.length() != header.length() + text.length();
          text = packet.substring(header.length());
        }
        String stamp =
            style != Style.SYSLOG_RFC3339
                ? date("%b %e %T")
                : WHEN.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS"))
                    + "+02:00";
        String escaped = rsyslogEscape(text);
        boolean rsyslogCut = utf8(escaped).length > RSYSLOG_MAX;
        yield new Written(
            List.of(asRead(stamp + " pbx asterisk[2301]: " + fit(escaped, RSYSLOG_MAX))),
            false,
            c.cut || rsyslogCut || relayCut,
            deleted);
      }
      case JSON -> {
        if (!validUtf16(message)) {
          // ast_json_pack fails on a string that is not UTF-8: the channel writes nothing
          yield new Written(List.of(), false, false, false);
        }
        String json =
            "{\"hostname\":\"pbx\",\"timestamp\":"
                + jsonString(date(DATEFORMATS.get(dateformat)))
                + ",\"identifiers\":{\"lwp\":"
                + lwp
                + ",\"callid\":"
                + jsonString(cid)
                + "},\"logmsg\":{\"location\":{\"filename\":"
                + jsonString(origin.file())
                + ",\"function\":"
                + jsonString(origin.function())
                + ",\"line\":"
                + origin.line()
                + "},\"level\":"
                + jsonString(origin.level())
                + ",\"message\":"
                + jsonString(message)
                + "}}";
        Cut c = cut(json);
        yield new Written(List.of(c.text), false, c.cut, false);
      }
    };
  }

  /** RFC 3164 section 4.1: a syslog packet is 1024 bytes or less. */
  static final int RFC3164_MAX = 1024;

  /** rsyslog's default $MaxMessageSize (8k) less the header it counts in. */
  static final int RSYSLOG_MAX = 8192 - 64;

  /** The stamp logger.c writes with strftime for a dateformat. */
  static String date(String dateformat) {
    return switch (dateformat) {
      case "%b %e %T" ->
          WHEN.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH))
              + " "
              + String.format("%2d", WHEN.getDayOfMonth())
              + " "
              + WHEN.format(DateTimeFormatter.ofPattern("HH:mm:ss"));
      case "%F %T" -> WHEN.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
      case "%F %T.%3q" -> WHEN.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS"));
      case "%FT%T.%3q%z" ->
          WHEN.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS")) + "+0200";
      case "%FT%T" -> WHEN.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"));
      default -> throw new IllegalArgumentException(dateformat);
    };
  }

  /** A C string ends at its first NUL. */
  static String cString(String s) {
    int nul = s.indexOf('\0');
    return nul < 0 ? s : s.substring(0, nul);
  }

  private record Cut(String text, boolean cut) {}

  /** snprintf into buf[LOGMSG_SIZE]: at most 8191 bytes, the end (and its newline) lost. */
  private static Cut cut(String text) {
    String fitted = fit(text, LOGMSG_SIZE - 1);
    return new Cut(fitted, fitted.length() != text.length());
  }

  /** The longest prefix of at most {@code max} UTF-8 bytes (never half a character). */
  static String fit(String s, int max) {
    if (utf8(s).length <= max) {
      return s;
    }
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int n = utf8(new String(Character.toChars(cp))).length;
      if (bytes + n > max) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  /** The bytes written, as a UTF-8 reader gets them back (what is not UTF-8 is replaced). */
  static String asRead(String s) {
    return new String(utf8(s), StandardCharsets.UTF_8);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * main/term.c term_strip(), in place as Asterisk runs it: from an escape byte up to and including
   * the next 'm' is deleted; an escape byte with no 'm' after it stops the copy, and the buffer
   * then still holds its original bytes from there on.
   */
  static String termStrip(String in) {
    StringBuilder out = new StringBuilder(in.length());
    int i = 0;
    int n = in.length();
    while (true) {
      if (i < n && in.charAt(i) == ESC) {
        while (i < n && in.charAt(i) != 'm') {
          i++;
        }
        if (i >= n) {
          return out + in.substring(Math.min(out.length(), n));
        }
        i++;
        continue;
      }
      if (i >= n) {
        return out.toString();
      }
      out.append(in.charAt(i++));
    }
  }

  /** rsyslog's $EscapeControlCharactersOnReceive (default on): a control character as #ooo. */
  static String rsyslogEscape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append('#').append(String.format("%03o", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A string jansson can take: no unpaired surrogate (it would not be UTF-8). */
  static boolean validUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** A JSON string as jansson's dump writes it (JSON_COMPACT, no JSON_ENSURE_ASCII). */
  static String jsonString(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
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
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
