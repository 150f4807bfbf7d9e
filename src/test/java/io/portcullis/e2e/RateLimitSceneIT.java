package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #15's rate limit on a real Kamailio (the {@link SipScene}): with {@code ratelimit = 20/10s
 * drop} a sipp flood of REGISTERs from one source gets answers at about the configured rate (a
 * burst of 20 packets, then 2 a second), while a phone registering from another address of the same
 * namespace, behind the same link, keeps registering; the kernel's limited set names the flooding
 * source and not the phone.
 */
class RateLimitSceneIT {
  private static final int BURST = 20;
  private static final int PER_SECOND = 2;
  private static final int FLOOD = 150;
  private static final String PHONE_IN_ATTACKERS_NAMESPACE = SipScene.crowd(0);
  private static final int METRICS_PORT = 9181;

  @TempDir Path dir;

  private Path config(boolean failures) throws Exception {
    Path conf = dir.resolve("conf");
    SipBruteForceSceneIT.copyTree(Path.of("config"), conf);
    // the metrics page, on the PBX namespace's own loopback (read from inside it)
    Files.writeString(
        conf.resolve("portcullis.local"),
        ServerProcess.settings(dir) + "[http]\nlisten = 127.0.0.1:" + METRICS_PORT + "\n");
    // failures never ban here: what holds the flood back is the rate limit alone
    Files.writeString(
        conf.resolve("jail.local"),
        "[sshd]\nenabled = false\n\n[asterisk]\nenabled = false\n\n[kamailio]\nenabled = true\n"
            + "filter = kamailio[logging=stderr]\nlogpath = "
            + dir.resolve("kamailio.log")
            + "\nport = 5060\nprotocol = udp\nmaxretry = 100000\naccountmaxretry = 100000"
            + "\nmaxusers = 100000\nratelimit = "
            + BURST
            + "/10s drop\nratelimitfailure = "
            + (failures ? "yes" : "no")
            + "\naction = firewall[backend=nftables]\n");
    Files.createFile(dir.resolve("kamailio.log"));
    return conf;
  }

