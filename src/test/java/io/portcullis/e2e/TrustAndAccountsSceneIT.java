package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.cli.Main;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16's acceptance on a real Kamailio (the {@link SipScene}), with the shipped config and the
 * kamailio jail: (a) a phone that logged in stays served through a brute force from another
 * address; (b) a session that logged in and then fails allowfailures times is banned; (c) 30
 * addresses failing twice each on one extension put it under attack, the 31st is banned at its
 * first failure and the extension's real phone keeps registering; (d) an address trying 10 user
 * names once each is banned (at the fourth: maxusers = 3, below maxretry). Then {@code portcullis
 * replay} of Kamailio's log decides the same.
 */
class TrustAndAccountsSceneIT {
  private static final int ALLOWFAILURES = 3;
  private static final int CROWD = 30;
  private static final int MAXUSERS = 3;
  private static final String ENUMERATOR = SipScene.crowd(40);

  @TempDir Path dir;

  private Path config() throws Exception {
    Path conf = dir.resolve("conf");
    SipBruteForceSceneIT.copyTree(Path.of("config"), conf);
    Files.writeString(conf.resolve("portcullis.local"), ServerProcess.settings(dir));
    Files.writeString(
        conf.resolve("jail.local"),
        "[sshd]\nenabled = false\n\n[asterisk]\nenabled = false\n\n[kamailio]\nenabled = true\n"
            + "filter = kamailio[logging=stderr]\nlogpath = "
            + dir.resolve("kamailio.log")
            + "\nmaxretry = 5\nallowfailures = "
            + ALLOWFAILURES
            // 30 addresses x 2 failures
            + "\naccountmaxretry = "
            + 2 * CROWD
            + "\naccountfindtime = 10m\naccountbantime = 1h\nmaxusers = "
            + MAXUSERS
            + "\n");
    Files.createFile(dir.resolve("kamailio.log"));
    return conf;
  }

  private static List<String> phoneRegisters(SipScene scene, int times) throws Exception {
    List<String> all = new java.util.ArrayList<>();
    for (int i = 0; i < times; i++) {
      all.addAll(scene.register(scene.phone, SipScene.PHONE, "100", "secret100", 1, "u1", 5062));
    }
    return all;
  }

