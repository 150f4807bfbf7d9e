package io.portcullis.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows the systemd journal through {@code journalctl -f -o json} (backend = systemd), from the
 * saved cursor or, on a first start, from findtime ago. Each entry becomes the line fail2ban's
 * journal backend makes of it, {@code HOST IDENT[PID]: MESSAGE}, with the entry's own time.
 */
public final class JournalSource implements AutoCloseable {
  /** One journal entry as a log line. */
  public record Entry(String line, Instant time, String cursor) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final List<String> matches;
  private final String cursor;
  private final Duration since;
  private final Consumer<Entry> sink;
  private final Consumer<String> errors;
  private final Thread thread;
  private volatile Process process;
  private volatile boolean running = true;

  public JournalSource(
      String name,
      List<String> journalmatch,
      String cursor,
      Duration since,
      Consumer<Entry> sink,
      Consumer<String> errors) {
    this.name = name;
    this.matches = List.copyOf(journalmatch);
    this.cursor = cursor;
    this.since = since;
    this.sink = sink;
    this.errors = errors;
    this.thread = new Thread(this::loop, "journal-" + name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The journalctl command line: matches are passed as separate arguments, never to a shell. */
  List<String> command(String from) {
    List<String> cmd =
        new ArrayList<>(
            List.of("journalctl", "--follow", "--output=json", "--no-pager", "--quiet"));
    if (from != null) {
      cmd.add("--after-cursor=" + from);
    } else {
      cmd.add("--since=-" + Math.max(1, since.getSeconds()) + "s");
    }
    for (String m : matches) {
      cmd.addAll(List.of(m.strip().split("\\s+")));
    }
    return cmd;
  }

  private void loop() {
    String from = cursor;
    while (running) {
      try {
        process =
            new ProcessBuilder(command(from))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String json;
          while ((json = in.readLine()) != null) {
            Entry e = parse(json);
            if (e != null) {
              from = e.cursor();
              sink.accept(e);
            }
          }
        }
        int code = process.waitFor();
        if (running) {
          errors.accept("[" + name + "] journalctl exited with " + code + "; restarting in 5s");
          Thread.sleep(5_000);
        }
      } catch (IOException e) {
        if (running) {
          errors.accept(
              "[" + name + "] cannot run journalctl: " + e.getMessage() + "; retrying in 5s");
          sleep();
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sleep() {
    try {
      Thread.sleep(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
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
    line.append(message.replace('\n', ' '));
    long micros = n.path("__REALTIME_TIMESTAMP").asLong(0);
    Instant time =
        micros == 0 ? null : Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
    return new Entry(line.toString(), time, n.path("__CURSOR").asText(null));
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
    try {
      running = false;
      Process p = process;
      if (p != null) {
        p.destroy();
      }
      thread.interrupt();
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
