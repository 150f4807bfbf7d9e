package io.portcullis.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The run the build records the launcher's class-data-sharing archive from ({@code
 * scripts/cds-archive.sh}, {@code -XX:ArchiveClassesAtExit}): the short client commands against a
 * socket in a temporary directory that answers each request with a reply of the shape the server
 * gives (docs/protocol.md), reaching it through a config dir as people do and through --socket, and
 * once against no server at all, so that the classes those commands load are in the archive. Not
 * for people; it prints nothing and leaves nothing behind.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("portcullis-cds");
    Path socket = dir.resolve("s.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread answering = new Thread(() -> answer(server), "cds-training-server");
      answering.setDaemon(true);
      answering.start();
      Path list = Files.writeString(dir.resolve("list.txt"), "# list\n192.0.2.1\n192.0.2.2\n");
      String s = socket.toString();
      // as people run them: the socket read from the config dir (its reading classes archived too)
      Path conf = Files.createDirectory(dir.resolve("conf"));
      Files.writeString(conf.resolve("portcullis.conf"), "[Definition]\nsocket = " + s + "\n");
      String c = conf.toString();
      String[][] commands = {
        {"ping", "--config", c},
        {"status", "--config", c},
        {"status", "asterisk", "--config", c},
        {"ban", "asterisk", "192.0.2.1", "--config", c},
        {"ping", "--socket", s},
        {"status", "--socket", s},
        {"status", "asterisk", "--socket", s},
        {"ban", "asterisk", "192.0.2.1", "--socket", s},
        {"ban", "asterisk", "--file", list.toString(), "--socket", s},
        {"ping", "--socket", dir.resolve("none.sock").toString()},
      };
      StringWriter sink = new StringWriter();
      for (String[] command : commands) {
        Main.run(command, new PrintWriter(sink), new PrintWriter(sink));
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void answer(ServerSocketChannel server) {
    while (server.isOpen()) {
      try (SocketChannel c = server.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
        String request = in.readLine();
        if (request == null) {
          continue;
        }
        OutputStream out = Channels.newOutputStream(c);
        out.write((reply(request) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static String reply(String request) {
    String result;
    if (request.contains("\"command\":\"ping\"")) {
      result = "\"pong\"";
    } else if (request.contains("\"command\":\"ban\"")) {
      result = "1";
    } else if (request.contains("\"args\":[]")) {
      result =
          "{\"jails\":[\"asterisk\"],\"broken\":{\"sshd\":[\"no log file\"]},\"bans\":1,"
              + "\"firewall\":{\"nftables\":{\"applied\":2}},\"started\":1790000000}";
    } else {
      result =
          "{\"jail\":\"asterisk\",\"filter\":\"asterisk\",\"source\":\"/var/log/asterisk/messages"
              + " (backend auto: inotify)\",\"files\":[\"/var/log/asterisk/messages\"],"
              + "\"lines\":10,\"failures\":{\"current\":1,\"total\":3,\"dropped\":0},"
              + "\"bans\":{\"current\":1,\"total\":1,\"list\":[\"192.0.2.1\"]},"
              + "\"allowed\":[{\"ip\":\"2001:db8::1\",\"until\":1790000600}],"
              + "\"ignoreip\":[\"127.0.0.1/8\"],\"actions\":[{\"name\":\"nftables\",\"ok\":true,"
              + "\"inPlace\":true},{\"name\":\"mail\",\"ok\":false,\"error\":\"refused\"}],"
              + "\"conntrack\":true,\"problems\":[\"x\\\"y\"],\"reading\":{\"overlongLines\":1,"
              + "\"cutLines\":0,\"nulBytes\":0,\"rotations\":1,\"truncations\":0,"
              + "\"tailsFromCopies\":0,\"unreadBytesLost\":0}}";
    }
    return "{\"version\":1,\"ok\":true,\"result\":" + result + "}";
  }
}
