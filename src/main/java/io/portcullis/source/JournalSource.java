package io.portcullis.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.worker.Worker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows the systemd journal through {@code journalctl --follow --output=json} (backend =
 * systemd), from the saved cursor or, on a first start, from findtime ago. Each entry becomes the
 * line fail2ban's journal backend makes of it, {@code HOST IDENT[PID]: MESSAGE}, with the entry's
 * own time.
 *
 * <p>Design note: journalctl is restarted when it ends, from the cursor of the last entry handed on
 * ({@code --cursor}, skipping that entry when it comes again: {@code --after-cursor} skips one
 * entry too many when the cursor's entry is not among the files any more). A directory ({@code
 * journalpath}) and the system's journal are followed across rotation by journalctl itself. Named
 * files ({@code journalfiles}) are not: every second the globs are looked at again, and when a file
 * was rotated (renamed, a new one in its place) journalctl is restarted on the new files and, once,
 * on the renamed one, so that the entries written just before the rotation are read too.
 */
public final class JournalSource implements AutoCloseable {
  /** One journal entry as a log line. */
  public record Entry(String line, Instant time, String cursor) {}

  /** Receives entries in journal order, a batch at a time; may block while the jail is busy. */
  @FunctionalInterface
  public interface Sink {
    void entries(List<Entry> batch);
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RETRY = Duration.ofSeconds(5);
  private static final Duration WATCH = Duration.ofSeconds(1);
  private static final int BATCH = 512;

  private final String jail;
  private final JournalSpec spec;
  private final Duration since;
  private final Sink sink;
  private final Consumer<String> errors;
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Worker<Object> watcher;
  private volatile String resume;
  private volatile Process process;
  private volatile boolean restart;
  private volatile Map<Path, Object> following = Map.of();
  private volatile String lastProblem;

  /**
   * @param cursor where the jail stopped reading last time, or null
   * @param since on a first start (no cursor), how far back to begin (findtime)
   * @param errors problems, already prefixed with nothing: the source adds the jail's name
   */
  public JournalSource(
      String jail,
      JournalSpec spec,
      String cursor,
      Duration since,
      Sink sink,
      Consumer<String> errors) {
    this.jail = jail;
    this.spec = spec;
    this.resume = cursor;
    this.since = since;
    this.sink = sink;
    this.errors = errors;
    this.thread = new Thread(this::loop, "journal-" + jail);
    this.thread.setDaemon(true);
    this.watcher =
        spec.files().isEmpty()
            ? null
            : Worker.named("journal-" + jail + "-files")
                .every(() -> WATCH, this::watchFiles)
                .errors(m -> errors.accept("[" + jail + "] journal files: " + m))
                .build();
  }

  public void start() {
    thread.start();
    if (watcher != null) {
      watcher.start();
    }
  }

