package io.portcullis.server;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The ban store's file is made before SQLite opens it: mode 0600 in a directory of mode 0700 when
 * they are new (SQLite gives its journal and WAL files the database's mode). Whoever may write the
 * store may ban or unban anyone at the next start, so an existing store that group or others may
 * write loses those bits, with a warning.
 */
final class PrivateFile {
  private static final Set<PosixFilePermission> WRITE_BY_OTHERS =
      EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private PrivateFile() {}

  static void prepare(Path file, Consumer<String> warnings) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      return;
    } catch (FileAlreadyExistsException e) {
      // an existing store: check it
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return; // SQLite says what is wrong with it
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    if (mode.stream().anyMatch(WRITE_BY_OTHERS::contains)) {
      Set<PosixFilePermission> tight = EnumSet.copyOf(mode);
      tight.removeAll(WRITE_BY_OTHERS);
      Files.setPosixFilePermissions(file, tight);
      warnings.accept(
          "store "
              + file
              + " was writable by "
              + (mode.contains(PosixFilePermission.OTHERS_WRITE) ? "everybody" : "its group")
              + " (mode "
              + PosixFilePermissions.toString(mode)
              + "): now "
              + PosixFilePermissions.toString(tight)
              + "; whoever may write it may ban or unban anyone");
    }
  }
}
