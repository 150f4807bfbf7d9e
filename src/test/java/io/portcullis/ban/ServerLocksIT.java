package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers never share a store or a firewall: the second one does not start, and says which
 * server (pid) holds it. Before, each removed the other's kernel bans as "stray elements".
 */
class ServerLocksIT {
  private static final String JAR = Path.of("target/portcullis.jar").toAbsolutePath().toString();

  @TempDir Path dir;

  /** A second server's config: its own socket and log, the given store and netns line. */
  private Path config(String name, Path db, String netnsLine) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    Path conf = Files.createDirectories(d.resolve("conf/filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
    Files.writeString(d.resolve("messages"), "");
    Files.writeString(
        d.resolve("conf/portcullis.conf"),
        "[Definition]\nlogtarget = "
            + d.resolve("server.log")
            + "\nsocket = "
            + d.resolve("s.sock")
            + "\npidfile = "
            + d.resolve("p.pid")
            + "\ndbfile = "
            + db
            + "\n"
            + netnsLine);
    Files.writeString(
        d.resolve("conf/jail.conf"),
        "[soak]\nenabled = true\nfilter = asterisk\nlogpath = "
            + d.resolve("messages")
            + "\nignoreself = false\naction = firewall[backend=nftables]\n");
    return d.resolve("conf");
  }

  /** Runs a server that should refuse to start; returns its exit code and what it printed. */
  private static String[] refusedServer(List<String> prefix, Path conf) throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of("java", "-jar", JAR, "server", "--config", conf.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the second server did not end: " + out);
    }
    return new String[] {String.valueOf(p.exitValue()), out};
  }

  @Test
  void secondServer_onTheSameFirewallOrStore_refusesToStart_namingTheFirstOnesPid()
      throws Exception {
    try (FirewalledServer first = new FirewalledServer(dir.resolve("first"), "", "")) {
      first.process.start();
      first.client.ban(FirewalledServer.JAIL, List.of("203.0.113.5", "203.0.113.6"), false);
      String pid = Long.toString(first.process.pid());

      // the same namespace by name, its own store
      String[] byName =
          refusedServer(List.of(), config("b1", dir.resolve("b1.sqlite3"), "netns = " + first.ns));
      assertThat(byName[0]).isEqualTo("1");
      assertThat(byName[1])
          .contains("error: the firewall of network namespace '" + first.ns + "'")
          .contains("is in use by another Portcullis server (pid " + pid + ")");

      // the same namespace from inside it, no netns option: the namespace's inode is the same
      String[] inside =
          refusedServer(
              List.of("ip", "netns", "exec", first.ns),
              config("b2", dir.resolve("b2.sqlite3"), ""));
      assertThat(inside[0]).isEqualTo("1");
      assertThat(inside[1]).contains("is in use by another Portcullis server (pid " + pid + ")");

      // the same store, a firewall of its own
      String other = FirewalledServer.newNamespace();
      Shell.sh("ip netns add " + other);
      try {
        String[] store = refusedServer(List.of(), config("c", first.db, "netns = " + other));
        assertThat(store[0]).isEqualTo("1");
        assertThat(store[1])
            .contains("error: the store " + first.db + " is in use by another Portcullis server")
            .contains("(pid " + pid + ")");
      } finally {
        Shell.sh("ip netns del " + other);
      }

      // and the first server's bans were never touched
      assertThat(first.kernel()).contains("203.0.113.5", "203.0.113.6");
      assertThat(first.banned()).contains("203.0.113.5", "203.0.113.6");
      first.process.stop();
    }
  }
}
