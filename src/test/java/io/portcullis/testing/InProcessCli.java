package io.portcullis.testing;

import io.portcullis.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs a {@code portcullis} command in the test's JVM (no launcher) and keeps what it printed. */
public final class InProcessCli {
  private InProcessCli() {}

  /** {exit code, standard output, standard error} of {@code portcullis args...}. */
  public static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  /**
   * The same for a command that also writes to {@code System.out} directly ({@code regex} does, for
   * speed): both go to the standard output returned.
   */
  public static synchronized String[] runCapturingStdout(String... args) {
    StringWriter err = new StringWriter();
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    } finally {
      System.setOut(saved);
    }
    return new String[] {
      String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString()
    };
  }
}
