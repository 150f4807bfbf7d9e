package io.portcullis.control;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * The control socket's file. It appears at its path with its final mode (0600, or 0660 and the
 * socket group) and nobody can connect to it before: it is bound in a private directory, given its
 * mode and group there, then hard-linked into place (which never replaces anything). What is at the
 * path before is only removed when it is a socket no server answers on; a file of any other kind is
 * left alone and the server does not start. On close the file is removed only while it is still the
 * one this server made.
 */
final class SocketFile {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private final Path path;
  private final Object fileKey;

  private SocketFile(Path path, Object fileKey) {
    this.path = path;
    this.fileKey = fileKey;
  }

  /**
   * Binds {@code channel} to {@code path}.
   *
   * @param group the socket group (mode 0660), or null (mode 0600)
   * @throws IOException with a message for the admin when the path is taken or cannot be made
   */
  static SocketFile bind(Path path, ServerSocketChannel channel, GroupPrincipal group)
      throws IOException {
    Path absolute = path.toAbsolutePath();
    Path dir = absolute.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    clearStale(absolute);
    Path hidden =
        Files.createTempDirectory(
            dir,
            ".pc",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path tmp = hidden.resolve("s");
    try {
      channel.bind(UnixDomainSocketAddress.of(tmp));
      Files.setPosixFilePermissions(
          tmp, PosixFilePermissions.fromString(group == null ? "rw-------" : "rw-rw----"));
      if (group != null) {
        Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setGroup(group);
      }
      try {
        Files.createLink(absolute, tmp);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new IOException(
            path + " appeared while the control socket was being made; not replacing it", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(hidden);
    }
    return new SocketFile(path, key(absolute));
  }

  /** What a path holds, in words, when it is not a socket (null when it is one or is absent). */
  static String notASocket(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    if (Files.isSymbolicLink(path)) {
      return "a symbolic link";
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & S_IFMT) == S_IFSOCK) {
      return null;
    }
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      return "a directory";
    }
    return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) ? "a regular file" : "a device";
  }

  private static void clearStale(Path path) throws IOException {
    String other = notASocket(path);
    if (other != null) {
      throw new IOException(
          "socket: "
              + path
              + " exists and is "
              + other
              + ", not a socket; Portcullis never removes it (remove it yourself, or set socket to another path in portcullis.conf)");
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (ControlClient.alive(path)) {
        throw new IOException("another server is running on " + path);
      }
      Files.delete(path); // a socket left by a server that died
    }
  }

  private static Object key(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  Path path() {
    return path;
  }

  /** Removes the socket file if it is still the one this server made. */
  void remove() throws IOException {
    Path absolute = path.toAbsolutePath();
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)
        && Objects.equals(key(absolute), fileKey)) {
      Files.delete(absolute);
    }
  }
}
