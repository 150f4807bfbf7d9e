package io.portcullis.config;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Locale;
import java.util.Map;

/**
 * Refuses a configuration file that someone other than root (or the user Portcullis runs as) could
 * change: a config file can run commands as root through action.d, so whoever may write it, or may
 * replace it by writing a directory above it, may run commands as root. The file and every
 * directory up to {@code /} must be owned by root or by this user and not writable by group or
 * others; a directory with the sticky bit (such as {@code /tmp}) may be writable by others, since
 * nobody but its owner may then rename or remove what is in it.
 */
public final class FileTrust {
  private static final long UID = new UnixSystem().getUid();

  private FileTrust() {}

  /**
   * @throws ConfigException naming the file or directory, who could write it and how to fix it
   */
  public static void check(Path file) {
    Path real;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      return; // reading it will say what is wrong
    }
    String problem = problem(real, false);
    for (Path dir = real.getParent(); problem == null && dir != null; dir = dir.getParent()) {
      problem = problem(dir, true);
    }
    if (problem != null) {
      throw new ConfigException(new Origin(file, 0), problem);
    }
  }

  private static String problem(Path p, boolean directory) {
    Map<String, Object> a;
    PosixFileAttributes posix;
    try {
      a = Files.readAttributes(p, "unix:uid,mode");
      posix = Files.readAttributes(p, PosixFileAttributes.class);
    } catch (IOException | UnsupportedOperationException e) {
      return null; // cannot tell on this file system
    }
    int uid = (Integer) a.get("uid");
    int mode = (Integer) a.get("mode");
    String what = directory ? "its directory " + p : "it";
    String why =
        ": a config file can run commands as root through action.d, so Portcullis refuses it";
    if (uid != 0 && uid != UID) {
      return "refused: "
          + what
          + " is owned by user "
          + posix.owner().getName()
          + ", not root"
          + why
          + " (chown root "
          + p
          + ")";
    }
    boolean sticky = (mode & 01000) != 0;
    if (directory && sticky) {
      return null;
    }
    if ((mode & 0002) != 0) {
      return "refused: "
          + what
          + " is writable by everybody (mode "
          + octal(mode)
          + ")"
          + why
          + " (chmod o-w "
          + p
          + ")";
    }
    if ((mode & 0020) != 0) {
      return "refused: "
          + what
          + " is writable by group "
          + posix.group().getName()
          + " (mode "
          + octal(mode)
          + ")"
          + why
          + " (chmod g-w "
          + p
          + ")";
    }
    return null;
  }

  private static String octal(int mode) {
    return String.format(Locale.ROOT, "%04o", mode & 07777);
  }
}
