package io.portcullis.testing;

import io.portcullis.control.Client;
import io.portcullis.control.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code portcullis server} as a real process (optionally started through a prefix such as {@code
 * ip netns exec NS}), and the command line client talking to its socket.
 */
public final class ServerProcess implements AutoCloseable {
  private static final String JAR = Path.of("target/portcullis.jar").toAbsolutePath().toString();

  private final List<String> prefix;
  private final List<String> jvmOptions;
  private final Path conf;
  private final Path socket;
  private final Path output;
  private Process process;

  /** {@code output}: where the server's stdout and stderr go (appended across restarts). */
  public ServerProcess(List<String> prefix, Path conf, Path socket, Path output) {
    this(prefix, List.of(), conf, socket, output);
  }

  /** A server run with these JVM options (a small heap, say). */
  public ServerProcess(
      List<String> prefix, List<String> jvmOptions, Path conf, Path socket, Path output) {
    this.prefix = List.copyOf(prefix);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.conf = conf;
    this.socket = socket;
    this.output = output;
  }

  /**
   * The server settings ({@code [Definition]} of portcullis.conf) that keep a test's server in its
   * own directory: log {@code server.log}, socket {@code s.sock}, pid file, database. Callers add
   * their own lines after it.
   */
  public static String settings(Path dir) {
    return "[Definition]\nlogtarget = "
        + dir.resolve("server.log")
        + "\nsocket = "
        + dir.resolve("s.sock")
        + "\npidfile = "
        + dir.resolve("p.pid")
        + "\ndbfile = "
        + dir.resolve("db.sqlite3")
        + "\n";
  }

  /** Starts the server and waits (at most 30 s) until it answers on its socket. */
  public void start() throws IOException, InterruptedException {
    start(Duration.ofSeconds(30));
  }

  /**
   * Starts the server and waits until it answers on its socket; fails at once, with the end of what
   * it printed, if it exits instead.
   */
  public void start(Duration limit) throws IOException, InterruptedException {
    launch();
    Client client = new Client(socket);
    Await.until(
        "the server to answer on " + socket,
        limit,
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError(
                "the server exited with " + process.exitValue() + " before answering: " + tail());
          }
          // in this JVM: a client JVM per poll is slow on a loaded machine
          try {
            return "pong".equals(client.ping());
          } catch (IOException | Protocol.CommandException e) {
            return false;
          }
        });
  }

  /** Starts the server process and returns at once, without waiting for it to answer. */
  public void launch() throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add("java");
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR, "server", "--config", conf.toString()));
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .start();
  }

  private String tail() {
    try {
      String all = Files.readString(output, StandardCharsets.UTF_8);
      return all.substring(Math.max(0, all.length() - 2000));
    } catch (IOException e) {
      return "(" + output + " unreadable: " + e.getMessage() + ")";
    }
  }

  /** The process (for its pid, whether it is alive). */
  public Process process() {
    return process;
  }

  public boolean answers() {
    try {
      return cli("ping").contains("pong");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs {@code portcullis ARGS --socket S} and returns what it printed (stdout and stderr). */
  public String cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--socket", socket.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("portcullis " + String.join(" ", args) + " did not finish");
    }
    return out;
  }

  /** The server's process id (to send it signals). */
  public long pid() {
    return process.pid();
  }

  /** Waits for the process to end; its exit code, or -1 when it did not end within the limit. */
  public int awaitExit(java.time.Duration limit) throws InterruptedException {
    return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** SIGKILL: no chance to clean up, as in a crash. */
  public void kill9() throws InterruptedException {
    // a process in an fsync may take a while to go; the next start needs its locks released
    if (!process.destroyForcibly().waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the server (pid " + process.pid() + ") survived SIGKILL for 60 s");
    }
  }

  /** {@code portcullis stop}, then waits for the process to end. */
  public void stop() throws IOException, InterruptedException {
    cli("stop");
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
