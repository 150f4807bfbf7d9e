package io.portcullis.ban;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A lock file that says one server owns something (a store, a firewall's network namespace) for as
 * long as it runs: an exclusive lock on the file (released by the kernel when the process ends,
 * {@code kill -9} included), and the owner's pid written in it so that the next one can be named in
 * the error.
 */
public final class OwnerLock implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private OwnerLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Another server holds the lock. */
  public static final class Held extends IOException {
    private static final long serialVersionUID = 1L;

    Held(String message) {
      super(message);
    }
  }

  /**
   * Takes the lock or fails at once.
   *
   * @param what what is owned, for the error ("the store /var/lib/portcullis/db.sqlite3")
   * @throws Held when another server (or this one) holds it: the message names its pid
   */
  public static OwnerLock acquire(Path file, String what) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null; // this very process holds it (a second server in one JVM)
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (l == null) {
      String owner = owner(ch);
      ch.close();
      throw new Held(
          what
              + " is in use by another Portcullis server"
              + (owner.isEmpty() ? "" : " (pid " + owner + ")")
              + "; lock file "
              + file
              + ": stop that server first, or give this one its own");
    }
    ch.truncate(0);
    ch.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
    ch.force(false);
    return new OwnerLock(file, ch, l);
  }

  private static String owner(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      ch.read(b, 0);
      return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return "";
    }
  }

  public Path file() {
    return file;
  }

  /** Releases the lock (the file stays: removing it would race with the next owner). */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the process ends soon anyway, and the kernel drops the lock then
    }
  }
}
