package io.portcullis.server;

import io.portcullis.worker.Worker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The server's log, in fail2ban's shape so that a recidive filter can read it: {@code 2024-05-01
 * 10:00:01,123 portcullis[901]: NOTICE [asterisk] Ban 203.0.113.7 ...}. Targets: a file path
 * (reopened by {@link #reopen}, for logrotate), STDOUT, STDERR, or SYSTEMD-JOURNAL / SYSLOG (stderr
 * with "<priority>" prefixes, which journald reads).
 */
public final class ServerLog {
  public enum Level {
    CRITICAL(2),
    ERROR(3),
    WARNING(4),
    NOTICE(5),
    INFO(6),
    DEBUG(7);

    final int priority;

    Level(int priority) {
      this.priority = priority;
    }
  }

  /** A line's time up to its second; the milliseconds are appended by hand. */
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,", Locale.ROOT);

  /** The text of one second's time: formatting it anew for every line cost ~1 KB of garbage. */
  private record Stamp(long second, String text) {}

  private static final Duration FLUSH_EVERY = Duration.ofMillis(100);

  private final String target;
  private final boolean journald;
  private final Level threshold;
  private final Clock clock;
  private final long pid = ProcessHandle.current().pid();
  private final Worker<Object> flusher;
  private PrintStream out;
  private volatile boolean dirty;
  private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

  public ServerLog(String target, String level, Clock clock) {
    this.target = target;
    this.journald = List.of("SYSTEMD-JOURNAL", "SYSLOG").contains(target.toUpperCase(Locale.ROOT));
    this.threshold = parseLevel(level);
    this.clock = clock;
    reopen();
    this.flusher =
        Worker.named("log-flusher")
            .every(
                () -> FLUSH_EVERY,
                () -> {
                  if (dirty) {
                    flush();
                  }
                })
            .errors(m -> System.err.println("portcullis: log flusher: " + m))
            .start();
  }

  /** Writes out what is buffered and stops the flusher. */
  public void close(Duration limit) {
    try {
      flusher.stop(limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }

  /** Writes out what is buffered (at most 100 ms old otherwise). */
  public synchronized void flush() {
    dirty = false;
    out.flush();
  }

  private static Level parseLevel(String level) {
    String l = level.toUpperCase(Locale.ROOT);
    if (l.endsWith("DEBUG")) {
      return Level.DEBUG;
    }
    for (Level v : Level.values()) {
      if (v.name().equals(l)) {
        return v;
      }
    }
    return Level.INFO;
  }

  /** Opens the target again (after logrotate moved the file away). */
  public synchronized void reopen() {
    if (out != null && out != System.out && out != System.err) {
      out.close();
    }
    dirty = false;
    switch (target.toUpperCase(Locale.ROOT)) {
      case "STDOUT" -> out = System.out;
      case "STDERR", "SYSTEMD-JOURNAL", "SYSLOG" -> out = System.err;
      default -> {
        try {
          Path p = Path.of(target);
          if (p.getParent() != null) {
            Files.createDirectories(p.getParent());
          }
          // buffered: the flusher writes it out within 100 ms, and a flood of bans does not cost
          // one write call per line
          out =
              new PrintStream(
                  new java.io.BufferedOutputStream(
                      Files.newOutputStream(
                          p, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                      1 << 16),
                  false,
                  StandardCharsets.UTF_8);
        } catch (IOException e) {
          out = System.err;
          out.println(
              "portcullis: cannot open log "
                  + target
                  + " ("
                  + e.getMessage()
                  + "), logging to stderr");
        }
      }
    }
  }

  public boolean enabled(Level level) {
    return level.ordinal() <= threshold.ordinal();
  }

  public void log(Level level, String message) {
    if (!enabled(level)) {
      return;
    }
    String line;
    if (journald) {
      line = "<" + level.priority + ">" + level + " " + message;
    } else {
      line = time() + " portcullis[" + pid + "]: " + level + " " + message;
    }
    synchronized (this) {
      out.println(line);
      if (out == System.out || out == System.err) {
        out.flush();
      } else {
        dirty = true;
      }
    }
  }

  /** Now as {@code 2024-05-01 10:00:01,123} in the clock's zone. */
  private String time() {
    Instant now = clock.instant();
    Stamp s = stamp;
    if (s.second() != now.getEpochSecond()) {
      s =
          new Stamp(
              now.getEpochSecond(),
              LocalDateTime.ofInstant(Instant.ofEpochSecond(now.getEpochSecond()), clock.getZone())
                  .format(SECOND));
      stamp = s;
    }
    int ms = now.getNano() / 1_000_000;
    return s.text()
        + (char) ('0' + ms / 100)
        + (char) ('0' + ms / 10 % 10)
        + (char) ('0' + ms % 10);
  }

  public void notice(String m) {
    log(Level.NOTICE, m);
  }

  public void info(String m) {
    log(Level.INFO, m);
  }

  public void warning(String m) {
    log(Level.WARNING, m);
  }

  public void error(String m) {
    log(Level.ERROR, m);
  }

  public void debug(String m) {
    log(Level.DEBUG, m);
  }
}
