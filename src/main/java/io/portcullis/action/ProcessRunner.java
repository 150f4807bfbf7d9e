package io.portcullis.action;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program as an argument list (never through a shell) with input, a time limit and its
 * output captured. A prefix such as {@code ip netns exec NAME} runs it inside a network namespace.
 */
public final class ProcessRunner {
  /** A finished run: exit code and combined output. */
  public record Result(int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }
  }

  private final List<String> prefix;
  private final Duration timeout;

  public ProcessRunner(List<String> prefix, Duration timeout) {
    this.prefix = List.copyOf(prefix);
    this.timeout = timeout;
  }

  public Result run(List<String> command, String input) throws IOException {
    return run(command, input, java.util.Map.of());
  }

  /** Runs with extra environment variables (how untrusted values reach a shell command). */
  public Result run(List<String> command, String input, java.util.Map<String, String> env)
      throws IOException {
    List<String> full = new ArrayList<>(prefix);
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    if (input != null) {
      try (OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      p.getOutputStream().close();
    }
    byte[] out;
    try {
      out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", command) + " did not finish within " + timeout.toSeconds() + "s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
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
      return run(List.of("sh", "-c", "command -v " + program), null).ok();
    } catch (IOException e) {
      return false;
    }
  }
}
