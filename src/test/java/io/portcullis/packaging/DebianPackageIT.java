package io.portcullis.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.ban.BanStore;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The .deb that {@code mvn package} built, installed on this machine (root) the way an admin would:
 * lintian, dpkg -i, the installed command, man pages, completion and unit, an upgrade that keeps
 * the bans, remove that keeps the store, purge that leaves nothing. The package is purged at the
 * end whatever happened.
 */
class DebianPackageIT {
  private static final Path STORE = Path.of("/var/lib/portcullis/portcullis.sqlite3");
  private static final Path UNIT = Path.of("/lib/systemd/system/portcullis.service");
  private static final java.util.regex.Pattern FIREWALL_LOCK =
      java.util.regex.Pattern.compile("/run/lock/portcullis-firewall-net\\d+\\.lock");
  private static final List<Path> SCANNED =
      List.of(Path.of("/etc"), Path.of("/usr"), Path.of("/var"), Path.of("/run"), Path.of("/opt"));

  @Test
  void package_installsUpgradesRemovesAndPurgesCleanly() throws Exception {
    Path deb = builtPackage();
    // the test JVMs of several checkouts may run this at once: one dpkg session at a time
    try (FileChannel lockFile =
            FileChannel.open(
                Path.of("/run/lock/portcullis-package-test.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = awaitLock(lockFile)) {
      assertThat(lock.isValid()).isTrue();
      assertThat(status())
          .as("portcullis must not be installed before the test, which installs and purges it")
          .doesNotContain("ok installed")
          .doesNotContain("config-files");
      Set<String> before = leftovers();
      try {
        lintianFindsNoErrorsOrUnexplainedWarnings(deb);
        installs(deb);
        upgradeKeepsTheBans(deb);
        removeKeepsTheStore();
        run(List.of("dpkg", "--purge", "portcullis"), Duration.ofMinutes(2)).expectOk();
        assertThat(status()).doesNotContain("ok installed").doesNotContain("config-files");
        // what purge must not leave is anything new; it may also clear the runtime directory
        // a server run outside the package left behind, which counts as cleaner, not as a leak
        assertThat(leftovers())
            .as("files named portcullis after purge that were not there before install")
            .isSubsetOf(before);
      } finally {
        run(List.of("dpkg", "--purge", "portcullis"), Duration.ofMinutes(2));
      }
    }
  }

  private void lintianFindsNoErrorsOrUnexplainedWarnings(Path deb) throws Exception {
    // overridden tags (packaging/deb/lintian-overrides, each with its reason) do not count
    Result r =
        run(
            List.of("lintian", "--fail-on", "error,warning", deb.toString()),
            Duration.ofMinutes(5));
    assertThat(r.output.lines().filter(l -> l.matches("^[EW]: .*")))
        .as("lintian's errors and warnings")
        .isEmpty();
    assertThat(r.exit).as("lintian: " + r.output).isZero();
  }

  private void installs(Path deb) throws Exception {
    run(List.of("dpkg", "-i", deb.toString()), Duration.ofMinutes(2)).expectOk();
    assertThat(status()).contains("install ok installed");

    Result version = run(List.of("/usr/bin/portcullis", "--version"), Duration.ofMinutes(1));
    version.expectOk();
    assertThat(version.output.strip()).matches("portcullis \\d+\\.\\d+\\.\\d+.*");

    assertThat(run(List.of("man", "-w", "portcullis"), Duration.ofSeconds(30)).expectOk())
        .contains("/usr/share/man/man1/portcullis.1.gz");
    assertThat(run(List.of("man", "-w", "5", "portcullis.conf"), Duration.ofSeconds(30)).expectOk())
        .contains("/usr/share/man/man5/portcullis.conf.5.gz");
    assertThat(run(List.of("man", "-w", "portcullis-server"), Duration.ofSeconds(30)).expectOk())
        .contains("portcullis-server.1.gz");

    Result verify =
        run(List.of("systemd-analyze", "verify", UNIT.toString()), Duration.ofMinutes(1));
    assertThat(verify.output).as("systemd-analyze verify").doesNotContain("portcullis.service:");
    assertThat(verify.exit).as("systemd-analyze verify: " + verify.output).isZero();

    assertThat(
            run(
                    List.of(
                        "bash",
                        "-c",
                        "source /usr/share/bash-completion/completions/portcullis && complete -p portcullis"),
                    Duration.ofSeconds(30))
                .expectOk())
        .contains("portcullis");

    String conffiles =
        run(List.of("dpkg-query", "-W", "-f=${Conffiles}", "portcullis"), Duration.ofSeconds(30))
            .expectOk();
    assertThat(conffiles)
        .contains(
            "/etc/portcullis/jail.conf",
            "/etc/portcullis/portcullis.conf",
            "/etc/portcullis/filter.d/asterisk.conf",
            "/etc/logrotate.d/portcullis");
    assertThat(Path.of("/var/lib/portcullis")).isDirectory();
    assertThat(Path.of("/var/log/portcullis")).isDirectory();
    // postinst recorded the short commands' class-data-sharing archive from the installed jar, and
    // this JVM maps it (-Xshare:on fails when the archive does not fit the JVM or the jar)
    assertThat(Path.of("/var/cache/portcullis/portcullis.jsa")).isNotEmptyFile();
    assertThat(
            mappedFromArchive(
                "portcullis.jsa",
                List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"),
                List.of("ping", "--socket", "/nonexistent/s.sock")))
        .as("the client's classes come from the archive")
        .contains("io.portcullis.cli.QuickCommands source: shared objects file (top)");

    // and the regex command's, from the shipped filter on the shipped sample log; the installed
    // command runs on that log (the launcher gives it the archive) and finds its failures
    assertThat(Path.of("/var/cache/portcullis/portcullis-regex.jsa")).isNotEmptyFile();
    assertThat(
            mappedFromArchive(
                "portcullis-regex.jsa",
                List.of("-Xmx256m", "-XX:+UseSerialGC"),
                List.of(
                    "regex",
                    "--config",
                    "/etc/portcullis",
                    "/usr/share/portcullis/samples/asterisk.log",
                    "asterisk")))
        .as("the regex command's classes come from the archive")
        .contains("io.portcullis.cli.RegexCommand source: shared objects file (top)");
    Result regex =
        run(
            List.of(
                "sh",
                "-x",
                "/usr/bin/portcullis",
                "regex",
                "/usr/share/portcullis/samples/asterisk.log",
                "asterisk"),
            Duration.ofMinutes(1));
    regex.expectOk();
    assertThat(regex.output)
        .contains("-XX:SharedArchiveFile=/var/cache/portcullis/portcullis-regex.jsa")
        .containsPattern("(?m)^Lines: [0-9]+ read, [1-9][0-9]* matched");

    // postinst copied SQLite's native library for this machine out of the installed jar, and the
    // launcher gives the server that directory (so the driver does not extract it at each start)
    Path lib = Path.of("/var/cache/portcullis/native/libsqlitejdbc.so");
    assertThat(lib).isNotEmptyFile();
    String entry =
        "org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS() + "/";
    try (java.util.zip.ZipFile jar =
            new java.util.zip.ZipFile("/usr/share/portcullis/portcullis.jar");
        java.io.InputStream in = jar.getInputStream(jar.getEntry(entry + "libsqlitejdbc.so"))) {
      assertThat(Files.readAllBytes(lib)).as("the jar's own library").isEqualTo(in.readAllBytes());
    }
    Result server =
        run(
            List.of("sh", "-x", "/usr/bin/portcullis", "server", "--version"),
            Duration.ofMinutes(1));
    server.expectOk();
    assertThat(server.output)
        .contains("-Dorg.sqlite.lib.path=/var/cache/portcullis/native")
        .contains("-Dorg.sqlite.lib.name=libsqlitejdbc.so");
  }

  /**
   * Runs the installed jar with an archive postinst recorded, forced on ({@code -Xshare:on} fails
   * when the archive does not fit the JVM or the jar), and returns the class-load log.
   */
  private static String mappedFromArchive(String archive, List<String> options, List<String> args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-Xshare:on"));
    command.add("-XX:SharedArchiveFile=/var/cache/portcullis/" + archive);
    command.addAll(options);
    command.addAll(
        List.of("-Xlog:class+load=info", "-jar", "/usr/share/portcullis/portcullis.jar"));
    command.addAll(args);
    return run(command, Duration.ofMinutes(1)).output;
  }

  private void upgradeKeepsTheBans(Path deb) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (BanStore store = BanStore.open(STORE)) {
      store.addBan(
          new BanDecision(
              "sshd",
              "203.0.113.9",
              IpAddress.parse("203.0.113.9"),
              now,
              Duration.ofHours(1),
              1,
              5,
              List.of("a matched line")));
    }
    run(List.of("dpkg", "-i", deb.toString()), Duration.ofMinutes(2)).expectOk();
    assertThat(storedBans()).containsExactly("sshd 203.0.113.9");
  }

  private void removeKeepsTheStore() throws Exception {
    run(List.of("dpkg", "--remove", "portcullis"), Duration.ofMinutes(2)).expectOk();
    assertThat(status()).contains("config-files");
    assertThat(Path.of("/usr/bin/portcullis")).doesNotExist();
    assertThat(Path.of("/etc/portcullis/jail.conf")).as("conffiles stay until purge").exists();
    assertThat(storedBans()).containsExactly("sshd 203.0.113.9");
  }

  private static List<String> storedBans() throws Exception {
    try (BanStore store = BanStore.open(STORE)) {
      return store.bans().stream().map(b -> b.jail() + " " + b.fid()).toList();
    }
  }

  /**
   * Every path under the scanned trees whose name holds "portcullis": the package's files, dpkg's
   * and deb-systemd-helper's records of it, and what its scripts and the server made.
   */
  private static Set<String> leftovers() throws IOException {
    Set<String> found = new TreeSet<>();
    for (Path root : SCANNED) {
      collect(root, found, 0);
    }
    return found;
  }

  private static void collect(Path dir, Set<String> found, int depth) throws IOException {
    // man-db's cache of formatted pages: man wrote it when systemd-analyze read the unit's
    // Documentation= pages, as it does for any reader; man-db's daily job ages it out
    if (depth > 12 || dir.equals(Path.of("/var/cache/man"))) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        // the firewall's per-namespace lock files of other test runs on this machine (tests in
        // network namespaces of their own, running meanwhile); this test starts no server
        if (name.contains("portcullis") && !FIREWALL_LOCK.matcher(p.toString()).matches()) {
          found.add(p.toString());
        }
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          collect(p, found, depth + 1);
        }
      }
    } catch (java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException e) {
      // gone meanwhile, or not ours to read
    }
  }

  private static String status() throws Exception {
    return run(List.of("dpkg-query", "-W", "-f=${Status}", "portcullis"), Duration.ofSeconds(30))
        .output;
  }

  private static Path builtPackage() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> debs =
          files.filter(p -> p.getFileName().toString().matches("portcullis_.+_all\\.deb")).toList();
      assertThat(debs).as("the package built by mvn package in target/").hasSize(1);
      return debs.get(0).toAbsolutePath();
    }
  }

  private static FileLock awaitLock(FileChannel channel) throws IOException, InterruptedException {
    long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("another package test held the lock for 10 minutes");
      }
      Thread.sleep(200);
    }
  }

  private record Result(int exit, String output, List<String> command) {
    String expectOk() {
      assertThat(exit).as(String.join(" ", command) + ": " + output).isZero();
      return output;
    }
  }

  private static Result run(List<String> command, Duration limit)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    // dpkg must never ask: keep the admin's conffiles, no pager for man
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    pb.environment().put("MANPAGER", "cat");
    Path out = Files.createTempFile("portcullis-deb-test", ".out");
    try {
      Process p =
          pb.redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      p.getOutputStream().close();
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + limit);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), command);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
