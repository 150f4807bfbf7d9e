package io.portcullis.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the unread end of a log went when it was rotated: the files that logrotate and its kin
 * leave next to it, named after it ({@code messages.1}, {@code messages-20240501}, {@code
 * messages.old}). Compressed ones are never looked into.
 */
final class RotatedSiblings {
  private static final Set<String> COMPRESSED =
      Set.of("gz", "bz2", "xz", "zst", "lz4", "lzma", "lz", "z", "zip", "br");

  private RotatedSiblings() {}

  /** Whether a file name says it is compressed (an old log that logrotate compressed). */
  static boolean compressedName(Path p) {
    Path f = p.getFileName();
    String name = f == null ? "" : f.toString();
    int dot = name.lastIndexOf('.');
    return dot >= 0 && COMPRESSED.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /**
   * Whether {@code p} is named as logrotate names a rotated copy of {@code log}: {@code log.1},
   * {@code log.2} ... or a date suffix ({@code log-20240501}, {@code log-2024050113}, {@code
   * log-20240501-1714521600}, {@code log-2024-05-01}), uncompressed.
   */
  static boolean rotatedName(Path log, Path p) {
    Path l = log.getFileName();
    Path f = p.getFileName();
    if (l == null || f == null || compressedName(p)) {
      return false;
    }
    String base = l.toString();
    String n = f.toString();
    return n.startsWith(base) && ROTATED_SUFFIX.matcher(n.substring(base.length())).matches();
  }

  private static final java.util.regex.Pattern ROTATED_SUFFIX =
      java.util.regex.Pattern.compile(
          "\\.[0-9]{1,6}|-[0-9]{8,10}(-[0-9]{1,12})?|-[0-9]{4}-[0-9]{2}-[0-9]{2}(-[0-9]{1,12})?");

  /** Regular, uncompressed files next to {@code log} whose names extend its name; newest first. */
  static List<Path> of(Path log) {
    Path dir = log.toAbsolutePath().getParent();
    Path name = log.getFileName();
    if (dir == null || name == null) {
      return List.of();
    }
    String base = name.toString();
    List<Path> out = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.length() <= base.length() || !n.startsWith(base) || compressedName(p)) {
          continue;
        }
        try {
          BasicFileAttributes a =
              Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.isRegularFile()) {
            out.add(p);
            times.add(a.lastModifiedTime().toMillis());
          }
        } catch (IOException e) {
          // gone meanwhile, or unreadable: not where the lines are
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing((Integer i) -> times.get(i)).reversed());
    return order.stream().map(out::get).toList();
  }
}
