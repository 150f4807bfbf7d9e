package io.portcullis.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * fail2ban's log path globs: wildcards ({@code *}, {@code ?}, {@code [...]}) in the last part of
 * the path only, matching regular files, in name order.
 */
public final class Globs {
  private Globs() {}

  /** The files a glob names now (none when its directory does not exist). */
  public static List<Path> expand(String glob) throws IOException {
    Path p = Path.of(glob);
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    if (!wild(name)) {
      return Files.isRegularFile(p) ? List.of(p) : List.of();
    }
    Path dir = p.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        if (m.matches(f.getFileName()) && Files.isRegularFile(f)) {
          out.add(f);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** Whether a glob names at least one file now; false also when it cannot be listed. */
  public static boolean anyFile(String glob) {
    try {
      return !expand(glob).isEmpty();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean wild(String name) {
    return name.contains("*") || name.contains("?") || name.contains("[");
  }
}
