package io.portcullis.action;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces made by a test: a PBX (198.51.100.1, 2001:db8:1::1) and a client that can
 * speak from an attacker's address (203.0.113.66, 2001:db8:66::66) or a phone's (192.0.2.10),
 * joined by a veth pair. Everything is removed by {@link #close}, also after a failure.
 */
final class Netns implements AutoCloseable {
  static final String PBX = "198.51.100.1";
  static final String PBX6 = "2001:db8:1::1";
  static final String ATTACKER = "203.0.113.66";
  static final String ATTACKER6 = "2001:db8:66::66";
  static final String PHONE = "192.0.2.10";
  static final int PORT = 5060;

  final String pbx;
  final String client;
  private final List<Process> processes = new ArrayList<>();

  /** The name the PBX namespace gets (known before it exists). */
  static String pbxName() {
    return "pc-pbx-" + ProcessHandle.current().pid();
  }

  Netns() throws IOException, InterruptedException {
    String id = Long.toString(ProcessHandle.current().pid());
    pbx = pbxName();
    client = "pc-cli-" + id;
    String a = "pcp" + id;
    String b = "pcc" + id;
    try {
      sh("ip netns add " + pbx);
      sh("ip netns add " + client);
      sh("ip link add " + a + " netns " + pbx + " type veth peer name " + b + " netns " + client);
      for (String ns : List.of(pbx, client)) {
        sh("ip -n " + ns + " link set lo up");
      }
      sh("ip -n " + pbx + " addr add " + PBX + "/24 dev " + a);
      sh("ip -n " + pbx + " addr add " + PBX6 + "/64 dev " + a + " nodad");
      sh("ip -n " + pbx + " link set " + a + " up");
      sh("ip -n " + pbx + " route add 203.0.113.0/24 dev " + a);
      sh("ip -n " + pbx + " route add 192.0.2.0/24 dev " + a);
      sh("ip -n " + pbx + " route add 2001:db8:66::/64 dev " + a);
      sh("ip -n " + client + " addr add " + ATTACKER + "/24 dev " + b);
      sh("ip -n " + client + " addr add " + PHONE + "/24 dev " + b);
      sh("ip -n " + client + " addr add " + ATTACKER6 + "/64 dev " + b + " nodad");
      sh("ip -n " + client + " link set " + b + " up");
      sh("ip -n " + client + " route add 198.51.100.0/24 dev " + b);
      sh("ip -n " + client + " route add 2001:db8:1::/64 dev " + b);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Starts the echo peer in the PBX namespace and waits until it listens. */
  void startEcho() throws IOException {
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                pbx,
                "/usr/bin/python3",
                script("echo.py"),
                Integer.toString(PORT),
                "300")
            .start();
    processes.add(p);
    byte[] ready = new byte[5];
    if (p.getInputStream().read(ready) != 5) {
      throw new IOException("echo peer did not start");
    }
  }

  /** Probes UDP and TCP from a source address: 0 both pass, 1 both blocked, 2 mixed. */
  int probe(String source, String target) throws IOException, InterruptedException {
    return probeIn(client, source, target);
  }

  /** The same probe, run inside namespace {@code ns} (e.g. loopback to loopback in the PBX). */
  int probeIn(String ns, String source, String target) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "/usr/bin/python3",
                script("probe.py"),
                source,
                target,
                Integer.toString(PORT))
            .redirectErrorStream(true)
            .start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("probe did not finish");
    }
    return p.exitValue();
  }

  /** Probes until the expected outcome or a 10 s deadline; the failure message shows the log. */
  void awaitProbe(String source, String target, int expected, List<String> log)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    int last = -1;
    while (System.nanoTime() < end) {
      last = probe(source, target);
      if (last == expected) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "probe from " + source + " gave " + last + ", expected " + expected + "; log: " + log);
  }

  /**
   * Lets the client speak from one more address (a documentation address, as a host address on its
   * side of the veth pair); the PBX routes the replies back.
   */
  void addSource(String address) throws IOException, InterruptedException {
    String id = Long.toString(ProcessHandle.current().pid());
    boolean v6 = address.contains(":");
    String host = address + (v6 ? "/128" : "/32");
    sh("ip -n " + client + " addr add " + host + " dev pcc" + id + (v6 ? " nodad" : ""));
    sh("ip -n " + pbx + " route replace " + host + " dev pcp" + id);
  }

  /** Runs a command inside the PBX namespace and returns its output. */
  String inPbx(String command) throws IOException, InterruptedException {
    return sh("ip netns exec " + pbx + " " + command);
  }

  private static String script(String name) {
    return Path.of("src/test/resources/netns", name).toAbsolutePath().toString();
  }

  static String sh(String command) throws IOException, InterruptedException {
    return io.portcullis.testing.Shell.sh(command);
  }

  @Override
  public void close() throws IOException {
    try {
      for (Process p : processes) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      for (String ns : List.of(pbx, client)) {
        new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
