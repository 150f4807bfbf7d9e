package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.ban.BanStore;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole server as a real process, its firewall in a network namespace: failures in a log ban
 * the attacker in the kernel (despite somebody's "established, accept" rule), its conntrack entry
 * goes, kill -9 leaves the ban in the kernel, a restart restores it once, unban lifts it.
 */
class ServerFirewallNetnsIT {
  @TempDir Path dir;

  private ServerProcess server;
  private final List<String> log = new ArrayList<>();

  private ServerProcess server() {
    return new ServerProcess(
        List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"));
  }

  private String cli(String... args) throws IOException, InterruptedException {
    return server.cli(args);
  }

  private void writeServerConf(Netns net) throws IOException {
    Files.writeString(
        dir.resolve("conf/portcullis.conf"),
        ServerProcess.settings(dir) + "netns = " + net.pbx + "\nreconcileinterval = 2s\n");
  }

  private static String logLine(String message) {
    String ts =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC)
            .format(java.time.Instant.now());
    return "[" + ts + "] " + message + "\n";
  }

  @Test
  void allowOnSuccessRecipe_keepsThePhoneServed_whileTheAttackerIsDropped() throws Exception {
    try (Netns net = new Netns()) {
      net.startEcho();
      Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
      Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
      // fail2ban's recipe: a jail "bans" successful logins with an action that puts the address
      // on the real jail's ignore list through the command line
      Files.writeString(
          conf.resolve("asterisk-success.conf"),
          "[Definition]\nfailregex = ^\\[\\]\\s*SECURITY.*SecurityEvent=\"SuccessfulAuth\".*RemoteAddress=\"IPV[46]/\\w+/<ADDR>/\\d+\"\n");
      Files.createDirectories(dir.resolve("conf/action.d"));
      Files.writeString(
          dir.resolve("conf/action.d/allow.conf"),
          "[Definition]\nactionban = java -jar "
              + Path.of("target/portcullis.jar").toAbsolutePath()
              + " set asterisk addignoreip <ip> --socket "
              + dir.resolve("s.sock")
              + "\n");
      Path messages = Files.createFile(dir.resolve("messages"));
      writeServerConf(net);
      Files.writeString(
          dir.resolve("conf/jail.conf"),
          "[DEFAULT]\nlogpath = "
              + messages
              + "\nlogtimezone = UTC\nignoreself = false\n"
              + "[asterisk]\nenabled = true\nfilter = asterisk\nmaxretry = 3\nbantime = 1h\n"
              + "allowtime = 0\naction = firewall[backend=nftables]\n"
              + "[asterisk-allow]\nenabled = true\nfilter = asterisk-success\nmaxretry = 1\n"
              + "allowtime = 0\naction = allow\n");
      server = server();
      server.start();
      Files.writeString(
          messages,
          logLine(
              "SECURITY[1] res_security_log.c: SecurityEvent=\"SuccessfulAuth\",Service=\"PJSIP\",RemoteAddress=\"IPV4/UDP/"
                  + Netns.PHONE
                  + "/5060\""),
          StandardOpenOption.APPEND);
      Await.until(
          "the phone on the ignore list",
          Duration.ofSeconds(30),
          Await.quietly(() -> cli("get", "asterisk", "ignoreip").contains(Netns.PHONE)));
      for (String ip : List.of(Netns.PHONE, Netns.ATTACKER)) {
        for (int i = 0; i < 3; i++) {
          Files.writeString(
              messages,
              logLine(
                  "NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '"
                      + ip
                      + ":5060' - Wrong password"),
              StandardOpenOption.APPEND);
        }
      }
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      assertThat(net.probe(Netns.PHONE, Netns.PBX)).isZero();
      assertThat(listing(net, "nftables")).contains(Netns.ATTACKER).doesNotContain(Netns.PHONE);
      server.stop();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void firewallThatCannotBeCreatedAtStart_appliesTheRestoredBans_onceItCanBe() throws Exception {
    // regression: when the sets could not be created at start, the batch worker never started:
    // the reconcile loop re-created the sets and queued the restores, and nothing applied them
    Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
    Path messages = Files.createFile(dir.resolve("messages"));
    // the namespace the firewall runs in does not exist yet: nft cannot be run at start
    Files.writeString(
        dir.resolve("conf/portcullis.conf"),
        ServerProcess.settings(dir) + "netns = " + Netns.pbxName() + "\nreconcileinterval = 2s\n");
    Files.writeString(
        dir.resolve("conf/jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + messages
            + "\nmaxretry = 3\nbantime = 1h\nlogtimezone = UTC\nignoreself = false\n"
            + "action = firewall[backend=nftables]\n");
    // a ban in force from before the start
    try (BanStore store = BanStore.open(dir.resolve("db.sqlite3"))) {
      store.addBan(
          new BanDecision(
              "asterisk",
              Netns.ATTACKER,
              IpAddress.parse(Netns.ATTACKER),
              java.time.Instant.now(),
              Duration.ofHours(1),
              1,
              3,
              List.of()));
    }
    server = server();
    try {
      server.start();
      Await.until(
          "the firewall failing at start",
          Duration.ofSeconds(30),
          () -> serverLog().contains("Firewall (nftables): cannot create the sets and rules"));
      assertThat(cli("banned")).contains(Netns.ATTACKER);
      assertThat(cli("status", "asterisk")).contains("did not take the 1 restored ban(s)");
      try (Netns net = new Netns()) {
        net.startEcho();
        // the next reconcile (2 s) creates the sets, and the restored ban reaches the kernel
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        assertThat(listing(net, "nftables")).contains(Netns.ATTACKER);
        assertThat(net.probe(Netns.PHONE, Netns.PBX)).isZero();
        // regression: status kept saying "the firewall did not take the 1 restored ban(s)" after
        // the firewall recovered and the ban was in the kernel
        Await.until(
            "the restore problem cleared once the ban is in",
            Duration.ofSeconds(30),
            Await.quietly(() -> !cli("status", "asterisk").contains("did not take")));
        server.stop();
      }
    } finally {
      server.close();
    }
  }

  private String serverLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static String listing(Netns net, String kind) throws Exception {
    return kind.equals("nftables")
        ? net.inPbx("nft list set inet portcullis asterisk-v4")
        : net.inPbx("ipset list " + IpsetBackend.setName("asterisk", true));
  }

  @ParameterizedTest
  @ValueSource(strings = {"nftables", "ipset"})
  void banInTheKernel_survivesKill9_isRestoredOnce_repairedAfterAFlush_andUnbanLiftsIt(String kind)
      throws Exception {
    try (Netns net = new Netns()) {
      net.startEcho();
      // somebody else's ruleset that accepts established traffic early: we must still drop
      net.inPbx("nft add table inet other");
      net.inPbx(
          "nft 'add chain inet other input { type filter hook input priority 0 ; policy accept ; }'");
      net.inPbx("nft 'add rule inet other input ct state established,related accept'");
      Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
      Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
      Path messages = Files.createFile(dir.resolve("messages"));
      writeServerConf(net);
      Files.writeString(
          dir.resolve("conf/jail.conf"),
          "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
              + messages
              + "\nmaxretry = 3\nbantime = 1h\nlogtimezone = UTC\nignoreself = false\naction = firewall[backend="
              + kind
              + "]\n");
      server = server();
      server.start();
      // an ongoing flow from the attacker: conntrack knows it
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
      assertThat(net.inPbx("conntrack -L -s " + Netns.ATTACKER + " 2>&1")).contains(Netns.ATTACKER);
      String ts =
          DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
              .withZone(ZoneOffset.UTC)
              .format(java.time.Instant.now());
      for (int i = 0; i < 3; i++) {
        Files.writeString(
            messages,
            "["
                + ts
                + "] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '"
                + Netns.ATTACKER
                + ":5060' - Wrong password\n",
            StandardOpenOption.APPEND);
      }
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      assertThat(net.probe(Netns.PHONE, Netns.PBX)).isZero();
      String status = cli("status", "asterisk");
      assertThat(status)
          .contains("firewall (ok)")
          .contains("conntrack: flows of banned addresses are cut")
          .contains(Netns.ATTACKER);
      // the banned address's conntrack entries are gone
      Await.until(
          "conntrack cleared",
          Duration.ofSeconds(30),
          Await.quietly(
              () ->
                  !net.inPbx("conntrack -L -s " + Netns.ATTACKER + " 2>&1")
                      .contains("src=" + Netns.ATTACKER)));
      // kill -9: the kernel keeps the ban
      server.kill9();
      assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isEqualTo(1);
      assertThat(listing(net, kind)).contains(Netns.ATTACKER);
      // restart: restored once, no duplicate
      server.start();
      assertThat(cli("banned")).contains(Netns.ATTACKER);
      Thread.sleep(500);
      assertThat(listing(net, kind).split(Netns.ATTACKER, -1)).hasSize(2);
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      // somebody wipes the firewall: repaired within the reconcile interval (2 s here)
      if (kind.equals("nftables")) {
        net.inPbx("nft delete table inet portcullis");
      } else {
        net.inPbx("iptables -w -t raw -F PREROUTING");
      }
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      // unban lets it back in
      assertThat(cli("unban", Netns.ATTACKER)).contains("lifted 1");
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
      server.stop();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }
}
