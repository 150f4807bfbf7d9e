package io.portcullis.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding them, so that a caller can pass over most lines
 * of a large log before paying for a String. Lines end at '\n'; a '\r' before it is dropped; a last
 * line without '\n' is delivered too.
 */
public final class LineScanner {
  private static final int CHUNK = 1 << 20;

  /** Receives one line: {@code buf[start..end)}, valid only during the call. */
  @FunctionalInterface
  public interface Handler {
    void line(byte[] buf, int start, int end) throws IOException;
  }

  /** Receives a block of whole lines {@code buf[start..end)} (the last may lack its '\n'). */
  @FunctionalInterface
  public interface BlockHandler {
    void block(byte[] buf, int start, int end) throws IOException;
  }

  private LineScanner() {}

  /**
   * Reads the stream to its end in blocks that hold only whole lines, for callers that search a
   * block at once rather than line by line.
   */
  public static void scanBlocks(InputStream in, BlockHandler handler) throws IOException {
    byte[] buf = new byte[CHUNK];
    // buf[0..filled) is the start of a line whose end has not been read yet: it holds no '\n'
    int filled = 0;
    while (true) {
      if (filled == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      int n = in.read(buf, filled, buf.length - filled);
      if (n < 0) {
        break;
      }
      int end = filled + n;
      int last = end - 1;
      while (last >= filled && buf[last] != '\n') {
        last--;
      }
      if (last < filled) {
        filled = end;
        continue;
      }
      handler.block(buf, 0, last + 1);
      filled = end - (last + 1);
      System.arraycopy(buf, last + 1, buf, 0, filled);
    }
    if (filled > 0) {
      handler.block(buf, 0, filled);
    }
  }

  /** Reads the stream to its end and returns the number of lines delivered. */
  public static long scan(InputStream in, Handler handler) throws IOException {
    long[] lines = {0};
    scanBlocks(
        in,
        (buf, start, end) -> {
          int from = start;
          for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
              handler.line(buf, from, i > from && buf[i - 1] == '\r' ? i - 1 : i);
              lines[0]++;
              from = i + 1;
            }
          }
          if (from < end) {
            // the last line of the stream, without a newline
            handler.line(buf, from, buf[end - 1] == '\r' ? end - 1 : end);
            lines[0]++;
          }
        });
    return lines[0];
  }
}
