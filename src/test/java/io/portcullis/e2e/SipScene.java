package io.portcullis.e2e;

import io.portcullis.testing.Await;
import io.portcullis.testing.Shell;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SIP scene in network namespaces the test creates: a PBX running Kamailio (a registrar with
 * digest authentication), an attacker namespace (203.0.113.66, 2001:db8:66::66 and a crowd of 50
 * more addresses) and a phone namespace (192.0.2.10, 192.0.2.11), each joined to the PBX by a veth
 * pair. sipp plays attackers and phones.
 *
 * <p>Kamailio logs to stderr; the scene stands in for syslog and writes each line, stamped with the
 * time, to {@code kamailio.log}. In the Asterisk variant it also writes, for every failed and
 * successful authentication, the lines Asterisk writes for it (recorded lines: fail2ban's sample
 * log of real Asterisk output, fetched at test time, with this scene's address and time): a failure
 * as a NOTICE in {@code messages} and a security event in {@code security}, a login as a
 * SuccessfulAuth event. It notes when the line that crosses maxretry for an address was written,
 * and ({@code nft monitor}) when the address arrived in a kernel set: the detection-to-block
 * latency.
 *
 * <p>{@link #close} kills every process it started and deletes the namespaces, also after a
 * failure.
 */
final class SipScene implements AutoCloseable {
  static final String PBX = "198.51.100.1";
  static final String PBX6 = "2001:db8:1::1";
  static final String ATTACKER = "203.0.113.66";
  static final String ATTACKER6 = "2001:db8:66::66";
  static final String PHONE = "192.0.2.10";
  static final String CLUMSY_PHONE = "192.0.2.11";
  static final int CROWD = 50;

  private static final Pattern AUTH =
      Pattern.compile(
          "portcullis: auth (failed|ok) src=(\\S+) port=(\\d+) proto=(\\w+) user=(\\S*)");
  private static final Pattern ADDRESS =
      Pattern.compile("\\b(\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9a-f]{1,4}:[0-9a-f:]*:[0-9a-f]{1,4})\\b");
  private static final DateTimeFormatter SYSLOG =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");
  private static final DateTimeFormatter ASTERISK =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  final String pbx;
  final String attacker;
  final String phone;
  final Path dir;
  private final int maxretry;
  private final AsteriskLines asterisk;
  private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final Map<String, Long> crossing = new ConcurrentHashMap<>();
  private final Map<String, Long> inKernel = new ConcurrentHashMap<>();
  private volatile boolean monitorSawMarker;
  private OutputStream kamailioLog;
  private OutputStream messages;
  private OutputStream security;
  private int runs;

  /**
   * {@code asterisk}: null for the Kamailio scene, else the recorded Asterisk lines to write in
   * step with Kamailio's.
   */
  SipScene(Path dir, int maxretry, AsteriskLines asterisk)
      throws IOException, InterruptedException {
    this.dir = dir;
    this.maxretry = maxretry;
    this.asterisk = asterisk;
    String id = Long.toString(ProcessHandle.current().pid());
    pbx = "pc-e2e-pbx-" + id;
    attacker = "pc-e2e-atk-" + id;
    phone = "pc-e2e-ph-" + id;
    try {
      network(id);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void network(String id) throws IOException, InterruptedException {
    String a = "pea" + id;
    String p = "pep" + id;
    for (String ns : List.of(pbx, attacker, phone)) {
      Shell.sh("ip netns add " + ns);
      Shell.sh("ip -n " + ns + " link set lo up");
    }
    Shell.sh(
        "ip link add " + a + " netns " + pbx + " type veth peer name " + a + "b netns " + attacker);
    Shell.sh(
        "ip link add " + p + " netns " + pbx + " type veth peer name " + p + "b netns " + phone);
    Shell.sh("ip -n " + pbx + " addr add " + PBX + "/32 dev " + a);
    Shell.sh("ip -n " + pbx + " addr add " + PBX + "/32 dev " + p);
    Shell.sh("ip -n " + pbx + " addr add " + PBX6 + "/128 dev " + a + " nodad");
    Shell.sh("ip -n " + pbx + " link set " + a + " up");
    Shell.sh("ip -n " + pbx + " link set " + p + " up");
    Shell.sh("ip -n " + pbx + " route add 203.0.113.0/24 dev " + a);
    Shell.sh("ip -n " + pbx + " route add 2001:db8:66::/64 dev " + a);
    Shell.sh("ip -n " + pbx + " route add 192.0.2.0/24 dev " + p);
    // the PBX's own firewall, as admins write it: established flows accepted first. Our drop must
    // come before it, and it turns conntrack on in the namespace, so flows have entries to cut.
    Path host = dir.resolve("host.nft");
    Files.writeString(
        host,
        "table inet host {\n  chain input {\n    type filter hook input priority 0; policy accept;\n"
            + "    ct state established,related accept\n    udp dport 5060 accept\n"
            + "    tcp dport 5060 accept\n  }\n}\n");
    Shell.sh("ip netns exec " + pbx + " nft -f " + host);
    StringBuilder batch = new StringBuilder();
    batch.append("addr add ").append(ATTACKER).append("/24 dev ").append(a).append("b\n");
    for (int i = 0; i < CROWD; i++) {
      batch.append("addr add ").append(crowd(i)).append("/24 dev ").append(a).append("b\n");
    }
    batch.append("addr add ").append(ATTACKER6).append("/64 dev ").append(a).append("b nodad\n");
    batch.append("link set ").append(a).append("b up\n");
    batch.append("route add ").append(PBX).append("/32 dev ").append(a).append("b\n");
    batch.append("route add ").append(PBX6).append("/128 dev ").append(a).append("b\n");
    Path script = dir.resolve("attacker.ip");
    Files.writeString(script, batch);
    Shell.sh("ip -n " + attacker + " -batch " + script);
    for (String ip : List.of(PHONE, CLUMSY_PHONE)) {
      Shell.sh("ip -n " + phone + " addr add " + ip + "/24 dev " + p + "b");
    }
    Shell.sh("ip -n " + phone + " link set " + p + "b up");
    Shell.sh("ip -n " + phone + " route add " + PBX + "/32 dev " + p + "b");
  }

  /** The crowd of attackers for the latency figures: 203.0.113.100 to 203.0.113.149. */
  static String crowd(int i) {
    return "203.0.113." + (100 + i);
  }

  /** Starts {@code nft monitor} in the PBX namespace, then Kamailio; returns once both work. */
  void start() throws IOException, InterruptedException {
    startMonitor();
    Path db = Files.createDirectories(dir.resolve("kamailio-db"));
    for (String table : List.of("version", "subscriber")) {
      Files.copy(resource("kamailio-db/" + table), db.resolve(table));
    }
    Path cfg = dir.resolve("kamailio.cfg");
    Files.writeString(
        cfg, Files.readString(resource("kamailio.cfg")).replace("@DB@", db.toString()));
    kamailioLog = new FileOutputStream(dir.resolve("kamailio.log").toFile(), true);
    messages = new FileOutputStream(dir.resolve("messages").toFile(), true);
    security = new FileOutputStream(dir.resolve("security").toFile(), true);
    Process kamailio =
        new ProcessBuilder(
                "ip", "netns", "exec", pbx, "kamailio", "-f", cfg.toString(), "-DD", "-E")
            .redirectErrorStream(true)
            .start();
    processes.add(kamailio);
    Thread relay = new Thread(() -> relay(kamailio), "syslog-relay");
    relay.setDaemon(true);
    relay.start();
    // Kamailio is up when a phone can register
    Await.until(
        "Kamailio to register a phone",
        Duration.ofSeconds(20),
        Await.quietly(
            () ->
                register(phone, PHONE, "100", "secret100", 1, "u1", 5062).contains("registered")));
  }

  private void startMonitor() throws IOException, InterruptedException {
    Process monitor =
        new ProcessBuilder("ip", "netns", "exec", pbx, "nft", "monitor", "new")
            .redirectErrorStream(true)
            .start();
    processes.add(monitor);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  long at = System.nanoTime();
                  if (line.startsWith("add table inet e2e-ready")) {
                    monitorSawMarker = true;
                  }
                  // ours (inet portcullis), or fail2ban's when it is the reference
                  if (line.startsWith("add element ")) {
                    Matcher m = ADDRESS.matcher(line.substring(line.indexOf('{')));
                    while (m.find()) {
                      inKernel.putIfAbsent(m.group(1), at);
                    }
                  }
                }
              } catch (IOException e) {
                // the monitor was stopped
              }
            },
            "nft-monitor");
    reader.setDaemon(true);
    reader.start();
    // the monitor listens once it reports a table made after it started
    Await.until(
        "nft monitor",
        Duration.ofSeconds(10),
        Await.quietly(
            () -> {
              Shell.sh("ip netns exec " + pbx + " nft add table inet e2e-ready");
              Thread.sleep(50);
              Shell.sh("ip netns exec " + pbx + " nft delete table inet e2e-ready");
              return monitorSawMarker;
            }));
  }

  /** Kamailio's stderr, written to the log files the server reads, as syslog would. */
  private void relay(Process kamailio) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(kamailio.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        // taken before the line is written: a server that reads, bans and reaches the kernel
        // while this thread waits for a core would otherwise show a negative latency
        long at = System.nanoTime();
        OffsetDateTime now = OffsetDateTime.now(ZoneId.systemDefault());
        write(kamailioLog, now.format(SYSLOG) + " pbx kamailio: " + line);
        Matcher m = AUTH.matcher(line);
        if (!m.find()) {
          continue;
        }
        boolean failed = m.group(1).equals("failed");
        String ip = m.group(2);
        if (asterisk != null) {
          String stamp = "[" + now.truncatedTo(ChronoUnit.SECONDS).format(ASTERISK) + "]";
          int port = Integer.parseInt(m.group(3));
          String proto = m.group(4).toUpperCase(java.util.Locale.ROOT);
          if (!failed) {
            write(security, asterisk.success(stamp, ip, port, proto));
          } else {
            // Asterisk writes one failed login twice, a NOTICE and a security event: the jail
            // pairs them (docs/filters/asterisk.md#counting-an-attempt-once), one attempt a count
            write(messages, asterisk.pjsipFailure(stamp, ip, port));
            write(security, asterisk.securityFailure(stamp, ip, port, proto));
          }
        }
        if (failed) {
          if (failures.merge(ip, 1, Integer::sum) == maxretry) {
            crossing.putIfAbsent(ip, at);
          }
        }
      }
    } catch (IOException e) {
      // Kamailio ended
    }
  }

  private static void write(OutputStream out, String line) throws IOException {
    synchronized (out) {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  /**
   * Runs sipp: {@code calls} REGISTERs of {@code user} from {@code source} (UDP {@code u1} or TCP
   * {@code t1}), each answering the 401 challenge with {@code password}; returns each call's
   * outcome in order: "registered", "refused" (401 to the credentials) or "noanswer".
   */
  List<String> register(
      String ns,
      String source,
      String user,
      String password,
      int calls,
      String transport,
      int localPort)
      throws IOException, InterruptedException {
    return startRegister(ns, source, user, password, calls, 10, transport, localPort).outcomes();
  }

  /** Starts sipp without waiting: {@code rate} calls a second. */
  Sipp startRegister(
      String ns,
      String source,
      String user,
      String password,
      int calls,
      int rate,
      String transport,
      int localPort)
      throws IOException {
    int run;
    synchronized (this) {
      run = ++runs;
    }
    Path csv = dir.resolve("sipp-" + run + ".csv");
    Files.writeString(
        csv,
        "SEQUENTIAL\n"
            + user
            + ";[authentication username="
            + user
            + " password="
            + password
            + "]\n");
    Path log = dir.resolve("sipp-" + run + ".log");
    String target = source.contains(":") ? "[" + PBX6 + "]:5060" : PBX + ":5060";
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                ns,
                "sipp",
                target,
                "-sf",
                resource("sipp-register.xml").toString(),
                "-inf",
                csv.toString(),
                "-i",
                source,
                "-t",
                transport,
                "-m",
                Integer.toString(calls),
                "-r",
                Integer.toString(rate),
                "-nostdin",
                "-trace_logs",
                "-log_file",
                log.toString()));
    if (localPort > 0) {
      cmd.addAll(List.of("-p", Integer.toString(localPort)));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sipp-" + run + ".out").toFile())
            .start();
    processes.add(p);
    return new Sipp(p, log, calls / Math.max(1, rate) + 4L * calls + 10);
  }

  /** A running sipp. */
  static final class Sipp {
    private final Process process;
    private final Path log;
    private final long limitSeconds;

    Sipp(Process process, Path log, long limitSeconds) {
      this.process = process;
      this.log = log;
      this.limitSeconds = limitSeconds;
    }

    boolean isRunning() {
      return process.isAlive();
    }

    /** Waits for sipp to end (bounded) and returns its calls' outcomes in order. */
    List<String> outcomes() throws IOException, InterruptedException {
      if (!process.waitFor(limitSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("sipp did not end in " + limitSeconds + " s");
      }
      if (!Files.exists(log)) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (String line : Files.readAllLines(log)) {
        if (!line.isBlank()) {
          out.add(line.strip().split(" ")[0]);
        }
      }
      return out;
    }
  }

  /** Failed authentications Kamailio logged for an address so far. */
  int failuresOf(String ip) {
    return failures.getOrDefault(ip, 0);
  }

  /**
   * Milliseconds from writing the line that crossed maxretry for {@code ip} to the address's
   * arrival in a kernel set, or -1 if either has not happened.
   */
  double latencyMillis(String ip) {
    Long from = crossing.get(ip);
    Long to = inKernel.get(ip);
    return from == null || to == null ? -1 : (to - from) / 1e6;
  }

  boolean seenInKernel(String ip) {
    return inKernel.containsKey(ip);
  }

  /** Runs a command in the PBX namespace. */
  String inPbx(String command) throws IOException, InterruptedException {
    return Shell.sh("ip netns exec " + pbx + " " + command);
  }

  static Path resource(String name) {
    return Path.of("src/test/resources/e2e", name).toAbsolutePath();
  }

  @Override
  public void close() {
    synchronized (processes) {
      for (Process p : processes) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      for (Process p : processes) {
        try {
          p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    for (OutputStream out : new OutputStream[] {kamailioLog, messages, security}) {
      try {
        if (out != null) {
          out.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String ns : List.of(pbx, attacker, phone)) {
      try {
        new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
      } catch (IOException e) {
        // not created
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
