package io.portcullis.source;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into lines without decoding them, so that a caller can pass over most lines
 * of a large log before paying for a String. Lines end at '\n'; the '\r' of CRLF endings and NUL
 * bytes at line starts are dropped; a line longer than {@link LineCleaner#MAX_LINE} bytes arrives
 * empty (counted, never cut into pieces); a last line without '\n' is delivered too. Memory stays
 * bounded whatever the stream holds (20 MB without a newline included).
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
   *
   * @return how many lines were longer than {@link LineCleaner#MAX_LINE} (delivered empty)
   */
  public static long scanBlocks(InputStream in, BlockHandler handler) throws IOException {
    return scanBlocks(in, LineCleaner.MAX_LINE, handler);
  }

  static long scanBlocks(InputStream in, int maxLine, BlockHandler handler) throws IOException {
    LineCleaner cleaner = new LineCleaner(maxLine);
    // a full buffer without a line end then means a line over the limit
    byte[] buf = new byte[Math.max(CHUNK, maxLine + 2)];
    // buf[0..filled) is the start of a line whose end has not been read yet: it holds no '\n'
    int filled = 0;
    // inside a line over the limit: what is read is dropped up to its '\n'
    boolean skipping = false;
    while (true) {
      int n = in.read(buf, filled, buf.length - filled);
      if (n < 0) {
        break;
      }
      int end = filled + n;
      if (skipping) {
        int nl = indexOf(buf, 0, end);
        if (nl < 0) {
          continue;
        }
        skipping = false;
        // the over-long line's '\n' stays: it arrives as an empty line
        end -= nl;
        System.arraycopy(buf, nl, buf, 0, end);
      }
      int last = end - 1;
      while (last >= 0 && buf[last] != '\n') {
        last--;
      }
      if (last < 0) {
        filled = end;
        if (filled == buf.length) {
          int nul = 0;
          while (nul < filled && buf[nul] == 0) {
            nul++;
          }
          if (nul > 0) {
            cleaner.countNulBytes(nul);
            filled -= nul;
            System.arraycopy(buf, nul, buf, 0, filled);
          } else {
            cleaner.countOverlong();
            skipping = true;
            filled = 0;
          }
        }
        continue;
      }
      int len = cleaner.clean(buf, last + 1);
      handler.block(buf, 0, len);
      filled = end - (last + 1);
      System.arraycopy(buf, last + 1, buf, 0, filled);
    }
    int len = filled > 0 ? cleaner.clean(buf, filled) : 0;
    if (len > 0) {
      handler.block(buf, 0, len);
    }
    return cleaner.overlong();
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
              handler.line(buf, from, i);
              lines[0]++;
              from = i + 1;
            }
          }
          if (from < end) {
            // the last line of the stream, without a newline
            handler.line(buf, from, end);
            lines[0]++;
          }
        });
    return lines[0];
  }

  private static int indexOf(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
