package io.portcullis.web;

import com.sun.net.httpserver.HttpExchange;
import io.portcullis.control.ProtocolMapper;
import io.portcullis.control.Replies;
import io.portcullis.control.ServerControl;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /api/v1/events}: what happens to addresses, as server-sent events ({@code event:
 * failure|ban|unban|allow|blocked}, {@code data:} the event as JSON). Each client has a bounded
 * queue filled on the publishing thread without waiting: a client too slow for a flood loses
 * events, and is told how many ({@code event: dropped}). At most {@value #MAX_STREAMS} clients at
 * once; a comment every 15 s keeps proxies from closing an idle stream.
 */
final class LiveFeed {
  static final int MAX_STREAMS = 16;
  private static final int QUEUE = 4_096;
  private static final Duration KEEPALIVE = Duration.ofSeconds(15);

  private final ServerControl server;
  private final Semaphore streams = new Semaphore(MAX_STREAMS);
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;
  private final java.util.Set<BlockingQueue<Replies.Event>> open =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Put in a queue to end its stream. */
  private static final Replies.Event STOP = Replies.Event.blocked(0, "", "", null);

  LiveFeed(ServerControl server) {
    this.server = server;
    // the mapper learns the event's shape now, not while the first ban waits to be shown
    try {
      ProtocolMapper.JSON.writeValueAsString(
          new Replies.Event(
              Replies.EventKind.BAN,
              0,
              "",
              "192.0.2.1",
              1,
              1,
              1L,
              1,
              1L,
              "",
              0.0,
              new Replies.Evidence(null, "", "", java.util.List.of("")),
              java.util.List.of()));
    } catch (IOException e) {
      throw new IllegalStateException("an event that cannot be written: " + e.getMessage(), e);
    }
  }

  /** Events lost to slow clients since start. */
  long dropped() {
    return dropped.get();
  }

  Answer stream(Call c) throws Exception {
    if (!streams.tryAcquire()) {
      throw new Api.Refused(
          503, 1, "too many live feeds open (" + MAX_STREAMS + "); close one and try again");
    }
    try {
      serve(c.exchange());
    } finally {
      streams.release();
    }
    return new Answer.Streamed();
  }

  private void serve(HttpExchange x) throws Exception {
    BlockingQueue<Replies.Event> queue = new ArrayBlockingQueue<>(QUEUE);
    AtomicLong lost = new AtomicLong();
    open.add(queue);
    x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    x.getResponseHeaders().set("Cache-Control", "no-cache");
    x.getResponseHeaders().set("X-Accel-Buffering", "no");
    x.sendResponseHeaders(200, 0);
    try (AutoCloseable subscription =
            server.subscribe(
                e -> {
                  if (!queue.offer(e)) {
                    lost.incrementAndGet();
                    dropped.incrementAndGet();
                  }
                });
        OutputStream out = x.getResponseBody()) {
      write(out, ": portcullis live feed\nretry: 2000\n\n");
      long id = 0;
      while (!closed) {
        Replies.Event e = queue.poll(KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
        long n = lost.getAndSet(0);
        if (n > 0) {
          write(out, "event: dropped\ndata: {\"dropped\":" + n + "}\n\n");
        }
        if (e == null) {
          write(out, ": keepalive\n\n");
          continue;
        }
        if (e == STOP) {
          break;
        }
        StringBuilder b = new StringBuilder();
        append(b, e, ++id);
        while (b.length() < 65_536 && (e = queue.peek()) != null && e != STOP) {
          append(b, queue.poll(), ++id);
        }
        write(out, b.toString());
      }
    } catch (IOException gone) {
      // the client went away
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(queue);
    }
  }

  private static void append(StringBuilder b, Replies.Event e, long id) throws IOException {
    b.append("id: ")
        .append(id)
        .append("\nevent: ")
        .append(e.kind().word())
        .append("\ndata: ")
        .append(ProtocolMapper.JSON.writeValueAsString(e))
        .append("\n\n");
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Ends every stream. */
  void close() {
    closed = true;
    for (BlockingQueue<Replies.Event> q : open) {
      q.clear();
      q.offer(STOP);
    }
  }
}
