package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running server reading a log written to by an attacker and mishandled by an admin: CRLF
 * endings, invalid UTF-8, NUL bytes, a line over the limit built so that a piece of it would blame
 * an address the attacker chose, 20 MB without a newline, the log deleted, replaced by a directory,
 * unreadable. Every real failure after them is counted; nothing in them blames anyone.
 */
class HostileLogServerIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @TempDir Path dir;
  private ServerProcess server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  private static String prefix() {
    return "[" + TIME.format(Instant.now()) + "] NOTICE[1] chan_sip.c: ";
  }

  /** A failed registration as chan_sip writes it, with a user part of the caller's choosing. */
  private static String failure(String user, String ip) {
    return prefix()
        + "Registration from '<sip:"
        + user
        + "@x>' failed for '"
        + ip
        + "' - Wrong password";
  }

  private void write(Path log, byte[] bytes) throws IOException {
    try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
      out.write(bytes);
    }
  }

  private void write(Path log, String text) throws IOException {
    write(log, text.getBytes(StandardCharsets.UTF_8));
  }

  private long failures() {
    return RotationServerIT.failures(dir);
  }

  private JsonNode status() throws IOException {
    return RotationServerIT.status(dir);
  }

  private void start(Path log, String extra) throws Exception {
    Path conf = RotationServerIT.config(dir, log.toString(), extra);
    server = new ServerProcess(List.of(), conf, dir.resolve("s.sock"), dir.resolve("out.txt"));
    server.start();
    Await.until(
        "the jail to follow the log",
        LIMIT,
        Await.quietly(() -> status().path("files").size() > 0));
  }

  private void awaitFailures(long n) throws InterruptedException {
    Await.until(n + " failures counted (have " + failures() + ")", LIMIT, () -> failures() >= n);
  }

  @Test
  void crlfInvalidUtf8AndNul_leaveEveryFailureCounted() throws Exception {
    Path log = dir.resolve("messages");
    Files.createFile(log);
    start(log, "");
    // regression: a log written with CRLF endings had 0 of 3 failures detected
    for (int i = 0; i < 3; i++) {
      write(log, failure("crlf", "203.0.113.11") + "\r\n");
    }
    awaitFailures(3);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(prefix().getBytes(StandardCharsets.UTF_8));
    b.write(new byte[] {'b', 'a', 'd', ' ', (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '\n'});
    b.write(failure("after-utf8", "203.0.113.12").getBytes(StandardCharsets.UTF_8));
    b.write('\n');
    b.write(failure("nul\0inside", "203.0.113.13").getBytes(StandardCharsets.UTF_8));
    b.write('\n');
    b.write(new byte[] {0, 0, 0, 0});
    b.write(failure("after-nul", "203.0.113.14").getBytes(StandardCharsets.UTF_8));
    b.write('\n');
    b.write(failure("invalid-\u00e9-\uFFFD", "203.0.113.15").getBytes(StandardCharsets.UTF_8));
    b.write('\n');
    write(log, b.toByteArray());
    // the line with the NUL in its user part is a failure too: 3 + 4
    awaitFailures(7);
    write(log, failure("last", "203.0.113.16") + "\n");
    awaitFailures(8);
    assertThat(failures()).isEqualTo(8);
  }

  @Test
  void lineOverTheLimit_isNeverMatchedInPieces_and20MegabytesWithoutNewlineAreSurvived()
      throws Exception {
    Path log = dir.resolve("messages");
    Files.createFile(log);
    start(log, "");
    // regression: a line over 1 MiB was cut into 1 MiB pieces, and a piece starting inside the
    // attacker's user part blamed the address the attacker wrote there
    String forged = failure("victim", "198.51.100.66");
    StringBuilder user = new StringBuilder();
    String head = prefix() + "Registration from '<sip:";
    // forged lines exactly where a cut at 64 KiB or at 1 MiB would start a piece
    user.append("a".repeat(LineCleaner.MAX_LINE - head.length())).append(forged);
    user.append("b".repeat((1 << 20) - head.length() - user.length())).append(forged);
    write(log, failure(user.toString(), "203.0.113.21") + "\n");
    write(log, failure("after-long", "203.0.113.22") + "\n");
    awaitFailures(1);
    // 20 MB without a newline, then the rest of that line and a real failure
    byte[] mb = new byte[1 << 20];
    Arrays.fill(mb, (byte) 'A');
    try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
      out.write(head.getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 20; i++) {
        out.write(mb);
      }
      out.write(("@x>' failed for '203.0.113.23' - Wrong password\n").getBytes());
      out.write((failure("after-20mb", "203.0.113.24") + "\n").getBytes(StandardCharsets.UTF_8));
    }
    awaitFailures(2);
    write(log, failure("last", "203.0.113.25") + "\n");
    awaitFailures(3);
    // the forged address was never counted: only the three real failures after the long lines
    assertThat(failures()).isEqualTo(3);
    assertThat(status().path("failures").path("current").asLong()).isEqualTo(3);
    // five lines read, the two long ones among them (as empty lines), and status says so
    assertThat(status().path("lines").asLong()).isEqualTo(5);
    assertThat(status().path("reading").path("overlongLines").asLong()).isEqualTo(2);
  }

  @Test
  void logDeletedOrReplacedByADirectory_isAProblemInStatus_untilItIsBack() throws Exception {
    Path log = dir.resolve("messages");
    Files.createFile(log);
    start(log, "");
    write(log, failure("one", "203.0.113.31") + "\n");
    awaitFailures(1);
    Files.delete(log);
    Await.until(
        "a problem in status",
        LIMIT,
        Await.quietly(() -> status().path("problems").toString().contains("no such file")));
    // the server's log says it too, once
    Await.until(
        "the problem in the server log",
        LIMIT,
        Await.quietly(() -> Files.readString(dir.resolve("server.log")).contains("no such file")));
    Files.writeString(log, failure("two", "203.0.113.32") + "\n");
    awaitFailures(2);
    Await.until(
        "the problem to clear", LIMIT, Await.quietly(() -> status().path("problems").size() == 0));
    Files.delete(log);
    Files.createDirectory(log);
    Await.until(
        "a problem in status",
        LIMIT,
        Await.quietly(() -> status().path("problems").toString().contains("is a directory")));
    Files.delete(log);
    Files.writeString(log, failure("three", "203.0.113.33") + "\n");
    awaitFailures(3);
    Await.until(
        "the problem to clear", LIMIT, Await.quietly(() -> status().path("problems").size() == 0));
    assertThat(failures()).isEqualTo(3);
  }

  @Test
  void unreadableLog_isAProblemInStatus_untilItCanBeRead() throws Exception {
    // as root every file is readable: the server runs as nobody then, as a packaged one might
    boolean root = "root".equals(System.getProperty("user.name"));
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    Path log = logs.resolve("messages");
    Files.writeString(log, "");
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("---------"));
    List<String> prefix = List.of();
    Path conf = RotationServerIT.config(dir, log.toString(), "");
    if (root) {
      prefix = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
      for (Path p : List.of(dir, logs)) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
      }
      // sticky, as /tmp: a config file under a directory others may write (and rename in) is
      // refused (FileTrust), one under a sticky directory is not
      assertThat(new ProcessBuilder("chmod", "+t", dir.toString()).start().waitFor()).isZero();
      try (var s = Files.walk(conf)) {
        for (Path p : s.toList()) {
          Files.setPosixFilePermissions(
              p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
    server = new ServerProcess(prefix, conf, dir.resolve("s.sock"), dir.resolve("out.txt"));
    server.start();
    Await.until(
        "a problem in status",
        LIMIT,
        Await.quietly(() -> status().path("problems").toString().contains("permission denied")));
    Files.writeString(log, failure("one", "203.0.113.41") + "\n");
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
    awaitFailures(1);
    Await.until(
        "the problem to clear", LIMIT, Await.quietly(() -> status().path("problems").size() == 0));
  }
}
