package io.portcullis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a client command says when no server answers: how to start one. */
final class NoServer {
  /** Where the package installs the unit: the service can be started with systemctl. */
  static final Path UNIT = Path.of("/lib/systemd/system/portcullis.service");

  private NoServer() {}

  /**
   * @param configDir the config dir whose server was asked for
   * @param why what the connection attempt said
   */
  static String message(Path socket, Path configDir, String why) {
    List<String> lines = new ArrayList<>();
    lines.add("no server answers at " + socket + " (" + why + "). Start one:");
    if (Files.isRegularFile(UNIT) && configDir.equals(ConfigDirs.SYSTEM)) {
      lines.add(
          String.format("  %-48s (the installed service)", "sudo systemctl start portcullis"));
    }
    lines.add(
        String.format(
            "  %-48s (in the foreground; Ctrl-C stops it)",
            "sudo portcullis server --config " + configDir));
    lines.add("and check its configuration first with: portcullis check --config " + configDir);
    return String.join("\n", lines);
  }
}
