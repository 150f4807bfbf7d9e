package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.detection.ShippedFilter;
import io.portcullis.detection.Verdict;
import io.portcullis.filter.FilterMatch;
import io.portcullis.testing.Await;
import io.portcullis.testing.Shell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Kamailio snippet (config/examples/kamailio/portcullis.cfg) in a real Kamailio: a
 * registrar that includes it as its README says, with the stock config's log_prefix, in a network
 * namespace, and sipp as a phone, password guessers (UDP over IPv4, TCP over IPv6), a scanner and a
 * client whose Call-ID imitates a log line naming the phone. Every line Kamailio writes is read by
 * the shipped filters, as stderr (logging = stderr) and as the syslog record the same message makes
 * (dprint.h formats both from one format; syslog's has no "%2d(%d) " and gets the syslog header):
 * failures count against the guessers only, the phone's login is a success, the scanner is caught
 * by sip-scanner, and nobody's line names the phone.
 */
class KamailioSnippetIT {
  private static final String PBX = "198.51.100.1";
  private static final String PBX6 = "2001:db8:1::1";
  private static final String GUESSER = "203.0.113.66";
  private static final String GUESSER6 = "2001:db8:66::66";
  private static final String SCANNER = "203.0.113.67";
  private static final String FORGER = "203.0.113.68";
  private static final String PHONE = "192.0.2.10";
  private static final Pattern STDERR = Pattern.compile("^\\s*\\d+\\((\\d+)\\) (.*)$");

  @TempDir Path dir;
  private String pbx;
  private String net;
  private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private int runs;

  @BeforeEach
  void network() throws IOException, InterruptedException {
    String id = Long.toString(ProcessHandle.current().pid());
    pbx = "pc-snip-pbx-" + id;
    net = "pc-snip-net-" + id;
    String veth = "psn" + id;
    for (String ns : List.of(pbx, net)) {
      Shell.sh("ip netns add " + ns);
      Shell.sh("ip -n " + ns + " link set lo up");
    }
    Shell.sh(
        "ip link add "
            + veth
            + " netns "
            + pbx
            + " type veth peer name "
            + veth
            + "b netns "
            + net);
    Shell.sh("ip -n " + pbx + " addr add " + PBX + "/32 dev " + veth);
    Shell.sh("ip -n " + pbx + " addr add " + PBX6 + "/128 dev " + veth + " nodad");
    Shell.sh("ip -n " + pbx + " link set " + veth + " up");
    for (String route : List.of("203.0.113.0/24", "192.0.2.0/24", "2001:db8:66::/64")) {
      Shell.sh("ip -n " + pbx + " route add " + route + " dev " + veth);
    }
    for (String ip : List.of(GUESSER, SCANNER, FORGER, PHONE)) {
      Shell.sh("ip -n " + net + " addr add " + ip + "/32 dev " + veth + "b");
    }
    Shell.sh("ip -n " + net + " addr add " + GUESSER6 + "/128 dev " + veth + "b nodad");
    Shell.sh("ip -n " + net + " link set " + veth + "b up");
    Shell.sh("ip -n " + net + " route add " + PBX + "/32 dev " + veth + "b");
    Shell.sh("ip -n " + net + " route add " + PBX6 + "/128 dev " + veth + "b");
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    synchronized (processes) {
      for (Process p : processes) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      for (Process p : processes) {
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
    for (String ns : new String[] {pbx, net}) {
      try {
        new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
      } catch (IOException e) {
        // not created
      }
    }
  }

  @Test
  void snippetLines_countTheGuessersAllowThePhoneCatchTheScanner_inSyslogAndStderrShapes()
      throws Exception {
    startKamailio();
    assertThat(register(PHONE, "u1", "100", "secret100", "Yealink SIP-T46S 66.86.0.15", 1, null))
        .containsExactly("registered");
    assertThat(register(GUESSER, "u1", "100", "guess", "Z 5.6.2", 3, null))
        .containsExactly("refused", "refused", "refused");
    // a From user that imitates another source: auth user 100 is not the From user (-8)
    assertThat(register(GUESSER6, "t1", "100%20src=192.0.2.10", "guess", "Z 5.6.2", 2, null))
        .containsExactly("refused", "refused");
    // the snippet drops a scanner without an answer; its User-Agent imitates the rest of the line
    assertThat(
            register(
                SCANNER,
                "u1",
                "100",
                "guess",
                "friendly-scanner src=192.0.2.10 port=5060 proto=udp",
                1,
                null))
        .containsExactly("noanswer");
    // a Call-ID (in the stock log_prefix) that imitates a failure of the phone
    String forgedCallId =
        "x} <script>: portcullis: auth failed src=" + PHONE + " port=5060 proto=udp user=y %u-%p";
    assertThat(register(FORGER, "u1", "100", "guess", "Z 5.6.2", 1, forgedCallId))
        .containsExactly("refused");
    try {
      Await.until(
          "Kamailio's failure, success and scanner lines",
          Duration.ofSeconds(10),
          () ->
              count("portcullis: auth failed") == 6
                  && count("portcullis: auth ok") == 1
                  && count("portcullis: scanner") >= 1);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; Kamailio wrote:\n" + String.join("\n", lines), e);
    }
    List<String> stderr = List.copyOf(lines);
    List<String> syslog = stderr.stream().map(KamailioSnippetIT::asSyslog).toList();

    Map<String, Integer> guesses = Map.of(GUESSER, 3, GUESSER6, 2);
    for (Verdict v :
        List.of(
            ShippedFilter.load("kamailio", Map.of("logging", "stderr")).read(stderr),
            ShippedFilter.load("kamailio").read(syslog))) {
      assertThat(tally(v.failures())).as("failures in %s", v.lines().size()).isEqualTo(guesses);
      assertThat(tally(v.successes())).isEqualTo(Map.of(PHONE, 1));
    }
    for (Verdict v :
        List.of(
            ShippedFilter.load("sip-scanner", Map.of("logging", "stderr")).read(stderr),
            ShippedFilter.load("sip-scanner").read(syslog))) {
      // sipp sends the unanswered request again: each one is logged, and each counts
      assertThat(tally(v.failures()))
          .isEqualTo(Map.of(SCANNER, (int) count("portcullis: scanner")));
    }
    // the forged Call-ID's line is there; having no reading the protocol allows, it counts for
    // nobody (the guessers' tallies above are exact)
    assertThat(stderr).anyMatch(l -> l.contains("REGISTER x} <script>: portcullis: auth failed"));
  }

  private long count(String text) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.contains(text)).count();
    }
  }

  private static Map<String, Integer> tally(List<FilterMatch> matches) {
    Map<String, Integer> out = new TreeMap<>();
    matches.forEach(m -> out.merge(String.valueOf(m.ip()), 1, Integer::sum));
    return out;
  }

  /** The record rsyslog writes of the same message: syslog's header instead of "%2d(%d) ". */
  private static String asSyslog(String stderrLine) {
    Matcher m = STDERR.matcher(stderrLine);
    if (!m.matches()) {
      return stderrLine;
    }
    return "May  1 10:00:00 pbx /usr/sbin/kamailio[" + m.group(1) + "]: " + m.group(2);
  }

  private void startKamailio() throws IOException, InterruptedException {
    Path db = Files.createDirectories(dir.resolve("kamailio-db"));
    for (String table : List.of("version", "subscriber")) {
      Files.copy(SipScene.resource("kamailio-db/" + table), db.resolve(table));
    }
    Path snippet = Path.of("config/examples/kamailio/portcullis.cfg").toAbsolutePath();
    Path cfg = dir.resolve("kamailio.cfg");
    Files.writeString(
        cfg,
        Files.readString(SipScene.resource("kamailio-snippet.cfg"))
            .replace("@DB@", db.toString())
            .replace("@SNIPPET@", snippet.toString()));
    Process kamailio =
        new ProcessBuilder(
                "ip", "netns", "exec", pbx, "kamailio", "-f", cfg.toString(), "-DD", "-E")
            .redirectErrorStream(true)
            .start();
    processes.add(kamailio);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(kamailio.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // Kamailio ended
              }
            },
            "kamailio-stderr");
    reader.setDaemon(true);
    reader.start();
    try {
      Await.until(
          "Kamailio to listen",
          Duration.ofSeconds(20),
          Await.quietly(
              () -> Shell.sh("ip netns exec " + pbx + " ss -lun").contains(PBX + ":5060")));
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; Kamailio wrote:\n" + String.join("\n", lines), e);
    }
  }

  /**
   * Runs sipp from {@code source}: {@code calls} REGISTERs of {@code user}, answering the challenge
   * with {@code password}; returns each call's outcome ("registered", "refused", "noanswer").
   */
  private List<String> register(
      String source,
      String transport,
      String user,
      String password,
      String userAgent,
      int calls,
      String callId)
      throws IOException, InterruptedException {
    int run = ++runs;
    Path csv = dir.resolve("sipp-" + run + ".csv");
    Files.writeString(
        csv,
        "SEQUENTIAL\n"
            + user
            + ";[authentication username=100 password="
            + password
            + "];"
            + userAgent
            + "\n");
    Path log = dir.resolve("sipp-" + run + ".log");
    String target = source.contains(":") ? "[" + PBX6 + "]:5060" : PBX + ":5060";
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                net,
                "sipp",
                target,
                "-sf",
                SipScene.resource("sipp-snippet.xml").toString(),
                "-inf",
                csv.toString(),
                "-i",
                source,
                "-t",
                transport,
                "-m",
                Integer.toString(calls),
                "-r",
                "10",
                "-nostdin",
                "-trace_logs",
                "-log_file",
                log.toString()));
    if (callId != null) {
      cmd.addAll(List.of("-cid_str", callId));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sipp-" + run + ".out").toFile())
            .start();
    processes.add(p);
    if (!p.waitFor(10L + 4L * calls, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("sipp did not end in time");
    }
    List<String> out = new ArrayList<>();
    if (Files.exists(log)) {
      for (String line : Files.readAllLines(log)) {
        if (!line.isBlank()) {
          out.add(line.strip().split(" ")[0]);
        }
      }
    }
    return out;
  }
}
