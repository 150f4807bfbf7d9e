package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blocklist feed through the whole server as a real process: served over HTTP on loopback, its
 * entries reach the jail's nftables sets in a network namespace with the feed's bantime as their
 * timeout; a packet from a listed address is dropped, a listed address on the jail's ignore list
 * still passes; the reconcile puts feed entries back when the table is wiped, and never removes
 * them as strays; a restart neither drops them nor adopts them as the jail's bans.
 */
class FeedNetnsIT {
  @TempDir Path dir;

  @Test
  void feedEntries_reachTheKernelWithTimeouts_dropTheListed_spareTheIgnored() throws Exception {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] list =
        ("# honeypot list\n"
                + Netns.ATTACKER
                + "\n"
                + Netns.PHONE
                + "\n203.0.113.128/25\n2001:db8:66::66\n")
            .getBytes(StandardCharsets.UTF_8);
    http.createContext(
        "/list.txt",
        x -> {
          x.sendResponseHeaders(200, list.length);
          x.getResponseBody().write(list);
          x.close();
        });
    http.start();
    ServerProcess server = null;
    List<String> log = new ArrayList<>();
    try (Netns net = new Netns()) {
      net.startEcho();
      Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
      Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
      Path messages = Files.createFile(dir.resolve("messages"));
      Files.writeString(
          dir.resolve("conf/portcullis.conf"),
          ServerProcess.settings(dir)
              + "netns = "
              + net.pbx
              + "\nreconcileinterval = 2s\n"
              + "[feed-honeypot]\nurl = http://127.0.0.1:"
              + http.getAddress().getPort()
              + "/list.txt\njail = asterisk\ninterval = 1h\nbantime = 2h\n");
      Files.writeString(
          dir.resolve("conf/jail.conf"),
          "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
              + messages
              + "\nmaxretry = 3\nbantime = 1h\nlogtimezone = UTC\nignoreself = false\n"
              + "ignoreip = "
              + Netns.PHONE
              + "\naction = firewall[backend=nftables]\n");
      server =
          new ServerProcess(
              List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"));
      server.start();
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      assertThat(net.probe(Netns.PHONE, Netns.PBX)).isZero();
      String table = net.inPbx("nft list table inet portcullis");
      // the element carries the feed's bantime (2h) as its kernel timeout
      assertThat(table)
          .containsPattern(java.util.regex.Pattern.quote(Netns.ATTACKER) + " timeout 2h expires")
          .contains("203.0.113.128/25")
          .contains("2001:db8:66::66");
      // the ignored phone is listed by the feed but not in the jail's drop set (it may be in the
      // jail's allow set: its ignoreip)
      assertThat(
              net.inPbx(
                  "nft list set inet portcullis " + NftablesBackend.setName("asterisk", true)))
          .contains(Netns.ATTACKER)
          .doesNotContain(Netns.PHONE);
      String status = server.cli("status");
      assertThat(status).contains("feed honeypot (plain into jail asterisk): 3 entries in force");
      // the feed's entries are not bans of the jail: banned lists none
      assertThat(server.cli("banned")).doesNotContain(Netns.ATTACKER);
      // somebody wipes the table: the reconcile (every 2 s) puts the feed's entries back
      net.inPbx("nft delete table inet portcullis");
      Await.until(
          "the table re-created with the feed's entries",
          Duration.ofSeconds(20),
          Await.quietly(
              () -> net.inPbx("nft list table inet portcullis").contains("203.0.113.128/25")));
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      server.stop();
      // a restart: the kernel kept the elements; they are the feed's (from its cached list), not
      // strays for the start's reconcile to adopt as bans of the jail
      server.start();
      Await.until(
          "the cached list put back",
          Duration.ofSeconds(20),
          Await.quietly(
              () ->
                  Files.readString(dir.resolve("server.log"))
                      .contains("[feed honeypot] 3 entries put back from the cache")));
      assertThat(server.cli("banned")).doesNotContain(Netns.ATTACKER);
      assertThat(server.cli("status")).contains("3 entries in force");
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      server.stop();
      String serverLog = Files.readString(dir.resolve("server.log"));
      assertThat(serverLog).contains("[feed honeypot] 3 entries in force in jail asterisk for 2h");
      assertThat(serverLog).doesNotContain("stray");
    } finally {
      if (server != null) {
        server.close();
      }
      http.stop(0);
    }
  }
}
