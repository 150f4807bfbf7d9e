package io.portcullis.source;

import java.nio.charset.StandardCharsets;

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
   * Cleans {@code buf[0..len)} in place and returns the new length. Most blocks need nothing: they
   * are found so with two vectorised searches and a hop from line to line at most {@code maxLine}
   * bytes apart.
   */
  int clean(byte[] buf, int len) {
    // ISO-8859-1 maps each byte to one char, so String's intrinsic searches work on the bytes
    String s = new String(buf, 0, len, StandardCharsets.ISO_8859_1);
    if (s.indexOf('\r') < 0 && s.indexOf('\0') < 0 && !hasOverlong(s, len)) {
      return len;
    }
    int w = 0;
    for (int p = 0; p < len; ) {
      int nl = s.indexOf('\n', p);
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

  /** Whether some line of the block is longer than the limit. */
  private boolean hasOverlong(String s, int len) {
    int p = 0;
    while (len - p > maxLine) {
      int nl = s.lastIndexOf('\n', p + maxLine);
      if (nl < p) {
        return true; // no line end within maxLine bytes of this line's start
      }
      p = nl + 1;
    }
    return false;
  }
}
