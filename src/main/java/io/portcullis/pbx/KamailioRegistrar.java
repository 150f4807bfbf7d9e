package io.portcullis.pbx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.process.ProcessRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks Kamailio for {@code ul.dump} through its jsonrpcs module (src/modules/jsonrpcs).
 *
 * <p>FIFO: the request (one JSON document, read by Kamailio up to its balancing brace) names a
 * reply FIFO in the module's {@code fifo_reply_dir}, which Kamailio opens for writing without
 * blocking, so it must have a reader already. The reply FIFO is made here ({@code mkfifo}), owned
 * by the user that owns Kamailio's own FIFO, mode 0600: no other local user can write a forged
 * answer into it. Blocking opens and reads run on one helper thread with the deadline; a reader
 * left waiting past it is released by opening its FIFO for writing once, and a Kamailio that holds
 * the reply open without writing makes the next requests wait for that one thread (reported as a
 * timeout), never pile up threads.
 *
 * <p>UDP: one datagram each way ({@code dgram_socket = "udp:HOST:PORT"}); a reply to an older
 * request is skipped by its id.
 */
final class KamailioRegistrar implements Registrar {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong IDS = new AtomicLong();

  private final RegistrarSpec.Kamailio spec;
  private final Clock clock;
  private final ExecutorService io;

  KamailioRegistrar(RegistrarSpec.Kamailio spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
    this.io =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "kamailio-rpc");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public String name() {
    return spec.describe();
  }

  @Override
  public Reading read() throws IOException, InterruptedException {
    long id = IDS.incrementAndGet();
    JsonNode reply = spec.fifo() != null ? viaFifo(id) : viaUdp(id);
    try {
      return UlDump.read(reply, clock.instant(), "kamailio ul.dump");
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage());
    }
  }

  private static byte[] request(long id, String replyName) {
    ObjectNode r = JSON.createObjectNode();
    r.put("jsonrpc", "2.0");
    r.put("method", "ul.dump");
    r.put("id", id);
    if (replyName != null) {
      r.put("reply_name", replyName);
    }
    return (r.toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private JsonNode viaFifo(long id) throws IOException, InterruptedException {
    if (!Files.exists(spec.fifo())) {
      throw new IOException(spec.fifo() + " does not exist (is Kamailio running with jsonrpcs?)");
    }
    String name = "portcullis_" + ProcessHandle.current().pid() + "_" + id;
    Path reply = spec.replyDir().resolve(name);
    ProcessRunner.Result made =
        new ProcessRunner(List.of(), spec.timeout())
            .run(List.of("mkfifo", "-m", "0600", reply.toString()), "");
    if (!made.ok()) {
      throw new IOException("cannot make the reply FIFO " + reply + ": " + made.output().strip());
    }
    long deadline = System.nanoTime() + spec.timeout().toNanos();
    try {
      Files.setOwner(reply, Files.getOwner(spec.fifo()));
      Files.setPosixFilePermissions(reply, PosixFilePermissions.fromString("rw-------"));
      // the reader first: Kamailio opens the reply FIFO without waiting for one
      Future<byte[]> reading = io.submit(() -> Files.readAllBytes(reply));
      try (OutputStream out = Files.newOutputStream(spec.fifo(), StandardOpenOption.WRITE)) {
        // Kamailio keeps its FIFO open for reading: this open does not wait
        out.write(request(id, name));
      }
      try {
        byte[] body = reading.get(remaining(deadline), TimeUnit.NANOSECONDS);
        return JSON.readTree(body);
      } catch (TimeoutException e) {
        release(reply);
        reading.cancel(true);
        throw new IOException(
            "Kamailio did not answer ul.dump within " + spec.timeout().toMillis() + " ms");
      } catch (ExecutionException e) {
        throw new IOException("reading " + reply + ": " + e.getCause().getMessage());
      }
    } finally {
      Files.deleteIfExists(reply);
    }
  }

  /** Lets a reader still waiting to open the reply FIFO go (a writer that closes at once). */
  private static void release(Path reply) {
    try (OutputStream out = Files.newOutputStream(reply, StandardOpenOption.WRITE)) {
      out.flush();
    } catch (IOException ignored) {
      // nobody was waiting
    }
  }

  private JsonNode viaUdp(long id) throws IOException {
    InetSocketAddress target =
        new InetSocketAddress(spec.udp().getHostString(), spec.udp().getPort());
    long deadline = System.nanoTime() + spec.timeout().toNanos();
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(target);
      byte[] req = request(id, null);
      socket.send(new DatagramPacket(req, req.length));
      byte[] buf = new byte[65_536];
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(remaining(deadline));
        if (left <= 0) {
          throw new IOException(
              "Kamailio did not answer ul.dump on "
                  + spec.udp()
                  + " within "
                  + spec.timeout().toMillis()
                  + " ms");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          continue;
        }
        JsonNode reply =
            JSON.readTree(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
        if (reply.path("id").asLong(-1) == id) {
          return reply;
        }
      }
    }
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }
}
