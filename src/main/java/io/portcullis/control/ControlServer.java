package io.portcullis.control;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Listens on the control socket and answers one request per line.
 *
 * <p>Design note. <b>Who</b>: each connection's peer is read from the kernel (SO_PEERCRED) and
 * judged by {@link PeerPolicy}: root and the server's user may run everything, the socket group
 * read-only commands, anybody else nothing (each request answered with "permission denied"). The
 * socket file is 0600, or 0660 with the group ({@link SocketFile}). <b>How much</b>: connections
 * are served by at most {@link Limits#threads} threads; up to {@link Limits#waiting} more wait
 * their turn, and a connection beyond that is answered "busy" and closed at once. A request line
 * longer than {@link Limits#requestBytes} is answered with an error and the connection closed,
 * without reading the rest. A connection that sends no whole request (or does not take its answer)
 * within {@link Limits#idle} is closed. A thread with nothing to do ends after 5 s.
 */
public final class ControlServer implements AutoCloseable {
  /** Executes one request; the answer is written with {@link ReplyWriter}. */
  @FunctionalInterface
  public interface Handler {
    Object handle(Protocol.Request request) throws Protocol.CommandException;
  }

  /** How much the control socket takes on at once. */
  public record Limits(int threads, int waiting, int requestBytes, Duration idle) {
    /**
     * 8 threads, 256 connections waiting (a file descriptor each), 1 MiB per request line, 10 s to
     * send a request or take an answer.
     */
    public static final Limits DEFAULT = new Limits(8, 256, 1 << 20, Duration.ofSeconds(10));

    public Limits {
      if (threads < 1 || waiting < 1 || requestBytes < 64 || idle.isNegative() || idle.isZero()) {
        throw new IllegalArgumentException("control limits out of range");
      }
    }
  }

  private static final Duration LOG_REFUSALS_EVERY = Duration.ofSeconds(10);

  /** How long a connection thread with nothing to do is kept. */
  private static final Duration IDLE_THREAD = Duration.ofSeconds(5);

  private final SocketFile file;
  private final ServerSocketChannel channel;
  private final Handler handler;
  private final Consumer<String> errors;
  private final Limits limits;
  private final PeerPolicy policy;
  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor timer;
  private final Thread thread;
  private final AtomicLong busy = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);
  private volatile boolean running = true;

  /**
   * Makes the socket and starts answering on it.
   *
   * @param group the socket group (read-only commands, mode 0660), or null (mode 0600)
   * @throws IOException when the socket cannot be made (the path is taken by something that is not
   *     a socket, another server answers on it, the group does not exist ...)
   */
  public ControlServer(Path socket, String group, Handler handler, Consumer<String> errors)
      throws IOException {
    this(socket, group, handler, errors, Limits.DEFAULT, PeerPolicy.GroupMembers.ETC_GROUP);
  }

  ControlServer(
      Path socket,
      String group,
      Handler handler,
      Consumer<String> errors,
      Limits limits,
      PeerPolicy.GroupMembers members)
      throws IOException {
    this.handler = handler;
    this.errors = errors;
    this.limits = limits;
    java.nio.file.attribute.GroupPrincipal principal = null;
    if (group != null) {
      try {
        principal =
            socket
                .getFileSystem()
                .getUserPrincipalLookupService()
                .lookupPrincipalByGroupName(group);
      } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
        throw new IOException("socketgroup: there is no group '" + group + "' on this machine", e);
      }
    }
    channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      file = SocketFile.bind(socket, channel, principal);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    policy = new PeerPolicy(Files.getOwner(socket), group, members);
    AtomicInteger n = new AtomicInteger();
    pool =
        new ThreadPoolExecutor(
            limits.threads(),
            limits.threads(),
            IDLE_THREAD.toMillis(),
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(limits.waiting()),
            r -> daemon(r, "control-" + n.incrementAndGet()));
    pool.allowCoreThreadTimeOut(true);
    timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "control-timer"));
    timer.setRemoveOnCancelPolicy(true);
    thread = daemon(this::accept, "control");
    thread.start();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public Path socket() {
    return file.path();
  }

  /** Connections answered "busy" since start. */
  public long busyRefusals() {
    return busy.get();
  }

  private void accept() {
    while (running) {
      SocketChannel c;
      try {
        c = channel.accept();
      } catch (IOException e) {
        if (running) {
          errors.accept("control socket: " + e);
          // e.g. out of file descriptors: do not spin on a failing accept
          java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        continue;
      }
      try {
        UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
        PeerPolicy.Decision d = policy.of(peer);
        pool.execute(() -> serve(c, d));
      } catch (RejectedExecutionException e) {
        busy.incrementAndGet();
        answerAndClose(
            c,
            Protocol.Reply.error(
                "server busy: "
                    + (limits.threads() + limits.waiting())
                    + " control connections are open; try again",
                1));
      } catch (IOException | RuntimeException e) {
        errors.accept("control socket: cannot read the peer of a connection: " + e);
        close(c);
      }
    }
  }

  /** A reply short enough for an empty socket buffer, written before anything is read. */
  private static void answerAndClose(SocketChannel c, Protocol.Reply reply) {
    try (c) {
      c.write(ByteBuffer.wrap((reply.toJson() + "\n").getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void close(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private void serve(SocketChannel c, PeerPolicy.Decision peer) {
    try (c) {
      RequestReader in = new RequestReader(Channels.newInputStream(c), limits.requestBytes());
      OutputStream out = Channels.newOutputStream(c);
      while (running) {
        RequestReader.Next next;
        ScheduledFuture<?> idle = deadline(c);
        try {
          next = in.next();
        } finally {
          idle.cancel(false);
        }
        if (next instanceof RequestReader.End) {
          return;
        }
        if (next instanceof RequestReader.TooLong t) {
          write(
              c,
              out,
              Protocol.Reply.error(
                  "request longer than "
                      + t.limit()
                      + " bytes; the connection is closed without reading the rest",
                  2));
          return;
        }
        String line = ((RequestReader.Line) next).text();
        if (line.isBlank()) {
          continue;
        }
        write(c, out, answer(line, peer));
        if (peer.access() == PeerPolicy.Access.NONE) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away, or was too slow and its connection was closed
    }
  }

  private ScheduledFuture<?> deadline(SocketChannel c) {
    return timer.schedule(() -> close(c), limits.idle().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void write(SocketChannel c, OutputStream out, Protocol.Reply reply) throws IOException {
    byte[] bytes = (reply.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    ScheduledFuture<?> stuck = deadline(c);
    try {
      out.write(bytes);
      out.flush();
    } finally {
      stuck.cancel(false);
    }
  }

  private Protocol.Reply answer(String line, PeerPolicy.Decision peer) {
    if (peer.access() == PeerPolicy.Access.NONE) {
      refusedNote(peer, "any command");
      return Protocol.Reply.error(policy.refusal(peer, ""), 1);
    }
    Protocol.Request request;
    try {
      request = Protocol.Request.parse(line);
    } catch (Protocol.ProtocolException e) {
      return Protocol.Reply.error(e.getMessage(), 2);
    }
    String refusal = policy.refusal(peer, request.command());
    if (refusal != null) {
      refusedNote(peer, "'" + request.command() + "'");
      return Protocol.Reply.error(refusal, 1);
    }
    try {
      return Protocol.Reply.ok(handler.handle(request));
    } catch (Protocol.CommandException e) {
      return Protocol.Reply.error(e.getMessage(), e.code());
    } catch (RuntimeException e) {
      errors.accept("control command failed: " + e);
      return Protocol.Reply.error("internal error: " + e, 1);
    }
  }

  /** Logs refused requests, at most once every 10 s (with how many since the last time). */
  private void refusedNote(PeerPolicy.Decision peer, String what) {
    long count = refused.incrementAndGet();
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if (now - last >= LOG_REFUSALS_EVERY.toNanos() && lastRefusalLog.compareAndSet(last, now)) {
      refused.set(0);
      errors.accept(
          "control socket: refused "
              + what
              + " to "
              + peer.who()
              + (count > 1 ? " (" + count + " refusals since the last such message)" : ""));
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    channel.close();
    pool.shutdownNow();
    timer.shutdownNow();
    file.remove();
  }
}
