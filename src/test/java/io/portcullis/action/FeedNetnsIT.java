package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import java.io.IOException;
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
 * them as strays; a restart neither drops them nor adopts them as the jail's bans; a feed removed
 * from the config has its entries removed at the next start, except those a ban of the jail holds.
 */
class FeedNetnsIT {
  @TempDir Path dir;

  @Test
  void feedEntries_reachTheKernelWithTimeouts_dropTheListed_spareTheIgnored() throws Exception {
    HttpServer http = honeypotList();
    ServerProcess server = null;
    List<String> log = new ArrayList<>();
    try (Netns net = new Netns()) {
      net.startEcho();
      configure(net, http);
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
      // unban --all lifts the jail's bans, not the feed's entries (it emptied the sets, feed and
      // all, until the next reconcile put them back)
      server.cli("ban", "asterisk", "192.0.2.77");
      server.cli("unban", "--all");
      assertThat(server.cli("banned")).doesNotContain("192.0.2.77");
      String afterUnban = net.inPbx("nft list table inet portcullis");
      assertThat(afterUnban)
          .doesNotContain("192.0.2.77")
          .contains(Netns.ATTACKER)
          .contains("203.0.113.128/25")
          .contains("2001:db8:66::66");
      assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).isEqualTo(1);
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

  @Test
  void feedRemovedFromTheConfig_itsEntriesLeaveTheKernelAtRestart_notAdoptedAsBans()
      throws Exception {
    // the bug: the start's reconcile took a removed feed's elements (kept by the kernel until
    // their 2h timeout) for bans nobody remembered and adopted them as bans of the jail
    HttpServer http = honeypotList();
    ServerProcess server = null;
    List<String> log = new ArrayList<>();
    try (Netns net = new Netns()) {
      net.startEcho();
      configure(net, http);
      server =
          new ServerProcess(
              List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"));
      server.start();
      net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
      // a ban of the jail's own on an address the feed lists too: it must outlive the feed
      String both = "2001:db8:66::66";
      server.cli("ban", "asterisk", both);
      server.stop();
      // the admin removes the feed and restarts
      String conf = Files.readString(dir.resolve("conf/portcullis.conf"));
      Files.writeString(
          dir.resolve("conf/portcullis.conf"), conf.substring(0, conf.indexOf("[feed-honeypot]")));
      server.start();
      String table = net.inPbx("nft list table inet portcullis");
      assertThat(table)
          .as(
              () ->
                  "the removed feed's entries, gone from the kernel once the server answers;"
                      + " server.log:\n"
                      + readOrWhy(dir.resolve("server.log")))
          .doesNotContain(Netns.ATTACKER)
          .doesNotContain("203.0.113.128/25")
          .contains(both);
      assertThat(net.probe(Netns.ATTACKER, Netns.PBX)).as("answered again").isZero();
      String banned = server.cli("banned");
      assertThat(banned).doesNotContain(Netns.ATTACKER).contains(both);
      assertThat(Files.readString(dir.resolve("server.log")))
          .contains(
              "[feed honeypot] no longer feeds jail asterisk: the 4 entries it listed are removed")
          .doesNotContain("adopted as bans");
      assertThat(dir.resolve("feeds/honeypot.list"))
          .as("kept list deleted once settled")
          .doesNotExist();
      // a second restart has nothing left to remove
      server.stop();
      server.start();
      assertThat(server.cli("banned")).contains(both);
      assertThat(net.inPbx("nft list table inet portcullis")).contains(both);
    } finally {
      if (server != null) {
        server.close();
      }
      http.stop(0);
    }
  }

  /**
   * A honeypot list over HTTP on loopback: the attacker, the (ignored) phone, a v4 network, a v6
   * address.
   */
  private static HttpServer honeypotList() throws java.io.IOException {
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
    return http;
  }

  /** The asterisk jail in the namespace's nftables, fed by the honeypot list (bantime 2h). */
  private void configure(Netns net, HttpServer http) throws java.io.IOException {
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
  }

  /** A file's text for a failure message, or why it cannot be read. */
  private static String readOrWhy(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }
}
