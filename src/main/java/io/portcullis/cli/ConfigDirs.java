package io.portcullis.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the configuration lives when the user does not say. */
final class ConfigDirs {
  static final Path SYSTEM = Path.of("/etc/portcullis");

  private ConfigDirs() {}

  /**
   * The shipped config of this installation (the launcher passes {@code portcullis.home}), else
   * /etc/portcullis.
   */
  static Path defaultDir() {
    String home = System.getProperty("portcullis.home");
    if (home != null) {
      Path shipped = Path.of(home, "config");
      if (Files.isDirectory(shipped)) {
        return shipped;
      }
    }
    return SYSTEM;
  }
}
