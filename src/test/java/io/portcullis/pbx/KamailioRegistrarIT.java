package io.portcullis.pbx;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.jail.Registration;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registered phones read from a real Kamailio 5.6 (Debian 12's) through its jsonrpcs FIFO: Kamailio
 * in a network namespace of the test's own, sipp phones registering from documentation addresses,
 * then {@link KamailioRegistrar} asks {@code ul.dump}, and a server with {@code registrations =
 * kamailio[fifo=...]} shows the phone as trusted while registered.
 */
class KamailioRegistrarIT {
  private static final String PBX = "198.51.100.1";
  private static final String FIXED = "192.0.2.10";
  private static final String UNFIXED = "192.0.2.11";

  @TempDir Path dir;
  private final String ns = "ptkr" + ProcessHandle.current().pid();
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    Shell.sh("ip netns del " + ns + " 2>/dev/null || true");
  }

  private Path startKamailio() throws Exception {
    Shell.sh("ip netns add " + ns);
    Shell.sh("ip -n " + ns + " link set lo up");
    for (String a : List.of(PBX, FIXED, UNFIXED)) {
      Shell.sh("ip -n " + ns + " addr add " + a + "/32 dev lo");
    }
    Path db = Files.createDirectories(dir.resolve("kamailio-db"));
    for (String table : List.of("version", "subscriber")) {
      Files.copy(Path.of("src/test/resources/e2e/kamailio-db/" + table), db.resolve(table));
    }
    Path cfg = dir.resolve("kamailio.cfg");
    Files.writeString(
        cfg,
        Files.readString(Path.of("src/test/resources/pbx/kamailio-registrar.cfg"))
            .replace("@DB@", db.toString())
            .replace("@DIR@", dir.toString()));
    Process k =
        new ProcessBuilder("ip", "netns", "exec", ns, "kamailio", "-f", cfg.toString(), "-DD", "-E")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("kamailio.out").toFile())
            .start();
    processes.add(k);
    Path fifo = dir.resolve("kamailio_rpc.fifo");
    Await.until("Kamailio's jsonrpcs FIFO", Duration.ofSeconds(20), () -> Files.exists(fifo));
    return fifo;
  }

  /** One sipp REGISTER (challenged, then authenticated) from {@code source}; its outcome. */
  private List<String> register(String source, String user, String password) throws Exception {
    Path csv = dir.resolve("sipp-" + source + ".csv");
    Files.writeString(
        csv,
        "SEQUENTIAL\n"
            + user
            + ";[authentication username="
            + user
            + " password="
            + password
            + "]\n");
    Path log = dir.resolve("sipp-" + source + ".log");
    Files.deleteIfExists(log);
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "sipp",
                PBX + ":5060",
                "-sf",
                "src/test/resources/e2e/sipp-register.xml",
                "-inf",
                csv.toString(),
                "-i",
                source,
                "-t",
                "u1",
                "-m",
                "1",
                "-nostdin",
                "-trace_logs",
                "-log_file",
                log.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sipp-" + source + ".out").toFile())
            .start();
    processes.add(p);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("sipp ended").isTrue();
    return Files.exists(log)
        ? Files.readAllLines(log).stream()
            .filter(l -> !l.isBlank())
            .map(l -> l.strip().split(" ")[0])
            .toList()
        : List.of();
  }

  @Test
  void ulDump_overTheFifo_trustsTheReceivedAddressOnly_andTheServerShowsItRegistered()
      throws Exception {
    Path fifo = startKamailio();
    Await.until(
        "Kamailio to register the phone behind NAT handling",
        Duration.ofSeconds(20),
        Await.quietly(() -> register(FIXED, "100", "secret100").contains("registered")));
    assertThat(register(UNFIXED, "101", "secret101")).containsExactly("registered");

    RegistrarSpec.Kamailio spec =
        new RegistrarSpec.Kamailio(
            fifo, dir, null, Duration.ofSeconds(5), RegistrarSpec.DEFAULT_EVERY);
    Registrar registrar = spec.open(Clock.systemUTC());
    Instant before = Instant.now();
    Registrar.Reading r = registrar.read();
    assertThat(r.registrations())
        .as("the phone whose source Kamailio saw (Received), not the one it only wrote")
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.ip()).isEqualTo(IpAddress.parse(FIXED));
              assertThat(g.account()).isEqualTo("100");
              // sipp asks Expires: 60
              assertThat(g.until()).isBetween(before.plusSeconds(50), before.plusSeconds(62));
            });
    assertThat(r.unverified()).isEqualTo(1);
    // asked again: the same answer (the reply FIFO of each request is its own)
    assertThat(registrar.read().registrations())
        .extracting(Registration::ip)
        .containsExactly(IpAddress.parse(FIXED));
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("reply FIFOs removed")
          .noneMatch(n -> n.startsWith("portcullis_"));
    }

    // the server with the jail's registrations line: status shows why and until when
    Path conf = dir.resolve("conf");
    Path shipped = Path.of("config");
    try (Stream<Path> files = Files.walk(shipped)) {
      for (Path p : files.toList()) {
        Path to = conf.resolve(shipped.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    Files.writeString(conf.resolve("portcullis.local"), ServerProcess.settings(dir));
    Files.createFile(dir.resolve("kamailio.log"));
    Files.writeString(
        conf.resolve("jail.local"),
        "[sshd]\nenabled = false\n\n[asterisk]\nenabled = false\n\n"
            + "[kamailio]\nenabled = true\nfilter = kamailio[logging=stderr]\nlogpath = "
            + dir.resolve("kamailio.log")
            + "\nregistrations = kamailio[fifo="
            + fifo
            + ", replydir="
            + dir
            + ", every=1s]\n");
    try (ServerProcess server =
        new ServerProcess(
            // in the test's namespace: the shipped action's nftables table goes there
            List.of("ip", "netns", "exec", ns),
            conf,
            dir.resolve("s.sock"),
            dir.resolve("server.out"))) {
      server.start();
      Await.until(
          "the registered phone trusted by the server",
          Duration.ofSeconds(20),
          Await.quietly(() -> server.cli("status", "kamailio").contains(FIXED + " until")));
      String status = server.cli("status", "kamailio");
      assertThat(status)
          .contains("(registered as 100: kamailio ul.dump over fifo " + fifo + ")")
          .doesNotContain(UNFIXED);
      server.stop();
    }
  }
}
