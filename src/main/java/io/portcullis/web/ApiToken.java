package io.portcullis.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;

/**
 * The bearer token every write of the HTTP API needs, read once at start from a file that only its
 * owner (root, or the user the server runs as) may read. A file that others can read, that someone
 * else owns, or that holds a short token is refused: the API is then read-only, and the reason is
 * logged.
 */
final class ApiToken {
  /** Fewer characters than this is guessable. */
  static final int MIN_LENGTH = 16;

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final byte[] token;

  private ApiToken(byte[] token) {
    this.token = token;
  }

  /** The token of a file, or a problem that says why there is none. */
  sealed interface Reading {
    record Found(ApiToken token) implements Reading {}

    record Missing(String why) implements Reading {}
  }

  static Reading read(Path file) {
    if (file == null) {
      return new Reading.Missing("no tokenfile is set");
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new Reading.Missing("tokenfile " + file + " does not exist");
    }
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        return new Reading.Missing("tokenfile " + file + " is not a regular file");
      }
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (mode.stream().anyMatch(OTHERS::contains)) {
        return new Reading.Missing(
            "tokenfile "
                + file
                + " may be read by others (mode "
                + PosixFilePermissions.toString(mode)
                + "): refused; chmod 600 "
                + file);
      }
      String owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
      String me = System.getProperty("user.name");
      if (!owner.equals("root") && !owner.equals(me)) {
        return new Reading.Missing(
            "tokenfile "
                + file
                + " belongs to "
                + owner
                + ": refused (it must belong to root or to "
                + me
                + ")");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (text.length() < MIN_LENGTH || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        return new Reading.Missing(
            "tokenfile "
                + file
                + " must hold one token of at least "
                + MIN_LENGTH
                + " printable ASCII characters (try: openssl rand -hex 32 > "
                + file
                + ")");
      }
      return new Reading.Found(new ApiToken(text.getBytes(StandardCharsets.US_ASCII)));
    } catch (IOException | UnsupportedOperationException e) {
      return new Reading.Missing("tokenfile " + file + " cannot be read: " + e.getMessage());
    }
  }

  /** Whether an {@code Authorization} header carries this token (compared in constant time). */
  boolean accepts(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(given, token);
  }
}
