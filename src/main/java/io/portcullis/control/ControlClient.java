package io.portcullis.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Sends one command to the server's control socket and returns its result. */
public final class ControlClient {
  private ControlClient() {}

  /**
   * @throws Protocol.CommandException when the server answered with an error (its message and code)
   * @throws IOException when the server cannot be reached
   */
  public static JsonNode call(Path socket, String command, List<String> args)
      throws IOException, Protocol.CommandException {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      Writer out = new OutputStreamWriter(Channels.newOutputStream(c), StandardCharsets.UTF_8);
      IOException notSent = null;
      try {
        out.write(new Protocol.Request(command, args).toJson());
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        // the server may have answered before reading (busy, or refusing this user): read that
        notSent = e;
      }
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
      String line;
      try {
        line = in.readLine();
      } catch (IOException e) {
        throw notSent != null ? notSent : e;
      }
      if (line == null) {
        if (notSent != null) {
          throw notSent;
        }
        throw new IOException("the server closed the connection without answering");
      }
      Protocol.Reply reply = Protocol.JSON.readValue(line, Protocol.Reply.class);
      if (!reply.ok()) {
        throw new Protocol.CommandException(
            reply.error() == null ? "unknown error" : reply.error(),
            reply.code() == null ? 1 : reply.code());
      }
      return reply.result() == null ? Protocol.JSON.nullNode() : reply.result();
    }
  }

  /** Whether a server answers on this socket (an error answer, e.g. permission denied, counts). */
  public static boolean alive(Path socket) {
    try {
      call(socket, "ping", List.of());
      return true;
    } catch (Protocol.CommandException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
