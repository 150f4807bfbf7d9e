package io.portcullis.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket of a real server process started by the {@code portcullis} launcher (its JVM
 * options, as in production), measured from /proc while it is flooded: 1000 connections at once, a
 * 100 MB request line; and the command line client run by other users.
 */
class ControlSocketServerIT {
  private static final int CONNECTIONS = 1000;

  @TempDir Path dir;
  private Path socket;
  private Process server;

  @BeforeEach
  void setUp() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Files.createFile(dir.resolve("messages"));
    socket = dir.resolve("s.sock");
    Files.writeString(
        conf.resolve("portcullis.conf"), ServerProcess.settings(dir) + "socketgroup = adm\n");
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nignoreself = false\nlogpath = "
            + dir.resolve("messages")
            + "\n");
    server =
        new ProcessBuilder(
                Path.of("portcullis").toAbsolutePath().toString(),
                "server",
                "--config",
                conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.out").toFile())
            .start();
    Await.until(
        "the server to answer",
        Duration.ofSeconds(60),
        Await.quietly(() -> server.isAlive() && ControlClient.alive(socket)));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    server.destroy();
    if (!server.waitFor(30, TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
  }

  /** A field of /proc/PID/status in kB or as a count. */
  private long status(String field) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(server.pid()), "status"))) {
      if (l.startsWith(field + ":")) {
        return Long.parseLong(l.substring(field.length() + 1).replace("kB", "").strip());
      }
    }
    throw new IOException("no " + field);
  }

  /** Threads serving connections (named control-1 ... control-8). */
  private long connectionThreads() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(server.pid()), "task"))) {
      return tasks
          .filter(
              t -> {
                try {
                  return Files.readString(t.resolve("comm")).strip().matches("control-\\d+");
                } catch (IOException gone) {
                  return false;
                }
              })
          .count();
    }
  }

  private static SocketChannel connect(Path socket) throws IOException {
    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
    c.connect(UnixDomainSocketAddress.of(socket));
    return c;
  }

  private static String readLine(SocketChannel c) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    while (b.position() == 0 || b.get(b.position() - 1) != '\n') {
      if (c.read(b) < 0) {
        break;
      }
    }
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
  }

  /** Samples threads and resident memory until stopped; returns {max threads, max rss kB}. */
  private final class Sampler extends Thread {
    final AtomicBoolean on = new AtomicBoolean(true);
    final AtomicLong threads = new AtomicLong();
    final AtomicLong rss = new AtomicLong();
    final AtomicLong workers = new AtomicLong();

    @Override
    public void run() {
      while (on.get()) {
        try {
          threads.accumulateAndGet(status("Threads"), Math::max);
          rss.accumulateAndGet(status("VmRSS"), Math::max);
          workers.accumulateAndGet(connectionThreads(), Math::max);
          Thread.sleep(20); // a sampling period, not a wait for something
        } catch (IOException | InterruptedException e) {
          return;
        }
      }
    }
  }

  @Test
  void thousandConnectionsAtOnce_stayWithinEightThreads_andAreReleasedAfterwards()
      throws Exception {
    // regression (issue #12 probe): 1542 threads, 426 MB RSS, 342 MB still held 10 s later
    Client client = new Client(socket);
    for (int i = 0; i < 50; i++) {
      client.status();
    }
    long threads0 = status("Threads");
    long rss0 = status("VmRSS");
    Sampler sampler = new Sampler();
    sampler.start();
    List<SocketChannel> open = new ArrayList<>();
    int answered = 0;
    int busy = 0;
    try {
      byte[] request = "{\"command\":\"status\"}\n".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < CONNECTIONS; i++) {
        SocketChannel c = connect(socket);
        open.add(c);
        try {
          c.write(ByteBuffer.wrap(request));
          // one request, as the command line client sends: the connection's thread is free once
          // it has answered (an idle connection would hold it for the idle limit, 10 s)
          c.shutdownOutput();
        } catch (IOException answeredBusyAndClosed) {
          // the server may answer "busy" and close before the request is written; read it below
        }
      }
      for (SocketChannel c : open) {
        String reply = readLine(c);
        if (reply.startsWith("{\"version\":1,\"ok\":true,\"result\":{\"jails\":[\"asterisk\"]")) {
          answered++;
        } else if (reply.contains("server busy")) {
          busy++;
        }
      }
    } finally {
      for (SocketChannel c : open) {
        c.close();
      }
    }
    sampler.on.set(false);
    sampler.join();
    Await.until(
        "the connection threads to end",
        Duration.ofSeconds(30),
        Await.quietly(() -> connectionThreads() == 0));
    Await.until(
        "resident memory to settle",
        Duration.ofSeconds(30),
        Await.quietly(() -> status("VmRSS") <= rss0 + 16 * 1024));
    long threadsAfter = status("Threads");
    long rssAfter = status("VmRSS");
    System.out.printf(
        "control flood: %d connections at once: %d answered, %d told 'busy'; threads %d before,"
            + " %d at most (%d serving connections), %d after; RSS %d MB before, %d MB at most, %d"
            + " MB after%n",
        CONNECTIONS,
        answered,
        busy,
        threads0,
        sampler.threads.get(),
        sampler.workers.get(),
        threadsAfter,
        rss0 / 1024,
        sampler.rss.get() / 1024,
        rssAfter / 1024);
    assertThat(answered + busy).isEqualTo(CONNECTIONS);
    assertThat(answered).isGreaterThan(8 + 256);
    assertThat(sampler.workers.get()).isLessThanOrEqualTo(8);
    assertThat(sampler.threads.get()).isLessThanOrEqualTo(threads0 + 8 + 4);
    assertThat(sampler.rss.get() - rss0).isLessThan(64 * 1024);
    assertThat(threadsAfter).isLessThanOrEqualTo(threads0);
    assertThat(client.ping()).isEqualTo("pong");
  }

  @Test
  void hundredMegabyteRequestLine_isAnsweredAfterOneMebibyte_withoutTheMemory() throws Exception {
    // regression (issue #12 probe): a 100 MB request line: OutOfMemoryError
    long rss0 = status("VmRSS");
    Sampler sampler = new Sampler();
    sampler.start();
    long sent = 0;
    String reply;
    try (SocketChannel c = connect(socket)) {
      ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
      try {
        for (int i = 0; i < 100; i++) {
          java.util.Arrays.fill(chunk.array(), (byte) 'x');
          chunk.clear();
          while (chunk.hasRemaining()) {
            sent += c.write(chunk);
          }
        }
      } catch (IOException closedByTheServer) {
        // expected after the first MiB
      }
      reply = readLine(c);
    }
    sampler.on.set(false);
    sampler.join();
    System.out.printf(
        "control: 100 MB request line: %d MB sent before the server closed; RSS %d MB before, %d"
            + " MB at most%n",
        sent >> 20, rss0 / 1024, sampler.rss.get() / 1024);
    assertThat(reply).contains("request longer than 1048576 bytes");
    assertThat(sent).isLessThan(100L << 20);
    assertThat(sampler.rss.get() - rss0).isLessThan(32 * 1024);
    assertThat(new Client(socket).ping()).isEqualTo("pong");
  }

  /** The command line client run as nobody (with the given setpriv group options). */
  private String[] cliAsNobody(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=adm", "--clear-groups"));
    cmd.addAll(
        List.of(
            "java",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            Path.of("target/portcullis.jar").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--socket", socket.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new String[] {String.valueOf(p.exitValue()), out};
  }

  @Test
  void socketGroupMember_readsStatus_butBanIsRefused_withAClearError() throws Exception {
    assumeTrue(
        new com.sun.security.auth.module.UnixSystem().getUid() == 0,
        "peers of other users need root");
    String[] status = cliAsNobody("status");
    assertThat(status[0]).isEqualTo("0");
    assertThat(status[1]).contains("jails running: 1 (asterisk)");
    String[] ban = cliAsNobody("ban", "asterisk", "192.0.2.1");
    assertThat(ban[0]).isEqualTo("1");
    assertThat(ban[1])
        .contains(
            "error: permission denied: 'ban' needs root; user nobody (group adm) is in the socket"
                + " group 'adm', which may run only banned, get, ping, status");
    assertThat(new Client(socket).banned(null)).isEmpty();
  }
}
