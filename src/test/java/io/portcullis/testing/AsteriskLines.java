package io.portcullis.testing;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Asterisk's chan_sip failed-registration line, stamped now (UTC), for tests that feed a running
 * server's asterisk jail: the NOTICE that chan_sip.c writes when a REGISTER's digest does not match
 * (its "Registration from '%s' failed for '%s' - Wrong password" message), in the logger's {@code
 * [date] LEVEL[thread] file: message} form, as the recorded samples under src/test/resources hold
 * it.
 */
public final class AsteriskLines {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private AsteriskLines() {}

  /**
   * The line, without its newline.
   *
   * @param user the extension in the From URI ({@code <sip:USER@HOST>})
   * @param peer the address as chan_sip prints it: {@code 203.0.113.5}, {@code 203.0.113.5:5060},
   *     {@code [2001:db8::1]:5060}
   */
  public static String wrongPassword(String user, String host, String peer) {
    return "["
        + TIME.format(Instant.now())
        + "] NOTICE[1] chan_sip.c: Registration from '<sip:"
        + user
        + "@"
        + host
        + ">' failed for '"
        + peer
        + "' - Wrong password";
  }
}
