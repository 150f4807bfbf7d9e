package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.AsteriskLines;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks that earn a ban, with the server as a real process and its nftables firewall in a
 * network namespace: five addresses of one /64 failing get the /64 banned, a sixth address of it is
 * dropped before it fails, an ignored address inside stays reachable (also one added with {@code
 * set addignoreip} while the ban holds), and unban of one address or of the network makes what was
 * asked reachable.
 */
class NetworkBanNetnsIT {
  private static final String NET = "2001:db8:66::/64";
  private static final String SIXTH = "2001:db8:66::6";
  private static final String IGNORED = "2001:db8:66::9";
  private static final String LATE = "2001:db8:66::7";

  @TempDir Path dir;

  private final List<String> log = new ArrayList<>();

  private static String failure(String ip) {
    return AsteriskLines.wrongPassword("1", "x", "[" + ip + "]:5060") + "\n";
  }

  @Test
  void fiveAddressesOfOneSlash64_banTheSlash64_theSixthIsDroppedBeforeItFails_ignoredGetsThrough()
      throws Exception {
    try (Netns net = new Netns()) {
      String device = "pcc" + ProcessHandle.current().pid();
      for (int i = 1; i <= 9; i++) {
        Netns.sh(
            "ip -n " + net.client + " addr add 2001:db8:66::" + i + "/64 dev " + device + " nodad");
      }
      net.startEcho();
      Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
      Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
      Path messages = Files.createFile(dir.resolve("messages"));
      Files.writeString(
          dir.resolve("conf/portcullis.conf"),
          ServerProcess.settings(dir) + "netns = " + net.pbx + "\nreconcileinterval = 2s\n");
      Files.writeString(
          dir.resolve("conf/jail.conf"),
          "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
              + messages
              + "\nmaxretry = 2\nbantime = 1h\nlogtimezone = UTC\nignoreself = false\n"
              + "ignoreip = "
              + IGNORED
              + "\nallowtime = 0\naction = firewall[backend=nftables]\n");
      try (ServerProcess server =
          new ServerProcess(
              List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"))) {
        server.start();
        // before anything: the sixth and the ignored address get through
        net.awaitProbe(SIXTH, Netns.PBX6, 0, log);
        for (int i = 1; i <= 5; i++) {
          String ip = "2001:db8:66::" + i;
          Files.writeString(messages, failure(ip) + failure(ip), StandardOpenOption.APPEND);
        }
        // the sixth never failed: dropped all the same, by the network's ban
        net.awaitProbe(SIXTH, Netns.PBX6, 1, log);
        assertThat(net.probe(IGNORED, Netns.PBX6)).as("ignored address inside").isZero();
        assertThat(net.probe(Netns.PHONE, Netns.PBX)).as("phone").isZero();
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v6-net")).contains(NET);
        String banned = server.cli("banned");
        assertThat(banned)
            .contains(NET)
            .contains(
                NET
                    + " earned by: 2001:db8:66::1, 2001:db8:66::2, 2001:db8:66::3,"
                    + " 2001:db8:66::4, 2001:db8:66::5");
        assertThat(server.cli("banned", SIXTH)).contains(NET);
        // bug: set addignoreip at run time did not reach the allow set (dropped until a restart)
        assertThat(net.probe(LATE, Netns.PBX6)).as("inside, not ignored yet").isEqualTo(1);
        server.cli("set", "asterisk", "addignoreip", LATE);
        assertThat(net.probe(LATE, Netns.PBX6)).as("ignored as the command answered").isZero();
        assertThat(net.inPbx("nft list set inet portcullis asterisk-v6-allow"))
            .contains(LATE)
            .contains(IGNORED);
        server.cli("set", "asterisk", "delignoreip", LATE);
        assertThat(net.probe(LATE, Netns.PBX6)).as("no longer ignored").isEqualTo(1);
        assertThat(net.probe(IGNORED, Netns.PBX6)).as("still ignored").isZero();
        assertThat(Files.readString(dir.resolve("server.log")))
            .contains(
                "[asterisk] Ban "
                    + NET
                    + " for 1h (5 addresses of it banned within 10m: 2001:db8:66::1,");
        // unban of one address inside: the network's ban goes, the others keep their own
        assertThat(server.cli("unban", SIXTH)).contains("lifted 1");
        net.awaitProbe(SIXTH, Netns.PBX6, 0, log);
        assertThat(net.probe("2001:db8:66::1", Netns.PBX6)).as("a banned address").isEqualTo(1);
        // unban of the network: the addresses inside it go with it
        // the network holds an ignored address: without --force the ban is refused
        assertThat(server.cli("ban", "asterisk", NET)).contains("refused");
        server.cli("ban", "--force", "asterisk", NET);
        net.awaitProbe(SIXTH, Netns.PBX6, 1, log);
        assertThat(server.cli("unban", NET)).contains("lifted 6");
        net.awaitProbe("2001:db8:66::1", Netns.PBX6, 0, log);
        net.awaitProbe(SIXTH, Netns.PBX6, 0, log);
        Await.until(
            "no ban left",
            Duration.ofSeconds(10),
            Await.quietly(() -> server.cli("banned").contains("no address is banned")));
        server.stop();
      }
    }
  }
}
