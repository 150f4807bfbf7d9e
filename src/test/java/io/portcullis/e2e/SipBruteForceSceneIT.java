package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A SIP brute force on a real SIP server, stopped in the kernel: Kamailio in a PBX namespace,
 * {@code portcullis server} beside it with the shipped config and the nftables backend, sipp as
 * attackers (UDP, TCP, IPv4, IPv6) and phones. Run once reading Kamailio's log with the kamailio
 * jail, once reading recorded Asterisk lines written in step with the same traffic with the
 * asterisk jail.
 */
class SipBruteForceSceneIT {
  static final int MAXRETRY = 5;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} jail")
  @ValueSource(strings = {"kamailio", "asterisk"})
  void bruteForce_isStoppedInTheKernel_whileThePhonesKeepRegistering(String jail) throws Exception {
    boolean asterisk = jail.equals("asterisk");
    AsteriskLines lines =
        asterisk
            ? AsteriskLines.load(
                Path.of(System.getProperty("portcullis.reference.dir", "target/reference")))
            : null;
    Path conf = shippedConfig(jail);
    List<String[]> phoneLog = Collections.synchronizedList(new ArrayList<>());
    try (SipScene scene = new SipScene(dir, MAXRETRY, lines);
        ServerProcess server =
            new ServerProcess(
                List.of("ip", "netns", "exec", scene.pbx),
                conf,
                dir.resolve("s.sock"),
                dir.resolve("server.out"))) {
      scene.start();
      server.start();
      String v4set = jail + "-v4";
      // actions start with the server: the jail's set is in the kernel before the first ban
      assertThat(scene.inPbx("nft list set inet portcullis " + v4set)).contains(v4set);

      // the phone re-registers every 2 s through the whole scene
      PhoneLoop phoneLoop = new PhoneLoop(scene, phoneLog);
      phoneLoop.start();

      // 1. an ongoing UDP flow of wrong passwords (one socket, so one conntrack entry): answered
      // until maxretry, then nothing more gets through, and its conntrack entry is gone
      SipScene.Sipp flood =
          scene.startRegister(scene.attacker, SipScene.ATTACKER, "100", "guess", 30, 5, "u1", 5061);
      // its flow is in conntrack (the ban comes after five calls, ~1 s)
      Await.until(
          "the flood's conntrack entry",
          Duration.ofSeconds(5),
          Await.quietly(
              () ->
                  scene
                      .inPbx("conntrack -L -s " + SipScene.ATTACKER + " 2>&1")
                      .contains("src=" + SipScene.ATTACKER)));
      Await.until(
          "the attacker's ban",
          Duration.ofSeconds(20),
          Await.quietly(() -> server.cli("status", jail).contains(SipScene.ATTACKER)));
      // the entry is deleted just after the ban (off the ban's path); new packets never make one
      Await.until(
          "no conntrack entry of the banned attacker while it keeps sending",
          Duration.ofSeconds(5),
          Await.quietly(
              () ->
                  !scene
                      .inPbx("conntrack -L -s " + SipScene.ATTACKER + " 2>&1")
                      .contains("src=" + SipScene.ATTACKER)));
      assertThat(flood.isRunning()).as("the flood still sending").isTrue();
      List<String> flow = flood.outcomes();
      int answered = flow.indexOf("noanswer");
      assertThat(answered)
          .as("calls answered before the ban: %s", flow)
          .isBetween(MAXRETRY, MAXRETRY + 2);
      assertThat(flow.subList(answered, flow.size()))
          .as("every call after the ban: %s", flow)
          .hasSizeGreaterThanOrEqualTo(20)
          .containsOnly("noanswer");
      assertThat(scene.failuresOf(SipScene.ATTACKER))
          .as("failures Kamailio saw from the attacker: none after the ban")
          .isEqualTo(answered);
      assertThat(scene.register(scene.attacker, SipScene.ATTACKER, "100", "guess", 1, "t1", 0))
          .as("the banned attacker over TCP")
          .containsExactly("noanswer");
      assertThat(scene.inPbx("nft list set inet portcullis " + v4set)).contains(SipScene.ATTACKER);

      // the second attacker: IPv6, over TCP (one connection), then UDP
      List<String> tcp =
          scene.register(scene.attacker, SipScene.ATTACKER6, "100", "guess", MAXRETRY + 4, "t1", 0);
      assertThat(tcp.subList(0, MAXRETRY)).as("over TCP: %s", tcp).containsOnly("refused");
      assertThat(tcp.get(tcp.size() - 1)).as("over TCP: %s", tcp).isEqualTo("noanswer");
      Await.until(
          "the IPv6 attacker's ban",
          Duration.ofSeconds(10),
          Await.quietly(() -> server.cli("status", jail).contains(SipScene.ATTACKER6)));
      assertThat(scene.register(scene.attacker, SipScene.ATTACKER6, "100", "guess", 1, "u1", 0))
          .as("the banned IPv6 attacker over UDP")
          .containsExactly("noanswer");
      assertThat(scene.inPbx("nft list set inet portcullis " + jail + "-v6"))
          .contains(SipScene.ATTACKER6);

      // 2. a phone mistypes its password, then registers: allowed, later failures do not ban it
      assertThat(
              scene.register(
                  scene.phone, SipScene.CLUMSY_PHONE, "101", "typo", MAXRETRY - 1, "u1", 5063))
          .containsOnly("refused");
      assertThat(
              scene.register(scene.phone, SipScene.CLUMSY_PHONE, "101", "secret101", 1, "u1", 5063))
          .containsExactly("registered");
      Await.until(
          "the phone on the allowed list",
          Duration.ofSeconds(10),
          Await.quietly(() -> server.cli("get", jail, "allowed").contains(SipScene.CLUMSY_PHONE)));
      // more mistakes than maxretry, fewer than allowfailures (10 by default: trust is limited)
      assertThat(
              scene.register(
                  scene.phone, SipScene.CLUMSY_PHONE, "101", "typo", MAXRETRY + 3, "u1", 5063))
          .as("the allowed phone's later mistakes are answered, not banned")
          .hasSize(MAXRETRY + 3)
          .containsOnly("refused");

      // 3. detection-to-block latency over a crowd of attackers, one after another
      crowdLatency(scene, jail + " jail");

      // 4. kill -9: the ban stays in the kernel; a restart restores it once; unban lifts it
      server.kill9();
      assertThat(scene.register(scene.attacker, SipScene.ATTACKER, "100", "guess", 1, "u1", 5061))
          .as("the attacker while the daemon is dead")
          .containsExactly("noanswer");
      server.start();
      String banned = server.cli("banned");
      assertThat(banned.split(java.util.regex.Pattern.quote(SipScene.ATTACKER + " "), -1))
          .as("the attacker listed once: %s", banned)
          .hasSize(2);
      String set = scene.inPbx("nft list set inet portcullis " + v4set);
      assertThat(set.split(java.util.regex.Pattern.quote(SipScene.ATTACKER + " "), -1))
          .as("one element for the attacker: %s", set)
          .hasSize(2);
      assertThat(server.cli("unban", SipScene.ATTACKER)).contains("lifted 1");
      Await.until(
          "the unbanned attacker to be answered",
          Duration.ofSeconds(10),
          Await.quietly(
              () ->
                  scene
                      .register(scene.attacker, SipScene.ATTACKER, "100", "guess", 1, "u1", 5061)
                      .equals(List.of("refused"))));

      // the phone was never turned away
      phoneLoop.stop();
      assertThat(phoneLog).as("phone registrations").hasSizeGreaterThanOrEqualTo(5);
      assertThat(phoneLog.stream().map(r -> r[1]).toList())
          .as("phone registrations: %s", phoneLog.stream().map(r -> r[0] + " " + r[1]).toList())
          .containsOnly("registered");
      assertThat(server.cli("banned"))
          .doesNotContain(SipScene.PHONE)
          .doesNotContain(SipScene.CLUMSY_PHONE);
      server.stop();
    }
  }

  /**
   * The crowd of attackers, one after another, each sending maxretry wrong passwords: prints and
   * records (target/scene-latency.txt) the time from the line that crossed maxretry to the address
   * in the kernel set.
   */
  static void crowdLatency(SipScene scene, String who) throws Exception {
    for (int i = 0; i < SipScene.CROWD; i++) {
      String ip = SipScene.crowd(i);
      assertThat(scene.register(scene.attacker, ip, "100", "guess", MAXRETRY, "u1", 0))
          .as("attacker %s", ip)
          .hasSize(MAXRETRY)
          .containsOnly("refused");
      Await.until(
          "attacker " + ip + " in the kernel",
          Duration.ofSeconds(10),
          () -> scene.seenInKernel(ip));
    }
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; i < SipScene.CROWD; i++) {
      latencies.add(scene.latencyMillis(SipScene.crowd(i)));
    }
    Collections.sort(latencies);
    assertThat(latencies).as("every attacker measured").allMatch(ms -> ms >= 0);
    String figures =
        String.format(
            Locale.ROOT,
            "%s: detection-to-block latency over %d attackers: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
            who,
            latencies.size(),
            percentile(latencies, 50),
            percentile(latencies, 99),
            latencies.get(latencies.size() - 1));
    System.out.println("[scene] " + figures);
    Files.writeString(
        Path.of("target/scene-latency.txt"),
        figures + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank)));
  }

  /**
   * The shipped config as an admin installs it, with the jail of the scene enabled and pointed at
   * the scene's log files, and the server's files in the test's directory.
   */
  private Path shippedConfig(String jail) throws IOException {
    Path conf = dir.resolve("conf");
    copyTree(Path.of("config"), conf);
    Files.writeString(conf.resolve("portcullis.local"), ServerProcess.settings(dir));
    boolean asterisk = jail.equals("asterisk");
    Files.writeString(
        conf.resolve("jail.local"),
        "[sshd]\nenabled = false\n\n[asterisk]\nenabled = "
            + asterisk
            + "\nlogpath = "
            + dir.resolve("messages")
            + "\n          "
            + dir.resolve("security")
            + "\n\n[kamailio]\nenabled = "
            + !asterisk
            // the scene relays Kamailio's stderr (kamailio -E); the filter reads syslog by default
            + "\nfilter = kamailio[logging=stderr]"
            + "\nlogpath = "
            + dir.resolve("kamailio.log")
            + "\n");
    for (String log : List.of("messages", "security", "kamailio.log")) {
      Files.createFile(dir.resolve(log));
    }
    return conf;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /** The legitimate phone: registers with the right password every 2 s until stopped. */
  private static final class PhoneLoop {
    private final SipScene scene;
    private final List<String[]> log;
    private final Thread thread;
    private volatile boolean running = true;

    PhoneLoop(SipScene scene, List<String[]> log) {
      this.scene = scene;
      this.log = log;
      this.thread = new Thread(this::run, "phone");
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      // bounded: at most 300 registrations (10 minutes)
      for (int i = 0; i < 300 && running; i++) {
        try {
          List<String> r =
              scene.register(scene.phone, SipScene.PHONE, "100", "secret100", 1, "u1", 5062);
          log.add(new String[] {java.time.LocalTime.now().toString(), String.join(",", r)});
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          return;
        } catch (IOException e) {
          log.add(new String[] {java.time.LocalTime.now().toString(), "error " + e.getMessage()});
        }
      }
    }

    void stop() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(10_000);
    }
  }
}
