package io.portcullis.source;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Turns a block of raw log lines into lines a filter may match, in place: the '\r' of CRLF endings
 * is dropped, a run of NUL bytes at the start of a line (the hole a writer without O_APPEND leaves
 * after copytruncate, or a crash leaves in a journaled file system) is dropped, and a line longer
 * than the limit is counted and its whole content dropped (it becomes an empty line, so that line
 * numbers and counts stay true). A line is never cut into pieces: a piece that starts inside an
 * attacker's field must never reach a failregex.
 *
 * <p>Lines end at '\n'; the block's last line may lack it (the end of a stream). Bytes are not
 * decoded: invalid UTF-8 stays as it is and is the decoder's business, one line at a time.
 */
final class LineCleaner {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long BELOW_14 = 0x0E0E0E0E0E0E0E0EL;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /** The longest line matched, in bytes without its line ending. */
  static final int MAX_LINE = 64 * 1024;

  private final int maxLine;
  // written by the reading thread only, read by status
  private volatile long overlong;
  private volatile long nulBytes;

  LineCleaner(int maxLine) {
    if (maxLine < 1) {
      throw new IllegalArgumentException("maxLine must be positive: " + maxLine);
    }
    this.maxLine = maxLine;
  }

  int maxLine() {
    return maxLine;
  }

  /** Lines dropped for being longer than {@link #maxLine()}, so far. */
  long overlong() {
    return overlong;
  }

  /** NUL bytes dropped from line starts, so far. */
  long nulBytes() {
    return nulBytes;
  }

  /** Counts a line dropped for its length by a caller that never handed it over. */
  void countOverlong() {
    overlong++;
  }

  /** Counts NUL bytes a caller passed over at a line start. */
  void countNulBytes(long n) {
    nulBytes += n;
  }

  /**
   * Cleans {@code buf[0..len)} in place and returns the new length. Most blocks need nothing: that
   * is found in one pass over the bytes, without a copy (a 1 MiB String of each block made a burst
   * of blocks promote garbage; the server runs C1, where String's searches are plain loops too).
   */
  int clean(byte[] buf, int len) {
    if (!needsCleaning(buf, len)) {
      return len;
    }
    int w = 0;
    for (int p = 0; p < len; ) {
      int nl = indexOf(buf, p, len);
      int end = nl < 0 ? len : nl;
      int start = p;
      while (start < end && buf[start] == 0) {
        start++;
      }
      nulBytes += start - p;
      int e = end;
      while (e > start && buf[e - 1] == '\r') {
        e--;
      }
      if (e - start > maxLine) {
        overlong++; // kept as an empty line, so that line numbers and counts stay true
      } else {
        System.arraycopy(buf, start, buf, w, e - start);
        w += e - start;
      }
      if (nl >= 0) {
        buf[w++] = '\n';
      }
      p = nl < 0 ? len : nl + 1;
    }
    return w;
  }

  /**
   * Whether the block holds a '\r', a NUL byte or a line longer than the limit. Reads eight bytes
   * at a time and looks at them one by one only where one of them is below 14 ('\r' + 1), which
   * takes in every '\n', '\r' and NUL; the other bytes change nothing in the answer. A byte loop
   * alone was 12% of the in-order thread of `portcullis regex`.
   */
  boolean needsCleaning(byte[] buf, int len) {
    int lineStart = 0;
    int i = 0;
    for (; i <= len - Long.BYTES; i += Long.BYTES) {
      long x = (long) LONGS.get(buf, i);
      // some byte of x is below 14 exactly when this is not zero (no false hits for the word)
      if (((x - BELOW_14) & ~x & HIGH_BITS) != 0) {
        lineStart = lookAt(buf, i, i + Long.BYTES, lineStart);
        if (lineStart < 0) {
          return true;
        }
      }
    }
    lineStart = lookAt(buf, i, len, lineStart);
    return lineStart < 0 || len - lineStart > maxLine;
  }

  /**
   * Looks at {@code buf[from..to)} byte by byte for {@link #needsCleaning}: -1 when one of them
   * makes the block need cleaning, else where the line after them starts.
   */
  private int lookAt(byte[] buf, int from, int to, int lineStart) {
    for (int j = from; j < to; j++) {
      int b = buf[j] & 0xff;
      if (b == '\n') {
        if (j - lineStart > maxLine) {
          return -1;
        }
        lineStart = j + 1;
      } else if (b == '\r' || b == 0) {
        return -1;
      }
    }
    return lineStart;
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
