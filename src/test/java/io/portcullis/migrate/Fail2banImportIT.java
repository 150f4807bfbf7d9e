package io.portcullis.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.ban.BanStore;
import io.portcullis.jail.BanDecision;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving over from fail2ban: Debian's own fail2ban-server (the package unpacked at test time) runs
 * with its own temporary config, socket and database, bans through fail2ban-client and from log
 * lines, and is stopped; {@code portcullis import fail2ban} carries its bans and history into
 * Portcullis' store without touching fail2ban's database; the server, started in a network
 * namespace, puts the imported bans into the kernel's nftables sets.
 */
class Fail2banImportIT {
  private static final String JAR = Path.of("target/portcullis.jar").toAbsolutePath().toString();
  private static final Path REFERENCE =
      Path.of(System.getProperty("portcullis.reference.dir", "target/reference")).toAbsolutePath();
  private static final String ROOT_BY_HAND_TWICE = "203.0.113.12";

  @TempDir Path dir;

  @Test
  void import_carriesFail2bansBansAndHistory_andTheServerPutsThemInTheKernel() throws Exception {
    Path f2bConf = fail2banConfig();
    Path f2bDb = dir.resolve("f2b.sqlite3");
    Process f2b = startFail2ban(f2bConf);
    try {
      banLikeAnAdmin(f2bConf);
    } finally {
      // stopped by its PID, as systemd would
      f2b.destroy();
      if (!f2b.waitFor(30, TimeUnit.SECONDS)) {
        f2b.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(f2bDb).exists();
    byte[] fail2bansDatabase = Files.readAllBytes(f2bDb);

    Path conf = portcullisConfig();
    Path store = dir.resolve("db.sqlite3");
    String first =
        portcullis(
            "import",
            "fail2ban",
            "--db",
            f2bDb.toString(),
            "--config",
            f2bConf.toString(),
            "--into",
            conf.toString());
    assertThat(first)
        .contains("5 ban(s) in force, 6 ban(s) in its history")
        .contains("in force: asterisk 1, sshd 4")
        .contains(
            "imported into "
                + store
                + ": 5 ban(s) in force (0 were there already), 6 ban"
                + " history row(s)")
        .contains("  jail sshd starts: " + dir.resolve("auth.log") + " (backend polling")
        .contains("  jail asterisk starts: " + dir.resolve("asterisk.log") + " (backend polling")
        .contains("  note [sshd]: no action: bans are recorded and logged only")
        .contains("server: dbfile " + f2bDb + ": Portcullis keeps its own store");
    assertThat(Files.readAllBytes(f2bDb))
        .as("fail2ban's database, untouched")
        .isEqualTo(fail2bansDatabase);

    Map<String, BanDecision> bans = storedBans(store);
    assertThat(bans.keySet())
        .containsExactlyInAnyOrder(
            "sshd 203.0.113.10",
            "sshd 203.0.113.11",
            "sshd " + ROOT_BY_HAND_TWICE,
            "sshd 198.51.100.77",
            "asterisk 2001:db8::66");
    // banned twice with bantime.increment on: fail2ban doubled the second ban
    BanDecision twice = bans.get("sshd " + ROOT_BY_HAND_TWICE);
    assertThat(twice.count()).isEqualTo(2);
    assertThat(twice.bantime()).isEqualTo(Duration.ofHours(2));
    BanDecision fromLog = bans.get("sshd 198.51.100.77");
    assertThat(fromLog.failures()).isEqualTo(5);
    assertThat(fromLog.matches())
        .hasSize(5)
        .allSatisfy(m -> assertThat(m).contains("Failed password for root from 198.51.100.77"));
    try (BanStore s = BanStore.open(store)) {
      assertThat(s.banCounts())
          .extracting(r -> r.jail() + " " + r.fid() + " " + r.bans())
          .contains("sshd " + ROOT_BY_HAND_TWICE + " 2", "sshd 203.0.113.10 1");
    }

    String again =
        portcullis(
            "import",
            "fail2ban",
            "--db",
            f2bDb.toString(),
            "--config",
            f2bConf.toString(),
            "--into",
            conf.toString());
    assertThat(again).contains("0 ban(s) in force (5 were there already), 0 ban history row(s)");

    String ns = "pc-imp-" + ProcessHandle.current().pid();
    Shell.sh("ip netns add " + ns);
    try (ServerProcess server =
        new ServerProcess(
            List.of("ip", "netns", "exec", ns),
            conf,
            dir.resolve("s.sock"),
            dir.resolve("server.out"))) {
      Shell.sh("ip -n " + ns + " link set lo up");
      server.start();
      // the server answers before its firewall has applied the restored bans (restoreAll is
      // queued to the action): wait for them, bounded (a CI run read the set still empty)
      Await.until(
          "the imported bans in the kernel's set",
          Duration.ofSeconds(30),
          Await.quietly(
              () -> {
                String set =
                    Shell.sh("ip netns exec " + ns + " nft list set inet portcullis sshd-v4");
                return Stream.of(
                        "203.0.113.10", "203.0.113.11", ROOT_BY_HAND_TWICE, "198.51.100.77")
                    .allMatch(set::contains);
              }));
      String v4 = Shell.sh("ip netns exec " + ns + " nft list set inet portcullis sshd-v4");
      assertThat(v4).contains("203.0.113.10", "203.0.113.11", ROOT_BY_HAND_TWICE, "198.51.100.77");
      Await.until(
          "the imported IPv6 ban in the kernel's set",
          Duration.ofSeconds(30),
          Await.quietly(
              () ->
                  Shell.sh("ip netns exec " + ns + " nft list set inet portcullis asterisk-v6")
                      .contains("2001:db8::66")));
      String v6 = Shell.sh("ip netns exec " + ns + " nft list set inet portcullis asterisk-v6");
      assertThat(v6).contains("2001:db8::66");
      // with the time they have left: the twice-banned address for up to 2 h, the others 1 h
      assertThat(v4).containsPattern(ROOT_BY_HAND_TWICE + " timeout 1h[0-9]+m[0-9]+s expires 1h");
      assertThat(server.cli("banned")).contains("2001:db8::66", ROOT_BY_HAND_TWICE);
      server.stop();
    } finally {
      new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Debian's fail2ban config with the test's own socket, database and logs; no firewall action. */
  private Path fail2banConfig() throws IOException {
    Path conf = dir.resolve("f2b");
    copyTree(REFERENCE.resolve("etc/fail2ban"), conf);
    try (Stream<Path> debianDefaults = Files.list(conf.resolve("jail.d"))) {
      for (Path p : debianDefaults.toList()) {
        Files.delete(p);
      }
    }
    Files.writeString(
        conf.resolve("fail2ban.local"),
        "[Definition]\nloglevel = INFO\nlogtarget = "
            + dir.resolve("f2b.log")
            + "\nsocket = "
            + dir.resolve("f2b.sock")
            + "\npidfile = "
            + dir.resolve("f2b.pid")
            + "\ndbfile = "
            + dir.resolve("f2b.sqlite3")
            + "\n");
    Files.createFile(dir.resolve("auth.log"));
    Files.createFile(dir.resolve("asterisk.log"));
    // bans are recorded in the database whatever the actions; none here touches a firewall
    Files.writeString(
        conf.resolve("jail.local"),
        "[DEFAULT]\nignoreself = false\nbackend = polling\nbantime = 1h\nbantime.increment = true\n"
            + "action =\n\n[sshd]\nenabled = true\nlogpath = "
            + dir.resolve("auth.log")
            + "\n\n[asterisk]\nenabled = true\nlogpath = "
            + dir.resolve("asterisk.log")
            + "\n");
    return conf;
  }

  private Process startFail2ban(Path conf) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "python3",
                REFERENCE.resolve("usr/bin/fail2ban-server").toString(),
                "-f",
                "-x",
                "-c",
                conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("f2b.out").toFile());
    pb.environment()
        .put("PYTHONPATH", REFERENCE.resolve("usr/lib/python3/dist-packages").toString());
    Process p = pb.start();
    Await.until(
        "fail2ban-server to answer",
        Duration.ofSeconds(60),
        Await.quietly(() -> p.isAlive() && fail2banClient(conf, "ping").contains("pong")));
    return p;
  }

  /** Bans by hand and from log lines, through fail2ban-client and fail2ban's own sshd filter. */
  private void banLikeAnAdmin(Path conf) throws Exception {
    // a first, short ban that ends, then a second one: bancount 2, doubled by bantime.increment
    fail2banClient(conf, "set", "sshd", "bantime", "2");
    fail2banClient(conf, "set", "sshd", "banip", ROOT_BY_HAND_TWICE);
    Await.until(
        "fail2ban to lift the short ban",
        Duration.ofSeconds(30),
        Await.quietly(
            () -> fail2banClient(conf, "status", "sshd").contains("Currently banned:\t0")));
    fail2banClient(conf, "set", "sshd", "bantime", "3600");
    fail2banClient(conf, "set", "sshd", "banip", ROOT_BY_HAND_TWICE);
    fail2banClient(conf, "set", "sshd", "banip", "203.0.113.10", "203.0.113.11");
    fail2banClient(conf, "set", "asterisk", "banip", "2001:db8::66");
    String stamp =
        ZonedDateTime.now().format(DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH));
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      lines
          .append(stamp)
          .append(
              " pbx sshd[4242]: Failed password for root from 198.51.100.77" + " port 2222 ssh2\n");
    }
    Files.writeString(dir.resolve("auth.log"), lines, java.nio.file.StandardOpenOption.APPEND);
    Await.until(
        "fail2ban to ban 198.51.100.77 from its log lines",
        Duration.ofSeconds(30),
        Await.quietly(() -> fail2banClient(conf, "status", "sshd").contains("198.51.100.77")));
  }