  @ParameterizedTest(name = "ratelimitfailure = {0}")
  @ValueSource(booleans = {true, false})
  void floodFromOneSource_isLimitedAtTheConfiguredRate_phoneBesideItKeepsRegistering(
      boolean failures) throws Exception {
    Path conf = config(failures);
    try (SipScene scene = new SipScene(dir, 5, null);
        ServerProcess server =
            new ServerProcess(
                List.of("ip", "netns", "exec", scene.pbx),
                conf,
                dir.resolve("s.sock"),
                dir.resolve("server.out"))) {
      scene.start();
      server.start();
      Await.until(
          "the rate limit in the kernel",
          Duration.ofSeconds(10),
          Await.quietly(
              () ->
                  scene
                      .inPbx("nft list chain inet portcullis prerouting")
                      .contains("limit rate over 2/second burst 20 packets")));
      assertThat(scene.inPbx("nft list chain inet portcullis prerouting"))
          .contains("ip saddr != @kamailio-v4-allow ip saddr != @kamailio-v4-allowed")
          .contains("ip6 saddr & ffff:ffff:ffff:ffff::");

      long started = System.nanoTime();
      SipScene.Sipp flood =
          scene.startRegister(
              scene.attacker, SipScene.ATTACKER, "101", "guess", FLOOD, 50, "u1", 5061);
      List<String> phone = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < 3 && flood.isRunning(); i++) {
        phone.addAll(
            scene.register(
                scene.attacker, PHONE_IN_ATTACKERS_NAMESPACE, "100", "secret100", 1, "u1", 0));
        if (i == 0) {
          // the flood passes its burst first: wait (bounded) for the kernel to mark it, instead
          // of reading the set once right after the phone's first registration (it raced)
          Await.until(
              "the flooding source in the limited set",
              Duration.ofSeconds(10),
              Await.quietly(
                  () ->
                      scene
                          .inPbx("nft list set inet portcullis kamailio-v4-rl0-over")
                          .contains(SipScene.ATTACKER)));
          assertThat(scene.inPbx("nft list set inet portcullis kamailio-v4-rl0-over"))
              .as("the flooding source is limited now")
              .contains(SipScene.ATTACKER)
              .doesNotContain(PHONE_IN_ATTACKERS_NAMESPACE);
        }
      }
      List<String> outcomes = flood.outcomes();
      double seconds = (System.nanoTime() - started) / 1e9;
      assertThat(phone).as("the phone beside the flood").isNotEmpty().containsOnly("registered");
      // sipp logs one line per call it ended; under load it has ended a run with 149 of 150
      // logged (the rate is what is judged here, on the calls it logged)
      assertThat(outcomes).hasSizeBetween(FLOOD - 3, FLOOD);
      long answered = outcomes.stream().filter(o -> !o.equals("noanswer")).count();
      // each answered call took two packets through (REGISTER, then with credentials)
      long allowed = BURST + Math.round(PER_SECOND * seconds);
      assertThat(answered)
          .as("calls answered in %.1f s of flood: %s", seconds, outcomes)
          .isGreaterThanOrEqualTo(BURST / 2 / 2)
          .isLessThanOrEqualTo(allowed / 2 + 2);
      assertThat(outcomes.stream().filter(o -> o.equals("noanswer")).count())
          .as("calls dropped")
          .isGreaterThanOrEqualTo(outcomes.size() - allowed);
      assertThat(server.cli("banned")).as("nobody banned").contains("no address is banned");
      // status counts the limited source and names it, in one reading: a second status taken
      // later (a JVM start each, seconds at load 24 in CI) found the kernel's entry expired
      Await.until(
          "status to count and name the limited source",
          Duration.ofSeconds(15),
          Await.quietly(
              () -> {
                String status = server.cli("status", "kamailio");
                return status.contains(
                        "|- rate limit 20/10s drop: 1 source(s) limited now, 1 since start")
                    && status.contains(SipScene.ATTACKER);
              }));
      String metrics =
          scene.inPbx(
              "python3 -c 'import urllib.request; print(urllib.request.urlopen("
                  + "\"http://127.0.0.1:"
                  + METRICS_PORT
                  + "/metrics\", timeout=10).read().decode())'");
      assertThat(metrics)
          .as("/metrics")
          // limited now while the kernel remembers the flood (it forgets quiet sources)
          .containsPattern("(?m)^portcullis_ratelimited_now\\{jail=\"kamailio\"\\} [01](\\.0)?$")
          .containsPattern("(?m)^portcullis_ratelimited_total\\{jail=\"kamailio\"\\} 1(\\.0)?$");
      String found = "] Found " + SipScene.ATTACKER + " - ";
      String overTheLimit = "(over the rate limit 20/10s drop (seen by the";
      if (failures) {
        Await.until(
            "the limited source counted as a failure",
            Duration.ofSeconds(15),
            Await.quietly(
                () ->
                    Files.readString(dir.resolve("server.log"))
                        .lines()
                        .anyMatch(l -> l.contains(found) && l.contains(overTheLimit))));
      } else {
        // ratelimitfailure = no: limited and counted in status (above), never a failure for it.
        // The look that put the source in status is the one that would have handed it to the
        // jail (which logs it within milliseconds): a bounded pause gives a wrong one its chance.
        Thread.sleep(2_000);
        assertThat(Files.readString(dir.resolve("server.log")))
            .as("no failure for being over the limit")
            .doesNotContain(overTheLimit);
      }
      assertThat(Files.readString(dir.resolve("server.log")))
          .doesNotContain("] Found " + PHONE_IN_ATTACKERS_NAMESPACE + " - ");
      System.out.printf(
          "rate limit 20/10s: %d of %d flood calls answered in %.1f s (at most %d packets"
              + " allowed); phone %s%n",
          answered, FLOOD, seconds, allowed, phone);
      server.stop();
    }
  }
}
