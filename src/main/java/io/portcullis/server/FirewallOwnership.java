package io.portcullis.server;

import io.portcullis.ban.OwnerLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One server per firewall: the tables and sets of a network namespace belong to the server that
 * holds its lock file ({@code /run/lock/portcullis-firewall-net<inode>.lock}, the namespace's
 * inode, so that {@code netns = NAME} and a server started inside {@code ip netns exec NAME} find
 * the same lock). Taken when the first firewall is created and held until the server ends; a second
 * server is refused with the first one's pid instead of removing its bans as strays.
 */
final class FirewallOwnership implements AutoCloseable {
  private static final Path RUN_LOCK = Path.of("/run/lock");

  private final String netns;
  private OwnerLock lock;

  /** {@code netns}: the namespace the firewall commands run in, null for the server's own. */
  FirewallOwnership(String netns) {
    this.netns = netns;
  }

  /** Takes the lock on the first call; later calls do nothing. */
  synchronized void claim() throws IOException {
    if (lock != null) {
      return;
    }
    String ns = namespace();
    Path dir =
        Files.isDirectory(RUN_LOCK) && Files.isWritable(RUN_LOCK)
            ? RUN_LOCK
            : Path.of(System.getProperty("java.io.tmpdir"));
    lock =
        OwnerLock.acquire(
            dir.resolve("portcullis-firewall-" + ns + ".lock"),
            "the firewall of network namespace "
                + (netns == null ? "" : "'" + netns + "' ")
                + "("
                + ns
                + ")");
  }

  /**
   * The namespace's identity: its inode ({@code net4026531840}), or its name while it does not
   * exist yet.
   */
  private String namespace() {
    try {
      if (netns == null) {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        return link.replaceAll("[^0-9a-z]", "");
      }
      Path p = Path.of("/run/netns", netns);
      if (Files.exists(p)) {
        return "net" + Files.getAttribute(p, "unix:ino");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // no /proc or no unix attributes: the name will do
    }
    return "netns-" + (netns == null ? "self" : netns.replaceAll("[^A-Za-z0-9_.-]", "_"));
  }

  @Override
  public synchronized void close() {
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }
}
