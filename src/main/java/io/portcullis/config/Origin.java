package io.portcullis.config;

import java.nio.file.Path;

/** Where a configuration value was written: a file and a 1-based line number (0: the file). */
public record Origin(Path file, int line) {
  public static final Origin NONE = new Origin(null, 0);

  @Override
  public String toString() {
    if (file == null) {
      return "<command line>";
    }
    return line > 0 ? file + ":" + line : file.toString();
  }
}
