package io.portcullis.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One open log file: where reading stands in it, and how to tell that what was read is no longer
 * there (truncated, or rewritten from its start).
 *
 * <p>The file is known by its open channel, so a rename or a delete does not lose it: late writes
 * to a renamed file are still read. It is recognised by its first bytes (the head, up to {@link
 * #HEAD_BYTES}) and checked at every look by its head and by the bytes just before the read offset:
 * a file truncated and written again past the offset between two looks is caught by either.
 */
final class FollowedFile {
  static final int HEAD_BYTES = 256;
  private static final int TAIL_BYTES = 64;
  static final int CHUNK = 1 << 20;
  private static final byte[] EMPTY = new byte[0];

  /** What a file is to the tailer. */
  enum Role {
    /** A log: read as it grows. */
    LOG,
    /**
     * A copy of another followed log (copytruncate's rotated file in a glob): not read, but where
     * the log's unread end is taken from when the log is truncated.
     */
    COPY,
    /** Appeared while running and so far holds only the first bytes of another followed log. */
    UNDECIDED
  }

  final FileChannel channel;
  final FileKey key;

  /** The name it was last seen under (sink blocks and saved positions are keyed by it). */
  Path path;

  Role role = Role.LOG;
  private byte[] head;
  private byte[] tail = EMPTY;

  /** Everything before it has been handed over or passed over. */
  private long offset;

  /**
   * Inside a line over the limit, or the rest of a line cut by a truncation: dropped to its end.
   */
  private boolean skipping;

  /** Where the skipped line started in this file (what a saved position records meanwhile). */
  private long skipFrom;

  /** The last read ended inside a line whose end had not been written yet. */
  private boolean partial;

  private long lastSize;

  /** {@code System.nanoTime()} of the last growth, for retired files. */
  long changedAt;

  /** Something was read from it since it was opened (a new log that its writer took over). */
  boolean everRead;

  /** Its position moved since it was last saved. */
  boolean dirty;

  /**
   * A log named alone: its rotated copies when it was first followed or last truncated (null until
   * then); a copy not among them was made since (see {@code FileTailer.readNewCopies}).
   */
  java.util.Map<FileKey, FileTailer.SiblingMark> rotatedSiblings;

  private FollowedFile(Path path, FileChannel channel, FileKey key) throws IOException {
    this.path = path;
    this.channel = channel;
    this.key = key;
    this.head = readHead();
    this.lastSize = channel.size();
  }

  /**
   * Opens a file and checks that the name still pointed at the same file once it was open.
   *
   * @return the file, or null when it was replaced while being opened (look again next pass)
   */
  static FollowedFile open(Path p) throws IOException {
    FileKey before = FileKey.of(p);
    FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
    try {
      if (!before.equals(FileKey.of(p))) {
        ch.close();
        return null;
      }
      return new FollowedFile(p, ch, before);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  long offset() {
    return offset;
  }

  long size() throws IOException {
    return channel.size();
  }

  /** The size seen at the last look. */
  long lastSize() {
    return lastSize;
  }

  boolean partial() {
    return partial;
  }

  /**
   * Whether bytes past the offset were there at the last look (not read yet, or a partial line).
   */
  boolean unread() {
    return lastSize > offset && !partial;
  }

  boolean skipping() {
    return skipping;
  }

  /** Where a restart should resume: never inside a line. */
  FileTailer.Position position() {
    return new FileTailer.Position(
        key.inode(), HexFormat.of().formatHex(head), skipping ? skipFrom : offset);
  }

  /** Resumes at a saved position if it belongs to this file; returns whether it did. */
  boolean resume(FileTailer.Position saved) throws IOException {
    byte[] fingerprint = fingerprintBytes(saved.fingerprint());
    if (saved.inode() != key.inode()
        || fingerprint == null
        || saved.offset() > channel.size()
        || !startsWith(fingerprint)) {
      return false;
    }
    startAt(saved.offset());
    return true;
  }

  /** Starts reading at an offset (a line start) with nothing pending. */
  void startAt(long at) {
    offset = at;
    tail = EMPTY;
    skipping = false;
    partial = false;
    dirty = true;
  }

  /** Takes over where reading of another file with the same start stood (a copy of it). */
  void continueFrom(FollowedFile original) {
    offset = original.offset;
    skipping = original.skipping;
    skipFrom = original.skipFrom;
    tail = original.tail;
    partial = false;
  }

  /**
   * After a truncation: reads from the start again; {@code skipFirst} drops the first line (the
   * rest of a line whose start was before the truncation).
   */
  void startOver(boolean skipFirst) throws IOException {
    offset = 0;
    head = EMPTY; // learnt from what the next read gets: the file may be rewritten again meanwhile
    tail = EMPTY;
    skipping = skipFirst;
    skipFrom = 0;
    partial = false;
    dirty = true;
  }

  /** Whether what was read is no longer there: truncated, or rewritten from its start. */
  boolean rewritten() throws IOException {
    long size = channel.size();
    if (size < offset) {
      return true;
    }
    if (!startsWith(head)) {
      return true;
    }
    return tail.length > 0 && !holdsAt(offset - tail.length, tail);
  }

  /** Whether the file starts with these bytes (all of them). */
  boolean startsWith(byte[] prefix) throws IOException {
    return holdsAt(0, prefix);
  }

  /** The file's first bytes as read when opened or last grown (at most {@link #HEAD_BYTES}). */
  byte[] head() {
    return head;
  }

  /** The bytes just before the offset, as they were read (at most 64). */
  byte[] tail() {
    return tail;
  }

  /** Whether the file holds these bytes at this offset. */
  boolean holds(long at, byte[] expected) throws IOException {
    return holdsAt(at, expected);
  }

  /** Takes the head over more of the file while it is young (a file not read, being decided). */
  void refreshHead() throws IOException {
    if (head.length < HEAD_BYTES) {
      head = readHead();
    }
  }

  /** Counts everything in the file as read (a copy: its lines were read from the log). */
  void markAllRead() throws IOException {
    long size = channel.size();
    if (offset != size) {
      offset = size;
      tail = EMPTY;
      skipping = false;
      partial = false;
      dirty = true;
    }
  }

  /** Whether the file is gzip, bzip2, xz or zstd data (a compressed old log). */
  boolean compressed() {
    byte[] h = head;
    return startsWith(h, 0x1f, 0x8b)
        || startsWith(h, 'B', 'Z', 'h')
        || startsWith(h, 0xfd, '7', 'z', 'X', 'Z', 0)
        || startsWith(h, 0x28, 0xb5, 0x2f, 0xfd);
  }

  /**
   * Hands over the whole lines written since the last read, cleaned, and returns how many bytes
   * were consumed. A partial last line waits for its newline; a line over the limit is dropped to
   * its newline without ever being held in memory whole.
   */
  long read(FileTailer.Sink sink, LineCleaner cleaner) throws IOException {
    long start = offset;
    while (true) {
      long size = channel.size();
      lastSize = size;
      if (size <= offset) {
        partial = false;
        break;
      }
      if (!sink.hasRoom()) {
        // stopped at a line's start: what follows waits, in the file. Its first bytes are taken
        // all the same, so that a copy of it is recognised if it is truncated before it is read.
        if (head.length < HEAD_BYTES && offset <= head.length) {
          byte[] b = new byte[HEAD_BYTES - (int) offset];
          int n = readAt(b, offset);
          if (n > 0) {
            learnHead(offset, b, n);
          }
        }
        partial = false;
        break;
      }
      int want = (int) Math.min(CHUNK, size - offset);
      // the sink's buffer: its own again once handed over, or given back below when it is not
      byte[] data = sink.buffer(want);
      int n = readAt(data, want, offset);
      if (n <= 0) {
        sink.unused(data);
        break;
      }
      if (tail.length > 0 && !holdsAt(offset - tail.length, tail)) {
        // truncated and written again since the size was taken: these bytes are a new file's,
        // read from the middle. Left for the next look, which takes the end from the copy.
        sink.unused(data);
        break;
      }
      learnHead(offset, data, n);
      if (skipping) {
        int nl = indexOf(data, n);
        if (nl < 0) {
          consumed(data, n);
          sink.unused(data);
          continue;
        }
        // the '\n' stays: the dropped line arrives as an empty line
        consumed(data, nl);
        sink.unused(data);
        skipping = false;
        continue;
      }
      int nul = 0;
      while (nul < n && data[nul] == 0) {
        nul++;
      }
      if (nul > 0) {
        cleaner.countNulBytes(nul);
        consumed(data, nul);
        sink.unused(data);
        continue;
      }
      int last = n - 1;
      while (last >= 0 && data[last] != '\n') {
        last--;
      }
      if (last < 0) {
        if (n > cleaner.maxLine()) {
          cleaner.countOverlong();
          skipFrom = offset;
          skipping = true;
          consumed(data, n);
          sink.unused(data);
          continue;
        }
        sink.unused(data);
        partial = true;
        break;
      }
      consumed(data, last + 1);
      int len = cleaner.clean(data, last + 1);
      sink.block(path, data, len);
    }
    if (head.length > 0 && head.length < HEAD_BYTES && lastSize > head.length) {
      // a young file read past a gap (started beyond its head): more of its start, if unchanged
      byte[] more = readHead();
      if (more.length > head.length && Arrays.equals(more, 0, head.length, head, 0, head.length)) {
        head = more;
      }
    }
    if (offset > start) {
      everRead = true;
      dirty = true;
    }
    return offset - start;
  }

  void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to do on close
    }
  }

  private void consumed(byte[] data, int n) {
    if (n >= TAIL_BYTES) {
      tail = Arrays.copyOfRange(data, n - TAIL_BYTES, n);
    } else if (n > 0) {
      int keep = Math.min(tail.length, TAIL_BYTES - n);
      byte[] t = new byte[keep + n];
      System.arraycopy(tail, tail.length - keep, t, 0, keep);
      System.arraycopy(data, 0, t, keep, n);
      tail = t;
    }
    offset += n;
  }

  private int readAt(byte[] data, long at) throws IOException {
    return readAt(data, data.length, at);
  }

  /** Reads up to {@code len} bytes at {@code at} into {@code data[0..len)}; returns how many. */
  private int readAt(byte[] data, int len, long at) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(data, 0, len);
    int n = 0;
    while (buf.hasRemaining()) {
      int r = channel.read(buf, at + n);
      if (r <= 0) {
        break;
      }
      n += r;
    }
    return n;
  }

  /**
   * Extends the head with bytes just read at {@code at}, when they follow on from it. The head is
   * taken from what was read, never read again afterwards: a log copied and truncated between a
   * read and a later look at its start would otherwise lend its successor's first bytes to the
   * lines read before, and the copy holding those lines would not be recognised (its lines
   * delivered twice, the unread end lost).
   */
  private void learnHead(long at, byte[] data, int n) {
    if (head.length >= HEAD_BYTES || at > head.length) {
      return;
    }
    int from = (int) at;
    int overlap = Math.min(n, head.length - from);
    if (!Arrays.equals(head, from, from + overlap, data, 0, overlap)) {
      return; // rewritten under us since the head was taken: rewritten() will tell
    }
    int take = Math.min(n, HEAD_BYTES - from);
    if (from + take > head.length) {
      byte[] h = Arrays.copyOf(head, from + take);
      System.arraycopy(data, 0, h, from, take);
      head = h;
    }
  }

  private byte[] readHead() throws IOException {
    byte[] b = new byte[HEAD_BYTES];
    int n = readAt(b, 0);
    return n <= 0 ? EMPTY : Arrays.copyOf(b, n);
  }

  private boolean holdsAt(long at, byte[] expected) throws IOException {
    if (expected.length == 0) {
      return true;
    }
    if (at < 0) {
      return false;
    }
    byte[] b = new byte[expected.length];
    return readAt(b, at) == b.length && Arrays.equals(b, expected);
  }

  /** A saved fingerprint's bytes, or null when it is not one. */
  static byte[] fingerprintBytes(String hex) {
    try {
      return HexFormat.of().parseHex(hex == null ? "" : hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean startsWith(byte[] h, int... magic) {
    if (h.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((h[i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] data, int n) {
    for (int i = 0; i < n; i++) {
      if (data[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
