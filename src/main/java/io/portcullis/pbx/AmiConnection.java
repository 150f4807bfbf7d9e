package io.portcullis.pbx;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One connection to Asterisk's manager interface (main/manager.c): the banner line {@code Asterisk
 * Call Manager/VERSION}, then messages of {@code Key: Value} lines ended by an empty line, each
 * line ended by CRLF. Every read has the connection's deadline; lines, messages and the number of
 * messages are bounded, so a server (or something posing as one) cannot make it wait or grow for
 * ever.
 */
final class AmiConnection implements AutoCloseable {
  private static final int MAX_LINE = 8192;
  private static final int MAX_FIELDS = 512;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final long deadline;
  private final String banner;

  AmiConnection(String host, int port, java.time.Duration timeout) throws IOException {
    this.deadline = System.nanoTime() + timeout.toNanos();
    this.socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
      this.banner = line();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    if (banner == null || !banner.startsWith("Asterisk Call Manager/")) {
      socket.close();
      throw new IOException("not Asterisk's manager interface (it said: " + shorten(banner) + ")");
    }
  }

  String banner() {
    return banner;
  }

  /** Sends one action; values must not hold line breaks (checked). */
  void send(Map<String, String> fields) throws IOException {
    StringBuilder b = new StringBuilder();
    fields.forEach(
        (k, v) -> {
          if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line break in the value of " + k);
          }
          b.append(k).append(": ").append(v).append("\r\n");
        });
    b.append("\r\n");
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The next message: its fields in order (the first of a repeated key kept); null at the end. */
  Map<String, String> next() throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    while (true) {
      String l = line();
      if (l == null) {
        return fields.isEmpty() ? null : fields;
      }
      if (l.isEmpty()) {
        if (fields.isEmpty()) {
          continue;
        }
        return fields;
      }
      int colon = l.indexOf(':');
      if (colon > 0 && fields.size() < MAX_FIELDS) {
        String value = l.substring(colon + 1);
        fields.putIfAbsent(
            l.substring(0, colon), value.startsWith(" ") ? value.substring(1) : value);
      }
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(80);
    while (true) {
      long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new SocketTimeoutException("Asterisk's manager interface did not answer in time");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      int c;
      try {
        c = in.read();
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException("Asterisk's manager interface did not answer in time");
      }
      if (c < 0) {
        return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
      }
      if (c == '\n') {
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      if (b.size() < MAX_LINE) {
        b.write(c);
      }
    }
  }

  private static String shorten(String s) {
    return s == null ? "nothing" : s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
