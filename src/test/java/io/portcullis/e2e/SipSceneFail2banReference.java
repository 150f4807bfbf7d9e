package io.portcullis.e2e;

import io.portcullis.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The yardstick for the scene's latency figure, not a test of ours: bench/scene.sh runs it next to
 * {@link SipBruteForceSceneIT} in the same run (the name keeps it out of the test command).
 */
class SipSceneFail2banReference {
  @TempDir Path dir;

  /**
   * The reference for the latency figure: Debian's fail2ban-server (fetched at test time) with its
   * own nftables action and our kamailio filter, in the same scene.
   */
  @Test
  void fail2banOnTheSameScene() throws Exception {
    Path ref = Path.of(System.getProperty("portcullis.reference.dir", "target/reference"));
    Path fconf = dir.resolve("f2b");
    SipBruteForceSceneIT.copyTree(ref.resolve("etc/fail2ban"), fconf);
    // Debian's jail.d enables sshd: only the scene's jail runs
    try (Stream<Path> enabled = Files.list(fconf.resolve("jail.d"))) {
      for (Path p : enabled.toList()) {
        Files.delete(p);
      }
    }
    Files.copy(
        Path.of("config/filter.d/kamailio.conf"),
        fconf.resolve("filter.d/portcullis-kamailio.conf"));
    Files.writeString(
        fconf.resolve("fail2ban.local"),
        "[Definition]\nloglevel = INFO\nlogtarget = "
            + dir.resolve("f2b.log")
            + "\nsocket = "
            + dir.resolve("f2b.sock")
            + "\npidfile = "
            + dir.resolve("f2b.pid")
            + "\ndbfile = "
            + dir.resolve("f2b.sqlite3")
            + "\n");
    // the scene logs Kamailio's stderr form, as SipBruteForceSceneIT's jail reads it; without the
    // same filter option fail2ban matched nothing since 6bd483b and bench/scene.sh failed
    Files.writeString(
        fconf.resolve("jail.local"),
        "[DEFAULT]\nignoreself = false\nbackend = auto\n\n[kamailio]\nenabled = true\n"
            + "filter = portcullis-kamailio[logging=stderr]\nlogpath = "
            + dir.resolve("kamailio.log")
            + "\nmaxretry = "
            + SipBruteForceSceneIT.MAXRETRY
            + "\nfindtime = 10m\nbantime = 1h\n"
            + "action = nftables-allports[actionstart_on_demand=false]\n");
    Files.createFile(dir.resolve("kamailio.log"));
    try (SipScene scene = new SipScene(dir, SipBruteForceSceneIT.MAXRETRY, null)) {
      scene.start();
      ProcessBuilder pb =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  scene.pbx,
                  "/usr/bin/python3",
                  ref.resolve("usr/bin/fail2ban-server").toString(),
                  "-f",
                  "-x",
                  "-c",
                  fconf.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("f2b.out").toFile());
      pb.environment().put("PYTHONPATH", ref.resolve("usr/lib/python3/dist-packages").toString());
      Process f2b = pb.start();
      try {
        Await.until(
            "fail2ban's kamailio jail and its table",
            Duration.ofSeconds(60),
            Await.quietly(() -> scene.inPbx("nft list tables").contains("f2b-table")));
        SipBruteForceSceneIT.crowdLatency(scene, "fail2ban-server (reference)");
      } finally {
        f2b.destroy();
        f2b.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        f2b.destroyForcibly();
      }
    }
  }
}