  /** The journalctl command line: every value a separate argument, never given to a shell. */
  List<String> command(String from, List<Path> files) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "journalctl", "--follow", "--output=json", "--no-pager", "--quiet", "--no-tail"));
    if (from != null) {
      cmd.add("--cursor=" + from);
    } else {
      cmd.add("--since=-" + Math.max(1, since.getSeconds()) + "s");
    }
    cmd.addAll(spec.selection(files));
    return cmd;
  }

  private void loop() {
    Map<Path, Object> previous = Map.of();
    while (stopped.getCount() > 0) {
      List<Path> files = List.of();
      if (!spec.files().isEmpty()) {
        Map<Path, Object> now = expandFiles();
        if (now.isEmpty()) {
          problem("no journal file matches " + String.join(" ", spec.files()) + " yet");
          pause(WATCH);
          continue;
        }
        following = now;
        files = withRenamed(now, previous);
        previous = now;
      }
      restart = false;
      int exit;
      try {
        exit = follow(files);
      } catch (IOException e) {
        problem("cannot run journalctl: " + e.getMessage());
        pause(RETRY);
        continue;
      } catch (InterruptedException e) {
        return;
      }
      if (stopped.getCount() > 0 && !restart) {
        problem(
            "journalctl ended (exit "
                + exit
                + "); starting it again in "
                + RETRY.toSeconds()
                + "s");
        pause(RETRY);
      }
    }
  }

  /** Runs journalctl once and hands on what it prints; returns its exit status. */
  private int follow(List<Path> files) throws IOException, InterruptedException {
    String from = resume;
    Process p = new ProcessBuilder(command(from, files)).redirectErrorStream(true).start();
    process = p;
    if (stopped.getCount() == 0) {
      p.destroy();
    }
    boolean first = true;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      List<Entry> batch = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.startsWith("{")) {
          problem("journalctl: " + line);
          continue;
        }
        Entry e = parse(line);
        if (e == null) {
          continue;
        }
        if (first && from != null && from.equals(e.cursor())) {
          first = false;
          continue; // --cursor starts with the entry already read
        }
        first = false;
        lastProblem = null;
        batch.add(e);
        if (batch.size() >= BATCH || !in.ready()) {
          hand(batch);
        }
      }
      hand(batch);
    }
    p.waitFor(5, TimeUnit.SECONDS);
    return p.isAlive() ? -1 : p.exitValue();
  }

  private void hand(List<Entry> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<Entry> out = List.copyOf(batch);
    batch.clear();
    String last = out.get(out.size() - 1).cursor();
    if (last != null) {
      resume = last;
    }
    sink.entries(out);
  }

  /** The files the globs name now, each with its identity (inode). */
  private Map<Path, Object> expandFiles() {
    Map<Path, Object> out = new LinkedHashMap<>();
    for (String glob : spec.files()) {
      try {
        for (Path p : Globs.expand(glob)) {
          Object key = key(p);
          if (key != null) {
            out.put(p, key);
          }
        }
      } catch (IOException e) {
        problem("cannot list " + glob + ": " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * The files to read: those named now, and the ones followed before that were renamed away
   * (rotated) since, found by their identity next to where they were.
   */
  private static List<Path> withRenamed(Map<Path, Object> now, Map<Path, Object> before) {
    Set<Path> out = new LinkedHashSet<>(now.keySet());
    for (Map.Entry<Path, Object> old : before.entrySet()) {
      if (Objects.equals(now.get(old.getKey()), old.getValue())) {
        continue;
      }
      Path dir = old.getKey().toAbsolutePath().getParent();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.journal")) {
        for (Path f : ds) {
          if (old.getValue().equals(key(f))) {
            out.add(f);
          }
        }
      } catch (IOException | RuntimeException e) {
        // the old file is gone: nothing more to read from it
      }
    }
    return List.copyOf(out);
  }

  private static Object key(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** Every second: a rotated or new journal file restarts journalctl on the files as they are. */
  private void watchFiles() {
    Map<Path, Object> now = expandFiles();
    if (!now.isEmpty() && !now.equals(following)) {
      restart = true;
      Process p = process;
      if (p != null) {
        p.destroy();
      }
    }
  }

  /** Reports a problem once, not every few seconds while it lasts. */
  private void problem(String message) {
    if (!message.equals(lastProblem)) {
      lastProblem = message;
      errors.accept("[" + jail + "] " + message);
    }
  }

  private void pause(Duration d) {
    try {
      stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Turns one journal entry (JSON) into a line; null when it carries no message. */
  public static Entry parse(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
    String message = text(n.get("MESSAGE"));
    if (message == null) {
      return null;
    }
    String host = text(n.get("_HOSTNAME"));
    String ident = text(n.get("SYSLOG_IDENTIFIER"));
    if (ident == null) {
      ident = text(n.get("_COMM"));
    }
    String pid = text(n.get("SYSLOG_PID"));
    if (pid == null) {
      pid = text(n.get("_PID"));
    }
    StringBuilder line = new StringBuilder();
    if (host != null) {
      line.append(host).append(' ');
    }
    if (ident != null) {
      line.append(ident);
      if (pid != null) {
        line.append('[').append(pid).append(']');
      }
      line.append(": ");
    }
    line.append(message);
    // every field may hold a newline (any local user names the identifier: logger -t): one entry
    // is one line, and no field may start a line of its own (JournalEntryFuzzTest)
    String text = line.toString().replace('\n', ' ');
    long micros = n.path("__REALTIME_TIMESTAMP").asLong(0);
    Instant time =
        micros == 0 ? null : Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
    return new Entry(text, time, n.path("__CURSOR").asText(null));
  }

  /** A journal field: a string, or an array of bytes when it is not valid UTF-8. */
  private static String text(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isArray()) {
      byte[] b = new byte[v.size()];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) v.get(i).asInt();
      }
      return new String(b, StandardCharsets.UTF_8);
    }
    return v.asText();
  }

  @Override
  public void close() {
    stopped.countDown();
    try {
      if (watcher != null) {
        watcher.stop(Duration.ofSeconds(5));
      }
      Process p = process;
      if (p != null) {
        p.destroy();
      }
      thread.join(5_000);
      if (thread.isAlive()) {
        if (p != null) {
          p.destroyForcibly();
        }
        thread.interrupt();
        errors.accept("[" + jail + "] the journal reader did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