  @Test
  void trustIsLimited_accountsUnderAttackBanAtTheFirstFailure_enumerationIsBanned_andReplayAgrees()
      throws Exception {
    Path conf = config();
    try (SipScene scene = new SipScene(dir, 5, null);
        ServerProcess server =
            new ServerProcess(
                List.of("ip", "netns", "exec", scene.pbx),
                conf,
                dir.resolve("s.sock"),
                dir.resolve("server.out"))) {
      scene.start();
      server.start();

      // (a) the phone of extension 100 logs in (trusted), then a brute force from elsewhere
      assertThat(phoneRegisters(scene, 1)).containsExactly("registered");
      Await.until(
          "the phone trusted after its login",
          Duration.ofSeconds(10),
          Await.quietly(() -> server.cli("status", "kamailio").contains(SipScene.PHONE)));
      assertThat(server.cli("status", "kamailio"))
          .contains(SipScene.PHONE + " until")
          .contains("(login");
      List<String> flood =
          scene.register(scene.attacker, SipScene.ATTACKER, "101", "guess", 12, "u1", 5061);
      assertThat(flood.subList(0, 5)).as("the brute force: %s", flood).containsOnly("refused");
      Await.until(
          "the brute force banned",
          Duration.ofSeconds(10),
          Await.quietly(() -> server.cli("banned").contains(SipScene.ATTACKER)));
      assertThat(phoneRegisters(scene, 3)).as("the phone through it").containsOnly("registered");

      // (b) a session logs in on 101, then fails allowfailures times: banned at the last
      assertThat(
              scene.register(scene.phone, SipScene.CLUMSY_PHONE, "101", "secret101", 1, "u1", 5063))
          .containsExactly("registered");
      Await.until(
          "the session trusted",
          Duration.ofSeconds(10),
          Await.quietly(() -> server.cli("status", "kamailio").contains(SipScene.CLUMSY_PHONE)));
      assertThat(
              scene.register(
                  scene.phone, SipScene.CLUMSY_PHONE, "101", "typo", ALLOWFAILURES, "u1", 5063))
          .containsOnly("refused");
      Await.until(
          "the session banned after " + ALLOWFAILURES + " failures while trusted",
          Duration.ofSeconds(10),
          Await.quietly(() -> server.cli("banned").contains(SipScene.CLUMSY_PHONE)));
      assertThat(scene.failuresOf(SipScene.CLUMSY_PHONE)).isEqualTo(ALLOWFAILURES);
      assertThat(
              scene.register(scene.phone, SipScene.CLUMSY_PHONE, "101", "secret101", 1, "u1", 5063))
          .as("the withdrawn session, even with the right password")
          .containsExactly("noanswer");

      // (c) 30 addresses, two failures each on 100: none reaches maxretry, the account is attacked
      for (int i = 0; i < CROWD; i++) {
        assertThat(scene.register(scene.attacker, SipScene.crowd(i), "100", "guess", 2, "u1", 0))
            .as("address %s", SipScene.crowd(i))
            .containsOnly("refused");
      }
      Await.until(
          "account 100 under attack",
          Duration.ofSeconds(10),
          Await.quietly(
              () -> server.cli("status", "kamailio").contains("ACCOUNT UNDER ATTACK: 100")));
      String thirtyFirst = SipScene.crowd(CROWD);
      assertThat(scene.register(scene.attacker, thirtyFirst, "100", "guess", 1, "u1", 0))
          .containsExactly("refused");
      Await.until(
          "the 31st address banned at its first failure",
          Duration.ofSeconds(10),
          () -> scene.seenInKernel(thirtyFirst));
      assertThat(scene.failuresOf(thirtyFirst)).isEqualTo(1);
      assertThat(scene.register(scene.attacker, thirtyFirst, "100", "guess", 1, "u1", 0))
          .containsExactly("noanswer");
      assertThat(phoneRegisters(scene, 3))
          .as("the real phone of the attacked extension")
          .containsOnly("registered");
      assertThat(server.cli("banned")).doesNotContain(SipScene.PHONE + " ");

      // (d) one address tries ten user names once each: banned at the name after maxusers (3),
      // before maxretry (5) would
      List<String> tried = new java.util.ArrayList<>();
      for (int u = 0; u < 10; u++) {
        tried.addAll(
            scene.register(scene.attacker, ENUMERATOR, "u" + (200 + u), "guess", 1, "u1", 0));
        if (u == MAXUSERS) {
          Await.until(
              "the enumerator banned",
              Duration.ofSeconds(10),
              () -> scene.seenInKernel(ENUMERATOR));
        }
      }
      assertThat(tried.subList(0, MAXUSERS + 1))
          .as("names tried: %s", tried)
          .containsOnly("refused");
      assertThat(tried.subList(MAXUSERS + 2, 10))
          .as("names tried: %s", tried)
          .containsOnly("noanswer");
      assertThat(scene.failuresOf(ENUMERATOR)).isBetween(MAXUSERS + 1, MAXUSERS + 2);

      Map<String, String> served = new TreeMap<>();
      String banned = server.cli("banned");
      for (String ip :
          List.of(
              SipScene.ATTACKER,
              SipScene.CLUMSY_PHONE,
              SipScene.crowd(CROWD - 1),
              thirtyFirst,
              ENUMERATOR)) {
        assertThat(banned).contains(ip);
      }
      served.put(SipScene.ATTACKER, "maxretry");
      served.put(SipScene.CLUMSY_PHONE, "trust-withdrawn");
      // the failure that put 100 under attack bans its own address too
      served.put(SipScene.crowd(CROWD - 1), "account-under-attack");
      served.put(thirtyFirst, "account-under-attack");
      served.put(ENUMERATOR, "enumeration");
      server.stop();

      // replay of Kamailio's log: the same bans for the same reasons
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code =
          Main.run(
              new String[] {
                "replay",
                "--config",
                conf.toString(),
                "--json",
                dir.resolve("kamailio.log").toString(),
                "kamailio"
              },
              new PrintWriter(out, true),
              new PrintWriter(err, true));
      assertThat(code).as("replay; stderr: %s", err).isZero();
      Map<String, String> replayed = new TreeMap<>();
      ObjectMapper json = new ObjectMapper();
      for (String l : out.toString().strip().split("\n")) {
        JsonNode b = json.readTree(l);
        replayed.put(b.get("ip").asText(), b.get("cause").asText());
      }
      assertThat(replayed).as("replay's bans").isEqualTo(served);
    }
  }
}
