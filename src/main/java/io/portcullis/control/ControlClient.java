package io.portcullis.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Sends one command to the server's control socket and returns its result. The request and reply
 * are written and read by {@link ClientJson}, not Jackson, so that a short command does not pay for
 * loading Jackson's databind.
 */
public final class ControlClient {
  private ControlClient() {}

  /**
   * The result as a tree of maps, lists, strings, numbers, booleans and nulls ({@link
   * ClientJson#parse}).
   *
   * @throws Protocol.CommandException when the server answered with an error (its message and code)
   * @throws IOException when the server cannot be reached or its answer is not a reply
   */
  public static Object result(Path socket, String command, List<String> args)
      throws IOException, Protocol.CommandException {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      OutputStream out = Channels.newOutputStream(c);
      IOException notSent = null;
      try {
        out.write((ClientJson.request(command, args) + "\n").getBytes(StandardCharsets.UTF_8));
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
      ClientJson.Answer reply;
      try {
        reply = ClientJson.answer(line);
      } catch (IllegalArgumentException e) {
        throw new IOException("the server's answer is not a reply: " + e.getMessage(), e);
      }
      if (!reply.ok()) {
        throw new Protocol.CommandException(
            reply.error() == null ? "unknown error" : reply.error(), reply.code());
      }
      return reply.result();
    }
  }

  /**
   * The result as a Jackson tree (for tests and tools that walk it).
   *
   * @throws Protocol.CommandException when the server answered with an error (its message and code)
   * @throws IOException when the server cannot be reached
   */
  public static JsonNode call(Path socket, String command, List<String> args)
      throws IOException, Protocol.CommandException {
    JsonNode r = ProtocolMapper.JSON.valueToTree(result(socket, command, args));
    return r == null ? ProtocolMapper.JSON.nullNode() : r;
  }

  /** Whether a server answers on this socket (an error answer, e.g. permission denied, counts). */
  public static boolean alive(Path socket) {
    try {
      result(socket, "ping", List.of());
      return true;
    } catch (Protocol.CommandException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
