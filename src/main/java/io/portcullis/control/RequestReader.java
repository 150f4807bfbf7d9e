package io.portcullis.control;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads request lines of at most {@code limit} bytes from a stream. A longer line is never held
 * past the limit: the reader reports it as {@link TooLong} and stops, so a client sending 100 MB
 * without a newline costs the server at most the limit.
 */
final class RequestReader {
  /** What the next read found. */
  sealed interface Next permits Line, TooLong, End {}

  /** A whole line, without its newline, decoded as UTF-8 (bad bytes become U+FFFD). */
  record Line(String text) implements Next {}

  /** A line longer than the limit; nothing more is read from the stream. */
  record TooLong(int limit) implements Next {}

  /** The client closed its side (a last line without a newline is still returned first). */
  record End() implements Next {}

  private static final int CHUNK = 8192;

  private final InputStream in;
  private final int limit;
  private final byte[] chunk = new byte[CHUNK];
  private int pos;
  private int len;
  private byte[] line = new byte[256];
  private int size;

  RequestReader(InputStream in, int limit) {
    this.in = in;
    this.limit = limit;
  }

  Next next() throws IOException {
    size = 0;
    while (true) {
      if (pos == len) {
        len = in.read(chunk, 0, CHUNK);
        pos = 0;
        if (len <= 0) {
          len = 0;
          return size > 0 ? take() : new End();
        }
      }
      int start = pos;
      while (pos < len && chunk[pos] != '\n') {
        pos++;
      }
      if (!append(start, pos)) {
        return new TooLong(limit);
      }
      if (pos < len) {
        pos++; // the newline
        return take();
      }
    }
  }

  private boolean append(int from, int to) {
    int n = to - from;
    if (size + n > limit) {
      return false;
    }
    if (size + n > line.length) {
      line = Arrays.copyOf(line, Math.min(limit, Math.max(size + n, line.length * 2)));
    }
    System.arraycopy(chunk, from, line, size, n);
    size += n;
    return true;
  }

  private Line take() {
    String text = new String(line, 0, size, StandardCharsets.UTF_8);
    if (line.length > CHUNK) {
      line = new byte[256]; // a large request's buffer is not kept for the connection's life
    }
    size = 0;
    return new Line(text);
  }
}
