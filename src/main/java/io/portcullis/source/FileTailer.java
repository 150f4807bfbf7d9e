package io.portcullis.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows log files named by paths or globs and hands over what is written to them, as blocks of
 * whole, cleaned lines (see {@link LineCleaner}), without losing or repeating a line across
 * rotation.
 *
 * <p>Design note: a file is known by its identity (device and inode) and by its first bytes, never
 * by its name alone, and it stays open while it may still be written:
 *
 * <ul>
 *   <li>rename + create, delete + recreate, symlink swap: the name now points at another file; the
 *       old one is read to its end and kept open ("retired") until it has been quiet for a while
 *       and the new one has been written to, so that late writes by a writer that still holds it
 *       (Asterisk until {@code logger reload}) are read. A rotated file that a glob still matches
 *       keeps its place under its new name: it is not read again.
 *   <li>copytruncate, truncate: the file is shorter than the offset, or its first bytes or the
 *       bytes before the offset changed. What was not read yet is taken from the rotated copy (a
 *       sibling named after the log, or a file of the glob that was recognised as a copy) and the
 *       log is read from its start; a line cut by the truncation is dropped, never matched in
 *       pieces. A log named alone (no glob) may have been copied and truncated more than once
 *       before the reader looked: the rotated copies that appeared since its last truncation (told
 *       by identity, size and first bytes, never by file time) are read whole, oldest first.
 *   <li>while the sink has no room (the jail behind), nothing is read but the files are still
 *       followed: new ones opened, rotated and deleted ones kept open (their bytes stay readable),
 *       heads learnt; lines wait in the files, so memory stays bounded. Only a copy's unread end is
 *       read whole then (where it ends decides where the truncated log starts).
 *   <li>compressed files (by name or by content) are never read.
 *   <li>read positions are saved (at most every second while busy, and when idle) and taken up at
 *       start by identity, so a file rotated while the server was down is finished from its saved
 *       position, then its successor read from its start.
 * </ul>
 *
 * <p>inotify (the JDK's WatchService) wakes the loop; a poll interval is the fallback and paces the
 * look at retired files. Problems that last (a log missing, a directory, unreadable) are logged
 * once, listed by {@link #problems()} and cleared when the file is back.
 */
public final class FileTailer implements AutoCloseable {
  /**
   * Receives appended data: whole lines {@code buf[0..len)} (the array may be longer); the array is
   * the receiver's.
   */
  @FunctionalInterface
  public interface Sink {
    /** Takes a block of at most {@link FollowedFile#CHUNK} bytes; may wait while it is behind. */
    void block(Path file, byte[] buf, int len);

    /**
     * Whether a block of {@link FollowedFile#CHUNK} bytes is taken now without waiting. While it is
     * not, the tailer reads nothing but goes on following the files: it opens new ones and keeps
     * rotated and deleted ones open, to read them once there is room (a reader that waited inside
     * {@link #block} missed logs deleted and recreated meanwhile, whose lines no one could read).
     */
    default boolean hasRoom() {
      return true;
    }

    /**
     * An array of at least {@code size} bytes (at most {@link #BLOCK_MAX}) to read the next block
     * into, on the reader's thread: it comes back through {@link #block} or, when the read hands
     * nothing over, {@link #unused}. A sink may reuse arrays it is done with, so that a burst of
     * blocks does not fill the old generation with 1 MiB arrays (each block outlives a few young
     * collections while it waits in the jail's queue, and is promoted).
     */
    default byte[] buffer(int size) {
      return new byte[size];
    }

    /** Gives back an array from {@link #buffer} that was not handed over. */
    default void unused(byte[] buf) {}
  }

  /** Where reading a file should start, and where to record progress. */
  public interface Positions {
    /** A saved position, or null. */
    Position load(Path file);

    void save(Path file, Position position);
  }

  /** A read position: the file's identity and the offset after the last whole line read. */
  public record Position(long inode, String fingerprint, long offset) {}

  /** A problem with a log that lasts (missing, a directory, unreadable): for status. */
  public record Problem(String logpath, String message) {
    @Override
    public String toString() {
      return "logpath " + logpath + ": " + message;
    }
  }

  /** What was passed over or repaired since the tailer started. */
  public record Counters(
      long overlongLines,
      long cutLines,
      long nulBytes,
      long rotations,
      long truncations,
      long tailsFromCopies,
      long unreadBytesLost) {}

  /** How long to wait for things; the defaults serve the server, tests shorten them. */
  record Timing(
      Duration retireQuiet,
      Duration retireMax,
      Duration problemGrace,
      Duration undecidedMax,
      Duration saveEvery,
      int maxLine) {
    static final Timing DEFAULT =
        new Timing(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            LineCleaner.MAX_LINE);
  }

  /** The largest block handed to a {@link Sink} (what {@link Sink#hasRoom} must have room for). */
  public static final int BLOCK_MAX = FollowedFile.CHUNK;

  /** How often to look again while the sink has no room (and nothing changes on disk). */
  private static final Duration BEHIND_POLL = Duration.ofMillis(20);

  private final String name;
  private final List<String> globs;
  private final Positions positions;
  private final Sink sink;

  /** The sink, waiting for room when it must: for a rotated copy's unread end, read whole. */
  private final Sink untilTheEnd;

  private final Duration poll;
  private final boolean inotify;
  private final long startBackBytes;
  private final Consumer<String> problemLog;
  private final Timing timing;
  private final LineCleaner cleaner;
  private final LogProblems problems;
  private final Thread thread;

  /** Counted down once the first pass has placed the files it found (or failed): see start(). */
  private final CountDownLatch placed = new CountDownLatch(1);

  // confined to the tailer's thread
  private final Map<Path, FollowedFile> byPath = new LinkedHashMap<>();
  private final List<FollowedFile> retired = new ArrayList<>();
  private final Set<FileKey> compressed = new HashSet<>();
  private final Map<Path, WatchKey> watchedDirs = new HashMap<>();
  private final Map<FollowedFile, Long> undecidedSince = new HashMap<>();

  /** The files that followed symlinks point to (their writes are seen under these names). */
  private final Set<Path> linkTargets = new HashSet<>();

  private boolean firstScan = true;

  /** Per directory of a logpath, the file names it matches (for telling events apart). */
  private final Map<Path, List<PathMatcher>> logNames;

  /** The logpaths of the last pass that name one file (no glob). */
  private Set<Path> explicitPaths = Set.of();

  private String lastFailure;

  // read by other threads
  private volatile boolean running = true;
  private volatile WatchService watcher;
  private volatile List<Path> filesView = List.of();
  private volatile List<Problem> problemsView = List.of();
  private volatile List<String> notes = List.of();
  private volatile long rotations;
  private volatile long truncations;
  private volatile long tailsFromCopies;
  private volatile long unreadBytesLost;
  private volatile long cutLines;
  private volatile long passes;

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
    this(name, globs, positions, sink, poll, inotify, startBackBytes, message -> {});
  }

  /**
   * @param problemLog told once when a problem with a log starts and once when it is over (the
   *     server's log, at warning level)
   */
  public FileTailer(
      String name,
      List<String> globs,
      Positions positions,
      Sink sink,
      Duration poll,
      boolean inotify,
      long startBackBytes,
      Consumer<String> problemLog) {
    this(name, globs, positions, sink, poll, inotify, startBackBytes, problemLog, Timing.DEFAULT);
  }

  FileTailer(
      String name,
      List<String> globs,
      Positions positions,
      Sink sink,
      Duration poll,
      boolean inotify,
      long startBackBytes,
      Consumer<String> problemLog,
      Timing timing) {
    this.name = name;
    this.globs = List.copyOf(globs);
    this.logNames = logNames(this.globs);
    this.positions = positions;
    this.sink = sink;
    this.untilTheEnd = sink::block;
    this.poll = poll;
    this.inotify = inotify;
    this.startBackBytes = startBackBytes;
    this.problemLog = problemLog;
    this.timing = timing;
    this.cleaner = new LineCleaner(timing.maxLine());
    this.problems = new LogProblems(name, problemLog, timing.problemGrace().toNanos());
    this.thread = new Thread(this::loop, "tail-" + name);
    this.thread.setDaemon(true);
  }

  /**
   * Starts following and returns once the first pass has decided where each file found starts (at
   * most {@link #PLACE_WAIT}). A file first seen without a saved position starts {@code
   * startBackBytes} before its end at that moment: placed later, behind lines written after the
   * server said ready, a log that grew by more than that in between lost those lines (seen in a
   * bench: a 27 MB log placed after 154,272 lines were appended to it; they were never read). The
   * reading itself goes on on the tailer's thread.
   */
  public void start() throws InterruptedException {
    thread.start();
    placed.await(PLACE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How long {@link #start} waits for the first pass to place the files (a slow disk, NFS). */
  static final Duration PLACE_WAIT = Duration.ofSeconds(10);

  private static Map<Path, List<PathMatcher>> logNames(List<String> globs) {
    Map<Path, List<PathMatcher>> out = new HashMap<>();
    for (String glob : globs) {
      Path p = Path.of(glob).toAbsolutePath();
      Path dir = p.getParent();
      if (dir == null || p.getFileName() == null) {
        continue;
      }
      String name = p.getFileName().toString();
      PathMatcher m =
          name.contains("*") || name.contains("?") || name.contains("[")
              ? FileSystems.getDefault().getPathMatcher("glob:" + name)
              : n -> n.toString().equals(name);
      out.computeIfAbsent(dir, d -> new ArrayList<>()).add(m);
    }
    return out;
  }

  /** Log files currently followed (not the copies of them a glob also matches). */
  public List<Path> files() {
    return filesView;
  }

  /** Problems with the logs that last (missing, a directory, unreadable), for status. */
  public List<Problem> problems() {
    return problemsView;
  }

  /** The problems and notes (inotify unavailable, a failing pass) as sentences, for status. */
  public List<String> warnings() {
    List<String> out = new ArrayList<>(notes);
    problemsView.forEach(p -> out.add(p.toString()));
    return List.copyOf(out);
  }

  /** What was passed over or repaired so far. */
  public Counters counters() {
    return new Counters(
        cleaner.overlong(),
        cutLines,
        cleaner.nulBytes(),
        rotations,
        truncations,
        tailsFromCopies,
        unreadBytesLost);
  }

  private void loop() {
    try {
      if (inotify) {
        watcher = FileSystems.getDefault().newWatchService();
      }
    } catch (IOException e) {
      note("inotify unavailable, polling every " + poll.toMillis() + " ms: " + e.getMessage());
    }
    long lastSave = System.nanoTime();
    try {
      while (running) {
        try {
          readAppended();
          try {
            scanOnce();
          } finally {
            placed.countDown(); // a first pass that failed does not hold the start either
          }
          failed(null);
          boolean idle = waitForChange(sink.hasRoom() ? poll : BEHIND_POLL);
          if (idle || System.nanoTime() - lastSave >= timing.saveEvery().toNanos()) {
            savePositions();
            lastSave = System.nanoTime();
          }
        } catch (InterruptedException | ClosedWatchServiceException e) {
          break;
        } catch (RuntimeException | IOException e) {
          failed("reading logs failed, retrying: " + e);
          sleepQuietly();
        }
      }
    } finally {
      placed.countDown();
      savePositions();
      closeAll();
    }
  }

  /**
   * Reads what was appended to the logs already followed, before the pass looks at the directories:
   * a wake-up is nearly always a line appended, and the pass (the globs listed, each file looked at
   * and placed) took 0.3 ms of the path from a line to its ban, up to 2 ms at the first one after a
   * start. Only files read before and unchanged up to where they were read: a truncation, a file
   * rewritten or one not read yet is left to the pass, which reads the copies first.
   */
  private void readAppended() {
    if (firstScan) {
      return;
    }
    for (FollowedFile f : byPath.values()) {
      if (f.role != FollowedFile.Role.LOG
          || f.offset() == 0
          || (f.rotatedSiblings == null && explicitPaths.contains(f.path))) {
        continue;
      }
      try {
        if (!f.rewritten()) {
          f.read(sink, cleaner);
        }
      } catch (IOException e) {
        // the pass below looks again and reports it
      }
    }
  }

  /** One pass: find the files, tell rotations and truncations apart, read what is new. */
  void scanOnce() throws IOException {
    long now = System.nanoTime();
    Map<Path, FileKey> found = new LinkedHashMap<>();
    Set<Path> explicit = new HashSet<>();
    for (String glob : globs) {
      expand(glob, found, explicit, now);
    }
    explicitPaths = explicit;
    Map<FileKey, FollowedFile> known = new HashMap<>();
    byPath.values().forEach(f -> known.put(f.key, f));
    retired.forEach(f -> known.put(f.key, f));
    // one name per file: the one it is followed under, else the first (a symlink and its target)
    Map<FileKey, Path> names = new LinkedHashMap<>();
    found.forEach(
        (p, key) -> {
          FollowedFile f = known.get(key);
          if (!names.containsKey(key) || (f != null && f.path.equals(p))) {
            names.put(key, p);
          }
        });
    Map<Path, FollowedFile> next = new LinkedHashMap<>();
    List<FollowedFile> fresh = new ArrayList<>();
    for (Map.Entry<FileKey, Path> e : names.entrySet()) {
      Path p = e.getValue();
      FollowedFile f = known.remove(e.getKey());
      if (f != null) {
        retired.remove(f); // a retired file back under a watched name keeps its place
        f.path = p;
        next.put(p, f);
      } else if (compressed.contains(e.getKey())) {
        if (explicit.contains(p)) {
          problems.see(p.toString(), "holds compressed data: not read", now);
        }
      } else {
        f = openFresh(p, now);
        if (f != null) {
          next.put(p, f);
          fresh.add(f);
        }
      }
    }
    compressed.retainAll(names.keySet());
    for (FollowedFile old : byPath.values()) {
      if (!known.containsKey(old.key)) {
        continue;
      }
      if (old.role == FollowedFile.Role.LOG) {
        // under no watched name any more: renamed away, deleted, replaced. Finish it, keep it open.
        try {
          old.read(sink, cleaner);
          retire(old, now);
        } catch (IOException e) {
          old.close(); // it cannot be read any more, wherever it is
        }
      } else {
        undecidedSince.remove(old);
        old.close(); // a copy's lines were read from its log
      }
    }
    byPath.clear();
    byPath.putAll(next);
    place(fresh, now);
    decide(now);
    placed.countDown(); // the start may go on: where each file starts is decided
    for (var it = byPath.values().iterator(); it.hasNext(); ) {
      FollowedFile f = it.next();
      try {
        follow(f);
      } catch (IOException e) {
        // one file failing (an I/O error, a file system gone) never stops the others
        problems.see(f.path.toString(), "cannot be read (" + reason(e) + ")", now);
        if (!f.channel.isOpen()) {
          if (f.dirty) {
            positions.save(f.path, f.position()); // opened again next pass, from here
          }
          it.remove();
        }
      }
    }
    readRetired(now);
    problemsView = problems.endPass(now, firstScan);
    filesView =
        byPath.values().stream()
            .filter(f -> f.role == FollowedFile.Role.LOG)
            .map(f -> f.path)
            .toList();
    firstScan = false;
    passes++;
  }

  /** Passes completed: a test that saw n can wait for n + 2 to know everything on disk was read. */
  long passes() {
    return passes;
  }

  /** Adds the regular, uncompressed files a logpath names to {@code found}; notes problems. */
  private void expand(String glob, Map<Path, FileKey> found, Set<Path> explicit, long now) {
    Path p = Path.of(glob);
    String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
    if (!fileName.contains("*") && !fileName.contains("?") && !fileName.contains("[")) {
      explicit.add(p);
      watch(p.toAbsolutePath().getParent());
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (a.isDirectory()) {
          problems.see(glob, "is a directory, not a log file; read when it is a file again", now);
        } else if (!a.isRegularFile()) {
          problems.see(glob, "is not a regular file; read when it is one", now);
        } else if (RotatedSiblings.compressedName(p)) {
          problems.see(glob, "is a compressed file: not read (name the log itself)", now);
        } else {
          found.put(p, FileKey.of(p));
        }
      } catch (NoSuchFileException e) {
        problems.see(glob, "no such file; read from its start when it appears", now);
      } catch (IOException e) {
        problems.see(glob, "cannot be looked at (" + reason(e) + ")", now);
      }
      return;
    }
    Path dir = p.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      problems.see(glob, "no such directory; files are read when they appear", now);
      return;
    }
    watch(dir);
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + fileName);
    List<Path> matched = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        if (m.matches(f.getFileName()) && !RotatedSiblings.compressedName(f)) {
          matched.add(f);
        }
      }
    } catch (IOException e) {
      problems.see(glob, "cannot list " + dir + " (" + reason(e) + ")", now);
      return;
    }
    matched.sort(null);
    int regular = 0;
    for (Path f : matched) {
      try {
        if (Files.isRegularFile(f)) {
          found.put(f, FileKey.of(f));
          regular++;
        }
      } catch (IOException e) {
        // gone since the listing: the next pass sees
      }
    }
    if (regular == 0) {
      problems.see(glob, "no file matches; files are read when they appear", now);
    }
  }

  private FollowedFile openFresh(Path p, long now) {
    FollowedFile f;
    try {
      f = FollowedFile.open(p);
    } catch (NoSuchFileException e) {
      return null; // gone since the listing: the next pass sees
    } catch (IOException e) {
      problems.see(p.toString(), "cannot be read (" + reason(e) + "); read when it can be", now);
      return null;
    }
    if (f == null) {
      return null;
    }
    if (f.compressed()) {
      compressed.add(f.key);
      f.close();
      return null;
    }
    try {
      Path target = p.toRealPath();
      if (!target.equals(p.toAbsolutePath())) {
        if (linkTargets.size() >= 1_000) {
          linkTargets.clear(); // bounded; a file missing here only waits for the poll
        }
        linkTargets.add(target);
      }
      Path real = target.getParent();
      if (real != null) {
        watch(real); // a symlink's target directory: where its writes are seen
      }
    } catch (IOException e) {
      // the poll interval covers it
    }
    return f;
  }

  /** Decides where newly opened files start, and whether they are logs or copies of one. */
  private void place(List<FollowedFile> fresh, long now) throws IOException {
    Map<Path, Position> saved = new HashMap<>();
    for (FollowedFile f : fresh) {
      Position s = positions.load(f.path);
      if (s != null) {
        saved.put(f.path, s);
      }
    }
    List<FollowedFile> rest = new ArrayList<>();
    for (FollowedFile f : fresh) {
      // by identity, whatever name it was saved under: a file renamed within a glob while down
      boolean resumed = false;
      for (Position s : saved.values()) {
        if (s.inode() == f.key.inode() && f.resume(s)) {
          resumed = true;
          break;
        }
      }
      if (!resumed) {
        rest.add(f);
      }
    }
    for (FollowedFile f : rest) {
      Position s = saved.get(f.path);
      if (firstScan) {
        if (s != null) {
          f.startAt(0);
          recoverWhileDown(f, s, now);
        } else if (f.size() > startBackBytes) {
          f.startAt(nextLineStart(f.channel, f.size() - startBackBytes));
        } else {
          f.startAt(0);
        }
      } else {
        f.startAt(0);
        f.role = classify(f);
        if (f.role == FollowedFile.Role.UNDECIDED) {
          undecidedSince.put(f, now);
        }
      }
    }
  }

  /**
   * A file whose saved position belongs to another file: it was rotated while the server was down.
   * The rest of the old one is read from a sibling (renamed: same inode; copied: same start), then
   * the new one from its start.
   */
  private void recoverWhileDown(FollowedFile f, Position s, long now) {
    byte[] fingerprint = FollowedFile.fingerprintBytes(s.fingerprint());
    if (fingerprint == null || fingerprint.length == 0) {
      return;
    }
    boolean renamed = s.inode() != f.key.inode();
    for (Path p : RotatedSiblings.of(f.path)) {
      FollowedFile c = openSibling(p, f);
      if (c == null) {
        continue;
      }
      try {
        if ((!renamed || c.key.inode() == s.inode())
            && c.size() >= s.offset()
            && c.startsWith(fingerprint)) {
          c.startAt(s.offset());
          c.path = f.path;
          c.read(untilTheEnd, cleaner);
          tailsFromCopies++;
          if (c.partial()) {
            cutLines++;
            f.startOver(true);
          }
          if (renamed) {
            retire(c, now); // its writer may still hold it
          } else {
            c.close();
          }
          return;
        }
      } catch (IOException e) {
        // unreadable meanwhile: try the next
      }
      c.close();
    }
  }

  /**
   * Decides what the files that were undecided are, against what is known of the logs before any of
   * them is looked at again (a copy is recognised by what its log held before the truncation).
   */
  private void decide(long now) throws IOException {
    for (FollowedFile f : byPath.values()) {
      if (f.role != FollowedFile.Role.UNDECIDED) {
        continue;
      }
      FollowedFile.Role r = classify(f);
      if (r == FollowedFile.Role.UNDECIDED
          && now - undecidedSince.getOrDefault(f, now) > timing.undecidedMax().toNanos()) {
        r = FollowedFile.Role.LOG;
      }
      f.role = r;
      if (r != FollowedFile.Role.UNDECIDED) {
        undecidedSince.remove(f);
      }
    }
  }

  /** Reads a followed file: a truncation first recovers the unread end from a copy. */
  private void follow(FollowedFile f) throws IOException {
    if (f.role == FollowedFile.Role.COPY) {
      f.markAllRead();
      return;
    }
    if (f.role == FollowedFile.Role.UNDECIDED) {
      return;
    }
    if (f.rotatedSiblings == null && explicitPaths.contains(f.path)) {
      f.rotatedSiblings = rotatedSiblings(f.path); // what a later truncation compares with
    }
    if (f.rewritten()) {
      truncated(f);
    } else if (f.offset() == 0 && f.head().length == 0 && f.rotatedSiblings != null) {
      // nothing seen of what the log holds since its last truncation (it was empty when looked at):
      // copied and truncated back to empty meanwhile, it looks untouched; its copy is new
      readNewCopies(f, null, new byte[0], firstBytes(f));
    }
    f.read(sink, cleaner);
  }

  /** The first bytes of a file as they are now (at most the prefix a sibling is marked with). */
  private static byte[] firstBytes(FollowedFile f) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SIBLING_PREFIX);
    while (b.hasRemaining() && f.channel.read(b, b.position()) > 0) {
      // the first bytes, or all of a shorter file
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private void truncated(FollowedFile f) throws IOException {
    truncations++;
    byte[] finishedHead = f.head();
    FollowedFile copy = findCopy(f);
    boolean skipFirst;
    if (copy != null) {
      copy.continueFrom(f);
      copy.read(untilTheEnd, cleaner); // to its end: whether it ends inside a line decides below
      tailsFromCopies++;
      skipFirst = copy.partial() || copy.skipping();
      if (copy.partial()) {
        cutLines++;
      }
      if (byPath.containsValue(copy)) {
        copy.role = FollowedFile.Role.LOG; // followed from where it stands now
        undecidedSince.remove(copy);
      } else {
        // kept a while: a glob that matches it next pass takes it up where it stands, not anew
        copy.path = f.path;
        copy.changedAt = System.nanoTime();
        retired.add(copy);
      }
    } else {
      long unread = f.lastSize() - f.offset();
      if (unread > 0) {
        unreadBytesLost += unread;
      }
      skipFirst = f.partial() || f.skipping();
      if (f.partial()) {
        cutLines++;
      }
    }
    if (explicitPaths.contains(f.path)) {
      readNewCopies(f, copy, finishedHead, firstBytes(f));
    }
    f.startOver(skipFirst);
  }

  /**
   * A log named alone (no glob) truncated more than once since it was last looked at (the jail was
   * behind, the reader was not scheduled, or a rotation came while a copy's end was handed over):
   * the copies made since its last truncation, other than the one that held its unread end, hold
   * contents the reader never saw. They are told by content, never by time (file times are coarse):
   * a rotated copy ({@link RotatedSiblings#rotatedName}) that was not there, or not as it is, when
   * the log was last truncated or first followed, that is not followed already, and that does not
   * start as the content just finished did. A copy that is empty so far or starts as the log
   * ({@code liveHead}) does now is left for the log's next truncation: copytruncate copies before
   * it truncates, and those lines are still read from the log. Each new copy is read whole, oldest
   * first; the siblings as they are now are remembered for the next truncation. (A glob that
   * matches the copies reads them as logs of their own.)
   */
  private void readNewCopies(
      FollowedFile f, FollowedFile copy, byte[] finishedHead, byte[] liveHead) throws IOException {
    for (int round = 0; round < 4; round++) { // again if a rotation came while reading them
      Map<FileKey, SiblingMark> before = f.rotatedSiblings;
      Map<FileKey, SiblingMark> now = rotatedSiblings(f.path);
      f.rotatedSiblings = now;
      if (before == null) {
        return;
      }
      List<SiblingMark> fresh = new ArrayList<>();
      now.forEach(
          (k, m) -> {
            SiblingMark b = before.get(k);
            boolean known =
                b != null && b.size() == m.size() && Arrays.equals(b.prefix(), m.prefix());
            if (!known && (copy == null || !k.equals(copy.key)) && !unsettled(m, liveHead)) {
              fresh.add(m);
            }
          });
      // not remembered: looked at again when the log is truncated (found as its copy then, or new)
      now.values().removeIf(m -> unsettled(m, liveHead));
      if (fresh.isEmpty()) {
        return;
      }
      fresh.sort(
          java.util.Comparator.comparingLong(SiblingMark::modifiedMillis)
              .thenComparingLong(m -> m.key().inode()));
      for (SiblingMark m : fresh) {
        FollowedFile c = openSibling(m.path(), f);
        if (c == null) {
          continue;
        }
        try {
          if (c.compressed() || (finishedHead.length > 0 && c.startsWith(finishedHead))) {
            continue; // compressed, or another copy of what was just finished
          }
          c.startAt(0);
          c.path = f.path;
          c.read(untilTheEnd, cleaner);
          tailsFromCopies++;
          if (c.partial()) {
            cutLines++; // its last line was cut by the truncation: dropped, never matched in part
          }
        } finally {
          c.close();
        }
      }
    }
  }

  /**
   * Whether a sibling may be a copy of what the log holds now, being made or made before the
   * truncation that is still to come (copytruncate copies, then truncates): empty so far, or
   * starting with the same bytes as the log. Read now, its lines would be read again from the log.
   */
  private static boolean unsettled(SiblingMark m, byte[] liveHead) {
    if (m.prefix().length == 0) {
      return true;
    }
    int common = Math.min(liveHead.length, m.prefix().length);
    return common > 0 && Arrays.equals(liveHead, 0, common, m.prefix(), 0, common);
  }

  /** A rotated copy next to a log as it was seen: for telling copies made since then. */
  record SiblingMark(Path path, FileKey key, long size, long modifiedMillis, byte[] prefix) {}

  private static final int SIBLING_PREFIX = 64;

  /** The rotated copies next to {@code log} now (see {@link RotatedSiblings#rotatedName}). */
  private static Map<FileKey, SiblingMark> rotatedSiblings(Path log) {
    Map<FileKey, SiblingMark> out = new LinkedHashMap<>();
    for (Path p : RotatedSiblings.of(log)) {
      if (!RotatedSiblings.rotatedName(log, p)) {
        continue;
      }
      try (FileChannel ch = FileChannel.open(p, java.nio.file.StandardOpenOption.READ)) {
        FileKey k = FileKey.of(p);
        long size = ch.size();
        long modified = Files.getLastModifiedTime(p).toMillis();
        ByteBuffer b = ByteBuffer.allocate(SIBLING_PREFIX);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
          // the first bytes, or all of a shorter file
        }
        out.put(k, new SiblingMark(p, k, size, modified, Arrays.copyOf(b.array(), b.position())));
      } catch (IOException e) {
        // gone meanwhile, or unreadable: not where the lines are
      }
    }
    return out;
  }

  /** The copy holding what was in {@code f} before it was truncated, or null. */
  private FollowedFile findCopy(FollowedFile f) {
    if (f.head().length == 0) {
      return null; // nothing was known of it
    }
    for (FollowedFile c : byPath.values()) {
      if (c != f && c.role != FollowedFile.Role.LOG && isCopyOf(c, f)) {
        return c;
      }
    }
    for (Path p : RotatedSiblings.of(f.path)) {
      FollowedFile c = openSibling(p, f);
      if (c != null) {
        if (isCopyOf(c, f)) {
          return c;
        }
        c.close();
      }
    }
    return null;
  }

  /** A sibling that is not followed already, opened; null when it is followed or unreadable. */
  private FollowedFile openSibling(Path p, FollowedFile of) {
    try {
      FileKey k = FileKey.of(p);
      if (k.equals(of.key) || followed(k)) {
        return null;
      }
      return FollowedFile.open(p);
    } catch (IOException e) {
      return null;
    }
  }

  private boolean followed(FileKey k) {
    for (FollowedFile f : byPath.values()) {
      if (f.key.equals(k)) {
        return true;
      }
    }
    for (FollowedFile f : retired) {
      if (f.key.equals(k)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code c} holds what was read of {@code f}: same start, same bytes before its offset.
   */
  private static boolean isCopyOf(FollowedFile c, FollowedFile f) {
    try {
      byte[] tail = f.tail();
      return c.size() >= f.offset()
          && c.startsWith(f.head())
          && c.holds(f.offset() - tail.length, tail);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A file that appeared while running: a log, or a copy of a followed log (copytruncate's rotated
   * file matched by the same glob), or undecided while it holds only a log's first bytes.
   */
  private FollowedFile.Role classify(FollowedFile c) throws IOException {
    c.refreshHead();
    boolean possible = false;
    for (FollowedFile g : byPath.values()) {
      if (g == c || g.role != FollowedFile.Role.LOG || g.head().length == 0) {
        continue;
      }
      byte[] gh = g.head();
      byte[] ch = c.head();
      int k = Math.min(ch.length, gh.length);
      if (!Arrays.equals(ch, 0, k, gh, 0, k)) {
        continue;
      }
      if (ch.length >= gh.length && isCopyOf(c, g)) {
        return FollowedFile.Role.COPY;
      }
      possible = true;
    }
    return possible ? FollowedFile.Role.UNDECIDED : FollowedFile.Role.LOG;
  }

  private void retire(FollowedFile f, long now) {
    f.changedAt = now;
    undecidedSince.remove(f);
    retired.add(f);
    rotations++;
  }

  /**
   * Reads files no longer under a watched name; closes one once it has been quiet and its successor
   * was written to (or quiet for long).
   */
  private void readRetired(long now) {
    var it = retired.iterator();
    while (it.hasNext()) {
      FollowedFile r = it.next();
      long before = r.lastSize();
      try {
        if (r.read(sink, cleaner) > 0 || r.lastSize() != before) {
          r.changedAt = now;
        }
      } catch (IOException e) {
        r.close();
        it.remove();
        continue;
      }
      long quiet = now - r.changedAt;
      FollowedFile successor = byPath.get(r.path);
      boolean takenOver = successor != null && successor.everRead;
      if (r.unread() && quiet < timing.retireMax().toNanos()) {
        continue; // not read to its end yet (the sink was behind): kept open until it is
      }
      if ((takenOver && quiet >= timing.retireQuiet().toNanos())
          || quiet >= timing.retireMax().toNanos()) {
        r.close();
        it.remove();
      }
    }
  }

  /**
   * Waits for a change to a followed file, at most {@code wait}; returns true when the wait ended
   * without one. Events of other files in a watched directory (a server log, a database beside the
   * log) do not end the wait: each would cost a pass over every logpath.
   */
  private boolean waitForChange(Duration wait) throws InterruptedException {
    WatchService w = watcher;
    if (w == null) {
      TimeUnit.MILLISECONDS.sleep(wait.toMillis());
      return true;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      WatchKey key = left > 0 ? w.poll(left, TimeUnit.NANOSECONDS) : null;
      if (key == null) {
        return true;
      }
      // gather the rest of a burst so one pass reads it all
      boolean changed = false;
      while (key != null) {
        changed |= concernsLogs(key, key.pollEvents());
        if (!key.reset()) {
          watchedDirs.values().remove(key); // the directory went: watch it again when it is back
          changed = true;
        }
        key = w.poll();
      }
      if (changed) {
        return false;
      }
    }
  }

  /**
   * Whether these events of one watched directory may concern what is read: a name a logpath
   * matches, a followed or retired file, a symlink's target. When unsure (events lost, a directory
   * watched for a symlink, a file rotated away still being written), yes.
   */
  private boolean concernsLogs(WatchKey key, List<WatchEvent<?>> events) {
    if (!(key.watchable() instanceof Path dir) || !retired.isEmpty()) {
      return true;
    }
    List<PathMatcher> names = logNames.get(dir);
    if (names == null) {
      return true;
    }
    for (WatchEvent<?> e : events) {
      if (!(e.context() instanceof Path name)) {
        return true; // OVERFLOW: events were lost
      }
      for (PathMatcher m : names) {
        if (m.matches(name)) {
          return true;
        }
      }
      Path file = dir.resolve(name);
      if (byPath.containsKey(file) || linkTargets.contains(file)) {
        return true;
      }
    }
    return false;
  }

  private void watch(Path dir) {
    WatchService w = watcher;
    if (w == null || dir == null) {
      return;
    }
    WatchKey k = watchedDirs.get(dir);
    if (k != null && k.isValid()) {
      return;
    }
    try {
      if (Files.isDirectory(dir)) {
        watchedDirs.put(
            dir,
            dir.register(
                w,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE));
      }
    } catch (IOException | ClosedWatchServiceException e) {
      // the poll interval covers it
    }
  }

  /** Records positions of logs read since the last save. */
  private void savePositions() {
    for (FollowedFile f : byPath.values()) {
      if (f.dirty && f.role != FollowedFile.Role.UNDECIDED) {
        positions.save(f.path, f.position());
        f.dirty = false;
      }
    }
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

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage();
  }

  private void note(String message) {
    List<String> n = new ArrayList<>(notes);
    n.add(message);
    notes = List.copyOf(n);
    problemLog.accept("[" + name + "] " + message);
  }

  /** A pass failed (logged when the reason changes, shown in status) or, with null, succeeded. */
  private void failed(String message) {
    if (message == null ? lastFailure == null : message.equals(lastFailure)) {
      return;
    }
    List<String> n = new ArrayList<>(notes);
    n.remove(lastFailure);
    if (message != null) {
      n.add(message);
      problemLog.accept("[" + name + "] " + message);
    }
    notes = List.copyOf(n);
    lastFailure = message;
  }

  private void sleepQuietly() {
    try {
      TimeUnit.MILLISECONDS.sleep(Math.max(100, poll.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void closeAll() {
    byPath.values().forEach(FollowedFile::close);
    byPath.clear();
    retired.forEach(FollowedFile::close);
    retired.clear();
    filesView = List.of();
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
}
