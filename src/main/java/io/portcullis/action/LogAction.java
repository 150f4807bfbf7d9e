package io.portcullis.action;

import io.portcullis.config.Durations;
import io.portcullis.jail.BanDecision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The built-in {@code log} action: records each ban and unban in the server log, and with {@code
 * log[file=/path]} also as one line per event in that file (for scripts and tests): {@code ban
 * <jail> <address> <bantime-seconds|-1> <failures> <bancount>} and {@code unban <jail> <address>}.
 */
public final class LogAction implements Action {
  private final String jail;
  private final Path file;
  private final Consumer<String> log;
  private final boolean stamp;
  private java.io.BufferedWriter out;

  public LogAction(String jail, Path file, Consumer<String> log, boolean stamp) {
    this.jail = jail;
    this.file = file;
    this.log = log;
    this.stamp = stamp;
  }

  /** Tells somebody; keeps nobody out. */
  @Override
  public boolean keepsOut() {
    return false;
  }

  @Override
  public String name() {
    return "log";
  }

  @Override
  public void ban(BanDecision b) throws IOException {
    log.accept(
        "[" + jail + "] log action: ban " + b.fid() + " for " + Durations.format(b.bantime()));
    append(banLine(b));
  }

  @Override
  public void unban(BanDecision b) throws IOException {
    log.accept("[" + jail + "] log action: unban " + b.fid());
    append("unban " + jail + " " + b.fid());
  }

  @Override
  public void restoreAll(java.util.List<BanDecision> bans) throws IOException {
    if (file == null) {
      return;
    }
    StringBuilder lines = new StringBuilder();
    for (BanDecision b : bans) {
      lines.append(banLine(b)).append('\n');
    }
    if (out == null) {
      out =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    out.write(lines.toString());
    out.flush();
  }

  @Override
  public void restore(BanDecision b) throws IOException {
    // a restart restores thousands of bans: one summary line is logged by the server instead
    append(banLine(b));
  }

  private String banLine(BanDecision b) {
    return "ban "
        + jail
        + " "
        + b.fid()
        + " "
        + (b.bantime().isNegative() ? -1 : b.bantime().getSeconds())
        + " "
        + b.failures()
        + " "
        + b.count();
  }

  private void append(String line) throws IOException {
    if (file == null) {
      return;
    }
    if (stamp) {
      java.time.Instant now = java.time.Instant.now();
      line += " at=" + (now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
    }
    if (out == null) {
      out =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    out.write(line);
    out.write('\n');
    out.flush();
  }

  @Override
  public void stop() throws IOException {
    if (out != null) {
      out.close();
      out = null;
    }
  }
}
