package io.portcullis.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a program as an argument list (never through a shell) with input, a time limit and its
 * output captured. A prefix such as {@code ip netns exec NAME} runs it inside a network namespace.
 *
 * <p>Design note: the time limit holds whatever the child does. Each run starts in a process group
 * of its own ({@code setsid}, which execs in place), its input is written and its output read on
 * helper threads, and when the limit passes the whole group is killed: also a grandchild that still
 * holds the output pipe open (a {@code sleep 1000 &} in a script), which would otherwise keep the
 * reader waiting for the end of the output for ever.
 */
public final class ProcessRunner {
  /** A finished run: exit code and combined output. */
  public record Result(int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }
  }

  private static final AtomicInteger IO_THREADS = new AtomicInteger();
  private static final ExecutorService IO =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "process-io-" + IO_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private static final Duration AFTER_KILL = Duration.ofSeconds(2);

  private final List<String> prefix;
  private final Duration timeout;

  public ProcessRunner(List<String> prefix, Duration timeout) {
    this.prefix = List.copyOf(prefix);
    this.timeout = timeout;
  }

  public Result run(List<String> command, String input) throws IOException {
    return run(command, input, Map.of());
  }

  /** Runs with extra environment variables (how untrusted values reach a shell command). */
  public Result run(List<String> command, String input, Map<String, String> env)
      throws IOException {
    List<String> full = new ArrayList<>();
    full.add("setsid");
    full.addAll(prefix);
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(() -> write(p.getOutputStream(), input), IO);
    CompletableFuture<byte[]> reading =
        CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), IO);
    byte[] out;
    try {
      if (!p.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
        throw timedOut(p, command, reading);
      }
      // the child ended; a grandchild may still hold the output open
      out = reading.get(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw timedOut(p, command, reading);
    } catch (InterruptedException e) {
      ProcessGroup.kill(p.pid());
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      ProcessGroup.kill(p.pid());
      throw new IOException(
          "reading the output of " + String.join(" ", command) + ": " + e.getCause(), e);
    }
    writing.cancel(false);
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
  }

  private IOException timedOut(Process p, List<String> command, CompletableFuture<byte[]> reading) {
    ProcessGroup.kill(p.pid());
    try {
      // the pipe closes once the group is gone: the reader thread ends
      reading.get(AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException ignored) {
      // nothing more to learn from it
    }
    return new IOException(
        String.join(" ", command)
            + " did not finish within "
            + timeout.toMillis()
            + " ms: killed it and its process group");
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static void write(OutputStream in, String input) {
    try (in) {
      if (input != null) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the child does not read its input (or died): its exit status says what happened
    }
  }

  private static byte[] readAll(InputStream out) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try (out) {
      for (int n; (n = out.read(chunk)) >= 0; ) {
        buf.write(chunk, 0, n);
      }
    } catch (IOException e) {
      // the stream was closed under us (the process was killed): keep what was read
    }
    return buf.toByteArray();
  }

  /**
   * Starts a long-lived program (inside the prefix's context), stderr merged into stdout; the
   * caller owns the process.
   */
  public Process start(List<String> command) throws IOException {
    List<String> full = new ArrayList<>(prefix);
    full.addAll(command);
    return new ProcessBuilder(full).redirectErrorStream(true).start();
  }

  /** The time limit of one run. */
  public Duration timeout() {
    return timeout;
  }

  /** Whether a program can be found on the PATH (inside the prefix's context). */
  public boolean available(String program) {
    try {
      return run(List.of("sh", "-c", "command -v \"$1\"", "sh", program), null).ok();
    } catch (IOException e) {
      return false;
    }
  }
}