  private String fail2banClient(Path conf, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "python3",
                REFERENCE.resolve("usr/bin/fail2ban-client").toString(),
                "-c",
                conf.toString(),
                "-s",
                dir.resolve("f2b.sock").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment()
        .put("PYTHONPATH", REFERENCE.resolve("usr/lib/python3/dist-packages").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("fail2ban-client " + String.join(" ", args) + " did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IOException("fail2ban-client " + String.join(" ", args) + ": " + out);
    }
    return out;
  }

  /** The shipped config, with the sshd and asterisk jails reading the test's files. */
  private Path portcullisConfig() throws IOException {
    Path conf = dir.resolve("conf");
    copyTree(Path.of("config"), conf);
    Files.writeString(conf.resolve("portcullis.local"), ServerProcess.settings(dir));
    Files.writeString(
        conf.resolve("jail.local"),
        "[asterisk]\nenabled = true\nlogpath = "
            + dir.resolve("p-asterisk.log")
            + "\n\n[sshd]\nenabled = true\nlogpath = "
            + dir.resolve("p-auth.log")
            + "\n");
    return conf;
  }

  private String portcullis(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("portcullis " + String.join(" ", args) + " did not finish");
    }
    assertThat(p.exitValue()).as("portcullis " + String.join(" ", args) + ":\n" + out).isZero();
    return out;
  }

  private static Map<String, BanDecision> storedBans(Path store) throws Exception {
    try (BanStore s = BanStore.open(store)) {
      return s.bans().stream()
          .collect(Collectors.toMap(b -> b.jail() + " " + b.fid(), Function.identity()));
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
