package io.portcullis.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portcullis.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket for real: a real Unix socket, peers that are other users (processes started
 * with setpriv as nobody, with and without the group adm), floods of bytes and connections.
 */
class ControlServerIT {
  private static final String PEER =
      "import socket,sys\n"
          + "s=socket.socket(socket.AF_UNIX)\n"
          + "try:\n"
          + "  s.connect(sys.argv[1])\n"
          + "except PermissionError:\n"
          + "  print('EACCES'); sys.exit(3)\n"
          + "s.sendall(sys.argv[2].encode()+b'\\n')\n"
          + "print(s.makefile().readline().strip())\n";

  @TempDir Path dir;
  private Path socket;
  private final List<ControlServer> servers = new ArrayList<>();
  private final List<String> logged = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    // other users must reach the socket: the test's directory is 0700
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    socket = dir.resolve("s.sock");
  }

  @AfterEach
  void tearDown() throws IOException {
    for (ControlServer s : servers) {
      s.close();
    }
  }

  private ControlServer start(String group, ControlServer.Limits limits) throws IOException {
    ControlServer s =
        new ControlServer(
            socket,
            group,
            r ->
                switch (r.command()) {
                  case "ping" -> "pong";
                  case "ban" -> 1;
                  default -> "done " + r.command();
                },
            logged::add,
            limits,
            PeerPolicy.GroupMembers.ETC_GROUP);
    servers.add(s);
    return s;
  }

  private static String call(Path socket, String line) throws IOException {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      try {
        c.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      } catch (IOException e) {
        // a busy server answers and closes before reading (as ControlClient, read that answer):
        // CI had this write fail with a broken pipe once the answer came sooner
      }
      return new BufferedReader(
              new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8))
          .readLine();
    }
  }

  /** A peer running as nobody with the given setpriv group options; what it printed. */
  private String asNobody(String line, String... groups) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534"));
    cmd.addAll(List.of(groups));
    cmd.addAll(List.of("/usr/bin/python3", "-c", PEER, socket.toString(), line));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static boolean root() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  @Test
  void socketFile_is0600_withoutAGroup_and0660WithTheSocketGroup() throws IOException {
    ControlServer s = start(null, ControlServer.Limits.DEFAULT);
    PosixFileAttributes a =
        Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-------");
    assertThat(a.isOther()).isTrue();
    s.close();
    servers.clear();
    assertThat(socket).doesNotExist();
    assumeTrue(root(), "only root may give the socket to another group");
    start("adm", ControlServer.Limits.DEFAULT);
    a = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-rw----");
    assertThat(a.group().getName()).isEqualTo("adm");
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("s.sock");
    }
  }

  @Test
  void socketGroupMember_mayRunReadOnlyCommands_butNotBan() throws Exception {
    assumeTrue(root(), "peers of other users need root");
    start("adm", ControlServer.Limits.DEFAULT);
    assertThat(asNobody("{\"command\":\"status\"}", "--regid=adm", "--clear-groups"))
        .isEqualTo("{\"version\":1,\"ok\":true,\"result\":\"done status\"}");
    assertThat(
            asNobody(
                "{\"command\":\"ban\",\"args\":[\"j\",\"192.0.2.1\"]}",
                "--regid=adm",
                "--clear-groups"))
        .isEqualTo(
            "{\"version\":1,\"ok\":false,\"error\":\"permission denied: 'ban' needs root; user"
                + " nobody (group adm) is in the socket group 'adm', which may run only banned,"
                + " get, ping, status\",\"code\":1}");
    assertThat(call(socket, "{\"command\":\"ban\",\"args\":[\"j\",\"192.0.2.1\"]}"))
        .isEqualTo("{\"version\":1,\"ok\":true,\"result\":1}");
    Await.until("the refusal in the log", Duration.ofSeconds(5), () -> !logged.isEmpty());
    assertThat(logged.get(0)).isEqualTo("control socket: refused 'ban' to user nobody (group adm)");
  }

  @Test
  void peerTheKernelLetsIn_butNotAMember_isRefusedEveryCommand() throws Exception {
    assumeTrue(root(), "peers of other users need root");
    start("adm", ControlServer.Limits.DEFAULT);
    // adm as a supplementary group that /etc/group does not list for nobody
    assertThat(asNobody("{\"command\":\"ping\"}", "--regid=nogroup", "--groups=adm"))
        .startsWith(
            "{\"version\":1,\"ok\":false,\"error\":\"permission denied: user nobody (group"
                + " nogroup) may not use this socket");
  }

  @Test
  void otherUsers_cannotEvenConnect_toA0600Socket() throws Exception {
    assumeTrue(root(), "peers of other users need root");
    start(null, ControlServer.Limits.DEFAULT);
    assertThat(asNobody("{\"command\":\"ping\"}", "--regid=adm", "--clear-groups"))
        .isEqualTo("EACCES");
  }

  @Test
  void requestLongerThanTheLimit_isAnswered_andCut_andTheServerAnswersOthers() throws Exception {
    // regression (issue #12 probe): a 100 MB request line ran the server out of memory
    start(null, ControlServer.Limits.DEFAULT);
    long written;
    String reply;
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      long[] sent = new long[1];
      // the channel itself, not Channels' streams: those hold one lock for reading and writing
      Thread writer =
          new Thread(
              () -> {
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                try {
                  for (int i = 0; i < 1600; i++) { // 100 MB
                    java.util.Arrays.fill(chunk.array(), (byte) 'x');
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                      sent[0] += c.write(chunk);
                    }
                  }
                } catch (IOException expected) {
                  // the server closed the connection
                }
              });
      writer.start();
      ByteBuffer answer = ByteBuffer.allocate(4096);
      while (answer.position() == 0 || answer.get(answer.position() - 1) != '\n') {
        if (c.read(answer) < 0) {
          break;
        }
      }
      reply = new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8).strip();
      writer.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(writer.isAlive()).isFalse();
      written = sent[0];
    }
    assertThat(reply)
        .isEqualTo(
            "{\"version\":1,\"ok\":false,\"error\":\"request longer than 1048576 bytes; the"
                + " connection is closed without reading the rest\",\"code\":2}");
    assertThat(written).isLessThan(100L << 20);
    assertThat(call(socket, "{\"command\":\"ping\"}")).contains("pong");
  }

  @Test
  void connectionThatSendsNothing_isClosed_afterTheIdleLimit() throws Exception {
    start(null, new ControlServer.Limits(2, 2, 1 << 20, Duration.ofMillis(300)));
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      long t0 = System.nanoTime();
      assertThat(c.read(ByteBuffer.allocate(16))).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void connectionsBeyondThreadsAndWaiting_areAnsweredBusy_atOnce() throws Exception {
    ControlServer s = start(null, new ControlServer.Limits(1, 1, 1 << 20, Duration.ofSeconds(20)));
    List<SocketChannel> held = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        held.add(c);
      }
      assertThat(call(socket, "{\"command\":\"ping\"}"))
          .isEqualTo(
              "{\"version\":1,\"ok\":false,\"error\":\"server busy: 2 control connections are"
                  + " open; try again\",\"code\":1}");
      assertThat(s.busyRefusals()).isEqualTo(1);
    } finally {
      for (SocketChannel c : held) {
        c.close();
      }
    }
    Await.until(
        "the server to answer again",
        Duration.ofSeconds(10),
        Await.quietly(() -> call(socket, "{\"command\":\"ping\"}").contains("pong")));
  }

  @Test
  void badRequests_getCode2_andTheConnectionGoesOn() throws Exception {
    start(null, ControlServer.Limits.DEFAULT);
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      OutputStream out = Channels.newOutputStream(c);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
      String[][] cases = {
        {"not json", "request is not JSON"},
        {"{\"command\":\"ping\",\"command\":\"stop\"}", "Duplicate field 'command'"},
        {"{\"command\":\"ping\"} {\"command\":\"stop\"}", "request is not JSON"},
        {"{\"command\":\"ban\",\"args\":[\"j\",5]}", "\\\"args\\\" must be a list of strings"},
        {"{\"command\":\"ping\",\"version\":2}", "protocol version 2 is not supported"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "request is not JSON"},
      };
      for (String[] k : cases) {
        out.write((k[0] + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(in.readLine()).contains("\"ok\":false").contains(k[1]).endsWith("\"code\":2}");
      }
      out.write("{\"command\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(in.readLine()).contains("pong");
    }
  }

  @Test
  void regularFileAtTheSocketPath_isNeverRemoved_andTheServerDoesNotStart() throws IOException {
    // regression (issue #12 probe): the server deleted a regular file named as its socket
    Files.writeString(socket, "precious\n");
    assertThatThrownBy(() -> start(null, ControlServer.Limits.DEFAULT))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "socket: "
                + socket
                + " exists and is a regular file, not a socket; Portcullis never removes it"
                + " (remove it yourself, or set socket to another path in portcullis.conf)");
    assertThat(Files.readString(socket)).isEqualTo("precious\n");
    Files.delete(socket);
    Files.createDirectory(socket);
    assertThatThrownBy(() -> start(null, ControlServer.Limits.DEFAULT))
        .hasMessageContaining("exists and is a directory");
    Files.delete(socket);
    Path target = Files.writeString(dir.resolve("target"), "x");
    Files.createSymbolicLink(socket, target);
    assertThatThrownBy(() -> start(null, ControlServer.Limits.DEFAULT))
        .hasMessageContaining("exists and is a symbolic link");
    assertThat(target).hasContent("x");
    try (var left = Files.list(dir)) {
      assertThat(left.count()).isEqualTo(2); // no private directory left behind
    }
  }

  @Test
  void socketOfADeadServer_isReplaced_aLiveServersIsNot() throws Exception {
    java.nio.channels.ServerSocketChannel dead =
        java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(socket));
    dead.close(); // the file stays, nobody answers on it
    assertThat(socket).exists();
    start(null, ControlServer.Limits.DEFAULT);
    assertThat(call(socket, "{\"command\":\"ping\"}")).contains("pong");
    assertThatThrownBy(() -> start(null, ControlServer.Limits.DEFAULT))
        .hasMessage("another server is running on " + socket);
    assertThat(call(socket, "{\"command\":\"ping\"}")).contains("pong");
  }

  @Test
  void close_removesTheSocket_onlyWhileItIsStillTheOneItMade() throws Exception {
    ControlServer s = start(null, ControlServer.Limits.DEFAULT);
    Files.move(socket, dir.resolve("moved.sock"));
    Files.writeString(socket, "someone else's\n");
    s.close();
    servers.clear();
    assertThat(socket).hasContent("someone else's");
  }
}
