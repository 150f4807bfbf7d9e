package io.portcullis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.sqlite.util.OSInfo;

/**
 * Puts the SQLite driver's native library for this machine into a directory, as {@code
 * libsqlitejdbc.so}, so that the server loads it from there (the launcher's {@code
 * -Dorg.sqlite.lib.path}) instead of the driver copying it out of the jar into a temporary file at
 * every start. The build runs it for the checkout ({@code scripts/native-sqlite.sh}: {@code
 * target/portcullis-native}) and the package's postinst for the installed jar ({@code
 * /var/cache/portcullis/native}), so the library always comes from the very jar it is used with.
 * The folder in the jar is the one the driver itself would pick ({@code OSInfo}: glibc or musl, the
 * architecture). Not for people.
 *
 * <p>{@code java -cp portcullis.jar io.portcullis.cli.NativeSqlite DIR}: exit 0 when the library is
 * in DIR; 1, with the reason on stderr and DIR left without it, when the jar has none for this
 * machine or it cannot be written (the driver then does as before).
 */
public final class NativeSqlite {
  /** The file name the launcher passes as {@code -Dorg.sqlite.lib.name}. */
  public static final String FILE = "libsqlitejdbc.so";

  private NativeSqlite() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: NativeSqlite DIR");
      System.exit(2);
    }
    try {
      Path written = extract(Path.of(args[0]));
      System.exit(written == null ? 1 : 0);
    } catch (IOException e) {
      System.err.println("NativeSqlite: " + e.getMessage());
      System.exit(1);
    }
  }

  /**
   * Copies this machine's library into {@code dir} (created if missing) through a temporary file
   * renamed into place, so a server starting meanwhile never loads half a file.
   *
   * @return the library's path, or null when the jar has none for this machine (said on stderr)
   */
  public static Path extract(Path dir) throws IOException {
    String resource =
        "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + FILE;
    Path target = dir.resolve(FILE);
    try (InputStream in = NativeSqlite.class.getResourceAsStream(resource)) {
      if (in == null) {
        Files.deleteIfExists(target);
        System.err.println(
            "NativeSqlite: the jar has no " + resource + "; the driver extracts its own");
        return null;
      }
      Files.createDirectories(dir);
      Path part = Files.createTempFile(dir, FILE, ".part");
      try {
        Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
    }
    return target;
  }
}
