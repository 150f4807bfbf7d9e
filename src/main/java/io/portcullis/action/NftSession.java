package io.portcullis.action;

import io.portcullis.process.ProcessRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A long-lived {@code nft -i} for small batches: starting nft costs about 4 ms, and on a busy
 * machine now and then tens of ms, which is most of a ban's way from the log line to the kernel.
 * Each line sent is its own transaction; nft prints nothing for one that worked and "Error: ...",
 * the line and a marker line for one that did not. A {@code describe} after the batch prints a
 * known line, so the end of the batch's answer is known without guessing or waiting.
 */
final class NftSession implements AutoCloseable {
  private static final String END_COMMAND = "describe ip saddr";
  private static final String END = "payload expression, datatype ipv4_addr";
  private static final String EOF = "\0eof";
  private static final Duration HANDSHAKE = Duration.ofSeconds(5);

  private final ProcessRunner commands;
  private final Duration timeout;
  private Process process;
  private Writer input;
  private BlockingQueue<String> output;
  private String unusable;

  NftSession(ProcessRunner commands, Duration timeout) {
    this.commands = commands;
    this.timeout = timeout;
  }

  /**
   * Runs one-line statements (none may hold a line break). Throws with nft's messages if any failed
   * (the others took effect), or if the session broke (it is restarted on the next call).
   */
  synchronized void run(List<String> statements) throws IOException {
    if (unusable != null) {
      throw new IOException(unusable);
    }
    if (process == null || !process.isAlive()) {
      start();
      try {
        // this nft must answer the end marker as expected, or the session is never used
        exchange(List.of(), HANDSHAKE);
      } catch (IOException e) {
        unusable = "nft -i does not answer as expected (" + e.getMessage() + "): not used";
        throw new IOException(unusable, e);
      }
    }
    exchange(statements, timeout);
  }

  /**
   * Starts the session now, if it is not running, and has it answer once: at the firewall's start,
   * so that the first ban after a start does not wait for nft to be started (a fork of the JVM and
   * nft's own start: 4 ms, on a busy machine tens of ms).
   */
  void open() throws IOException {
    run(List.of());
  }

  /** Whether an {@code nft -i} is running for this session. */
  synchronized boolean isOpen() {
    return process != null && process.isAlive();
  }

  private void exchange(List<String> statements, Duration limit) throws IOException {
    StringBuilder errors = new StringBuilder();
    try {
      for (String s : statements) {
        input.write(s);
        input.write('\n');
      }
      input.write(END_COMMAND + "\n");
      input.flush();
      long end = System.nanoTime() + limit.toNanos();
      while (true) {
        String line = output.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null || line.equals(EOF)) {
          throw new IOException(
              line == null
                  ? "nft -i gave no answer within " + limit.toMillis() + " ms"
                  : "nft -i ended");
        }
        if (line.startsWith(END)) {
          break;
        }
        if (!line.isBlank() && !line.strip().matches("\\^+")) {
          errors.append(errors.length() == 0 ? "" : " / ").append(line.strip());
        }
      }
    } catch (IOException e) {
      close();
      throw e;
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (errors.length() > 0) {
      throw new IOException("nft: " + errors);
    }
  }

  private void start() throws IOException {
    process = commands.start(List.of("nft", "-i"));
    input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    output = lines;
    Process p = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the session was closed
              } finally {
                lines.add(EOF);
              }
            },
            "nft-session");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      process.destroyForcibly();
      process = null;
    }
  }
}
