package io.portcullis.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Follows log files named by globs and hands over what is appended, as blocks of whole lines.
 *
 * <p>Design note: each file is known by its inode and a fingerprint of its first bytes. A new inode
 * under the same name is a rotation by rename: the old file is read to its end first, then the new
 * one from its start. A file shorter than the position, or whose first bytes changed, was truncated
 * (copytruncate): it is read from its start. Files that appear later are read from their start.
 * inotify (the JDK's WatchService) wakes the loop; a poll interval is the fallback. Only whole
 * lines are handed over; a partial last line waits for its newline.
 */
public final class FileTailer implements AutoCloseable {
  /** Receives appended data: whole lines {@code buf[0..len)}; the array is the receiver's. */
  @FunctionalInterface
  public interface Sink {
    void block(Path file, byte[] buf, int len);
  }

  /** Where reading a file should start, and where to record progress. */
  public interface Positions {
    /** A saved position, or null. */
    Position load(Path file);

    void save(Path file, Position position);
  }

  /** A read position: the file's identity and the offset after the last whole line read. */
  public record Position(long inode, String fingerprint, long offset) {}

  private static final int FINGERPRINT_BYTES = 64;
  private static final int READ_CHUNK = 1 << 20;

  private final String name;
  private final List<String> globs;
  private final Positions positions;
  private final Sink sink;
  private final Duration poll;
  private final boolean inotify;
  private final long startBackBytes;
  private final Map<Path, Tracked> files = new LinkedHashMap<>();
  private final Thread thread;
  private final List<String> warnings = new ArrayList<>();
  private volatile boolean running = true;
  private volatile WatchService watcher;
  private boolean firstScan = true;

  /**
   * @param startBackBytes for a file seen at the first start without a saved position, how far back
   *     from its end to start (the last findtime window, roughly); later files start at 0
   */
  public FileTailer(
      String name,
      List<String> globs,
      Positions positions,
      Sink sink,
      Duration poll,
      boolean inotify,
      long startBackBytes) {
    this.name = name;
    this.globs = List.copyOf(globs);
    this.positions = positions;
    this.sink = sink;
    this.poll = poll;
    this.inotify = inotify;
    this.startBackBytes = startBackBytes;
    this.thread = new Thread(this::loop, "tail-" + name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Files currently followed. */
  public synchronized List<Path> files() {
    return List.copyOf(files.keySet());
  }

  /** Problems seen (unreadable files, ...), for status. */
  public synchronized List<String> warnings() {
    return List.copyOf(warnings);
  }

  private void loop() {
    try {
      if (inotify) {
        watcher = FileSystems.getDefault().newWatchService();
      }
    } catch (IOException e) {
      warn("inotify unavailable, polling every " + poll.toMillis() + " ms: " + e.getMessage());
    }
    Set<Path> watchedDirs = new HashSet<>();
    while (running) {
      try {
        scanOnce(watchedDirs);
        waitForChange();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        break;
      } catch (RuntimeException | IOException e) {
        warn("reading logs failed, retrying: " + e);
        sleepQuietly();
      }
    }
    savePositions();
    closeAll();
  }

  /** One pass: find files, detect rotation or truncation, read what is new. */
  public synchronized void scanOnce(Set<Path> watchedDirs) throws IOException {
    Set<Path> seen = new HashSet<>();
    for (String glob : globs) {
      for (Path p : expand(glob)) {
        seen.add(p);
        Path dir = p.toAbsolutePath().getParent();
        if (watcher != null && dir != null && watchedDirs.add(dir)) {
          dir.register(
              watcher,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
        }
        Tracked t = files.get(p);
        if (t == null) {
          t = open(p, firstScan);
          if (t == null) {
            continue;
          }
          files.put(p, t);
        }
        follow(t);
      }
      if (watcher != null) {
        // a glob whose files do not exist yet: watch its directory for them to appear
        Path dir = Path.of(glob).toAbsolutePath().getParent();
        if (dir != null && Files.isDirectory(dir) && watchedDirs.add(dir)) {
          dir.register(
              watcher,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
        }
      }
    }
    for (Path gone : new ArrayList<>(files.keySet())) {
      if (!seen.contains(gone)) {
        Tracked t = files.remove(gone);
        read(t);
        t.close();
      }
    }
    firstScan = false;
  }

  private Tracked open(Path p, boolean atFirstStart) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(p, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      warn("cannot read " + p + ": " + e.getMessage());
      return null;
    }
    long inode = inode(p);
    String fp = fingerprint(ch);
    long size = ch.size();
    long offset = 0;
    Position saved = positions.load(p);
    if (saved != null
        && saved.inode() == inode
        && sameStart(ch, saved.fingerprint())
        && saved.offset() <= size) {
      offset = saved.offset();
    } else if (atFirstStart && saved == null && size > startBackBytes) {
      offset = nextLineStart(ch, size - startBackBytes);
    } else if (saved != null && saved.inode() != inode) {
      offset = 0; // rotated while we were down: the new file is all new
    }
    return new Tracked(p, ch, inode, fp, offset);
  }

  private void follow(Tracked t) throws IOException {
    long inode = inode(t.path);
    if (inode != t.inode && inode != -1) {
      // renamed away and replaced: finish the old file, then start the new one from 0
      read(t);
      t.close();
      Tracked fresh = open(t.path, false);
      if (fresh == null) {
        files.remove(t.path);
        return;
      }
      fresh.offset = 0;
      files.put(t.path, fresh);
      t = fresh;
    } else {
      long size = t.channel.size();
      if (size < t.offset || (t.offset > 0 && !sameStart(t.channel, t.fingerprint))) {
        t.offset = 0; // truncated (copytruncate) or rewritten in place
        t.fingerprint = fingerprint(t.channel);
      } else if (t.fingerprint.length() < FINGERPRINT_BYTES * 2
          && size * 2 > t.fingerprint.length()) {
        // a young file: take the fingerprint over more of its (unchanged) start
        t.fingerprint = fingerprint(t.channel);
      }
    }
    read(t);
  }

  /** Reads from the offset to the last newline and hands the whole lines over. */
  private void read(Tracked t) throws IOException {
    while (true) {
      long size = t.channel.size();
      if (size <= t.offset) {
        return;
      }
      int want = (int) Math.min(READ_CHUNK, size - t.offset);
      ByteBuffer buf = ByteBuffer.allocate(want);
      int n = 0;
      while (buf.hasRemaining()) {
        int r = t.channel.read(buf, t.offset + n);
        if (r <= 0) {
          break;
        }
        n += r;
      }
      byte[] data = buf.array();
      int last = n - 1;
      while (last >= 0 && data[last] != '\n') {
        last--;
      }
      if (last < 0) {
        if (n == READ_CHUNK) {
          // a line longer than a chunk: hand it over as it is rather than stall
          sink.block(t.path, data, n);
          t.offset += n;
          continue;
        }
        return;
      }
      sink.block(t.path, data, last + 1);
      t.offset += last + 1;
      if (t.fingerprint.length() < FINGERPRINT_BYTES * 2) {
        t.fingerprint = fingerprint(t.channel);
      }
      t.dirty = true;
    }
  }

  private void waitForChange() throws InterruptedException {
    if (watcher == null) {
      TimeUnit.MILLISECONDS.sleep(poll.toMillis());
      savePositions();
      return;
    }
    var key = watcher.poll(poll.toMillis(), TimeUnit.MILLISECONDS);
    if (key != null) {
      key.pollEvents();
      key.reset();
      // gather the rest of a burst so one pass reads it all
      var more = watcher.poll();
      while (more != null) {
        more.pollEvents();
        more.reset();
        more = watcher.poll();
      }
    } else {
      savePositions();
    }
  }

  /** Records positions of files read since the last save. */
  public synchronized void savePositions() {
    for (Tracked t : files.values()) {
      if (t.dirty) {
        positions.save(t.path, new Position(t.inode, t.fingerprint, t.offset));
        t.dirty = false;
      }
    }
  }

  private List<Path> expand(String glob) throws IOException {
    Path p = Path.of(glob);
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
      return Files.isRegularFile(p) ? List.of(p) : List.of();
    }
    Path dir = p.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        if (m.matches(f.getFileName()) && Files.isRegularFile(f)) {
          out.add(f);
        }
      }
    }
    out.sort(null);
    return out;
  }

  private static long inode(Path p) {
    try {
      return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  private static String fingerprint(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(FINGERPRINT_BYTES);
    int n = ch.read(b, 0);
    if (n <= 0) {
      return "";
    }
    return HexFormat.of().formatHex(b.array(), 0, n);
  }

  /**
   * Whether the file still starts with the bytes a fingerprint was taken over (only those: a file
   * that grew since keeps its start).
   */
  private static boolean sameStart(FileChannel ch, String fingerprint) throws IOException {
    int n = fingerprint.length() / 2;
    if (n == 0) {
      return true;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    int read = ch.read(b, 0);
    return read == n && HexFormat.of().formatHex(b.array(), 0, n).equals(fingerprint);
  }

  private static long nextLineStart(FileChannel ch, long from) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    long at = from;
    while (true) {
      b.clear();
      int n = ch.read(b, at);
      if (n <= 0) {
        return at;
      }
      for (int i = 0; i < n; i++) {
        if (b.get(i) == '\n') {
          return at + i + 1;
        }
      }
      at += n;
    }
  }

  private synchronized void warn(String message) {
    if (warnings.size() < 20) {
      warnings.add(message);
    }
  }

  private void sleepQuietly() {
    try {
      TimeUnit.MILLISECONDS.sleep(Math.max(100, poll.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private synchronized void closeAll() {
    for (Tracked t : files.values()) {
      t.close();
    }
    files.clear();
    WatchService w = watcher;
    if (w != null) {
      try {
        w.close();
      } catch (IOException ignored) {
        // closing on shutdown
      }
    }
  }

  @Override
  public void close() {
    try {
      running = false;
      WatchService w = watcher;
      if (w != null) {
        try {
          w.close();
        } catch (IOException ignored) {
          // wakes the loop
        }
      }
      thread.interrupt();
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One followed file. */
  private static final class Tracked {
    final Path path;
    final FileChannel channel;
    final long inode;
    String fingerprint;
    long offset;
    boolean dirty;

    Tracked(Path path, FileChannel channel, long inode, String fingerprint, long offset) {
      this.path = path;
      this.channel = channel;
      this.inode = inode;
      this.fingerprint = fingerprint;
      this.offset = offset;
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing to do on close
      }
    }
  }
}
