package io.portcullis.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A file's identity, whatever its name: device and inode (after symlinks). */
record FileKey(long device, long inode) {
  /** The identity of the file a name points at now. */
  static FileKey of(Path p) throws IOException {
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
      return new FileKey(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      throw new IOException("file identities (inodes) are not available on this system", e);
    }
  }
}
