package io.portcullis.testing;

import io.portcullis.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

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
}
