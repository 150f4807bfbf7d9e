package io.portcullis.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * Listens on the control socket (mode 0600: only root, or the owner, may command the server) and
 * answers one request per line. Each connection is served on its own short-lived thread.
 */
public final class ControlServer implements AutoCloseable {
  /** Executes one request; the answer is serialized with {@link Protocol#JSON}. */
  @FunctionalInterface
  public interface Handler {
    Object handle(Protocol.Request request) throws Protocol.CommandException;
  }

  private final Path socket;
  private final ServerSocketChannel channel;
  private final Handler handler;
  private final Consumer<String> errors;
  private final Thread thread;
  private volatile boolean running = true;

  public ControlServer(Path socket, Handler handler, Consumer<String> errors) throws IOException {
    this.socket = socket;
    this.handler = handler;
    this.errors = errors;
    if (socket.getParent() != null) {
      Files.createDirectories(socket.getParent());
    }
    if (Files.exists(socket)) {
      if (ControlClient.alive(socket)) {
        throw new IOException("another server is running on " + socket);
      }
      Files.delete(socket); // left over by a server that died
    }
    channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    channel.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    thread = new Thread(this::accept, "control");
    thread.setDaemon(true);
    thread.start();
  }

  public Path socket() {
    return socket;
  }

  private void accept() {
    int n = 0;
    while (running) {
      try {
        SocketChannel c = channel.accept();
        Thread t = new Thread(() -> serve(c), "control-" + (++n));
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (running) {
          errors.accept("control socket: " + e.getMessage());
        }
      }
    }
  }

  private void serve(SocketChannel c) {
    try (c;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(Channels.newOutputStream(c), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        String reply;
        try {
          reply = Protocol.Reply.ok(handler.handle(Protocol.Request.parse(line))).toJson();
        } catch (Protocol.ProtocolException e) {
          reply = Protocol.Reply.error(e.getMessage(), 2).toJson();
        } catch (Protocol.CommandException e) {
          reply = Protocol.Reply.error(e.getMessage(), e.code()).toJson();
        } catch (RuntimeException e) {
          errors.accept("control command failed: " + e);
          reply = Protocol.Reply.error("internal error: " + e, 1).toJson();
        }
        out.write(reply);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    channel.close();
    Files.deleteIfExists(socket);
  }
}
