package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.geo.CountryDatabaseIT;
import io.portcullis.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Country rules through the whole server as a real process, its firewall in a network namespace:
 * the countrydb timer ({@code countrydbcheck = 1s} here) swaps the kernel's country sets when the
 * file changes, without a reload; and a reload that names another countrydb (or countrydbcheck)
 * moves the watch, and what why and banned show, to it.
 */
class CountryServerNetnsIT {
  @TempDir Path dir;

  private final List<String> log = new ArrayList<>();

  /** A database written beside, then moved over {@code file} (as a download tool does). */
  private Path database(Path file, String... networks) throws Exception {
    Path next = CountryDatabaseIT.write(dir.resolve("next.mmdb"), networks);
    return Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
  }

  private void settings(Netns net, Path countrydb) throws Exception {
    settings(net, countrydb, "1s");
  }

  private void settings(Netns net, Path countrydb, String check) throws Exception {
    Files.writeString(
        dir.resolve("conf/portcullis.conf"),
        ServerProcess.settings(dir)
            + "netns = "
            + net.pbx
            + "\ncountrydb = "
            + countrydb
            + "\ncountrydbcheck = "
            + check
            + "\n");
  }

  private ServerProcess start(Netns net, Path countrydb) throws Exception {
    return start(net, countrydb, "1s");
  }

  private ServerProcess start(Netns net, Path countrydb, String check) throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
    Path messages = Files.createFile(dir.resolve("messages"));
    settings(net, countrydb, check);
    Files.writeString(
        dir.resolve("conf/jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + messages
            + "\nport = 5060\nprotocol = udp,tcp\ncountries = deny CN\nignoreself = false\n"
            + "action = firewall[backend=nftables]\n");
    ServerProcess server =
        new ServerProcess(
            List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"));
    server.start();
    return server;
  }

  @Test
  void changedDatabaseFile_swapsTheKernelSets_onTheTimer_withoutAReload() throws Exception {
    Path db = database(dir.resolve("GeoLite2-Country.mmdb"), "203.0.113.0/24=CN");
    try (Netns net = new Netns()) {
      net.startEcho();
      ServerProcess server = start(net, db);
      try {
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        assertThat(net.probe(Netns.ATTACKER6, Netns.PBX6)).as("not CN yet").isZero();
        // the new file: the attacker's IPv4 network is DE now, its IPv6 one CN
        database(db, "203.0.113.0/24=DE", "2001:db8:66::/48=CN");
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        net.awaitProbe(Netns.ATTACKER6, Netns.PBX6, 1, log);
        assertThat(Files.readString(dir.resolve("server.log")))
            .contains("swapped in from the changed " + db);
        server.stop();
      } finally {
        server.close();
      }
    }
  }

  @Test
  void countrydbChangedAtReload_isTheFileTheWatchFollows() throws Exception {
    Path first = database(dir.resolve("first.mmdb"), "203.0.113.0/24=CN");
    Path second = database(dir.resolve("second.mmdb"), "2001:db8:66::/48=CN");
    try (Netns net = new Netns()) {
      net.startEcho();
      // regression: countrydbcheck was read at start only; the start's 1h would never look again
      ServerProcess server = start(net, first, "1h");
      try {
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        assertThat(server.cli("why", "203.0.113.7")).contains("is in country CN");
        settings(net, second, "1s");
        assertThat(server.cli("reload")).doesNotContain("rror");
        // regression: why and banned kept the countrydb of the start after a reload changed it
        assertThat(server.cli("why", "203.0.113.7")).doesNotContain("country");
        assertThat(server.cli("why", "2001:db8:66::9")).contains("is in country CN");
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 0, log);
        net.awaitProbe(Netns.ATTACKER6, Netns.PBX6, 1, log);
        // regression: the watch kept the countrydb of the start; a change of the new file counts
        database(second, "203.0.113.0/24=CN");
        net.awaitProbe(Netns.ATTACKER, Netns.PBX, 1, log);
        net.awaitProbe(Netns.ATTACKER6, Netns.PBX6, 0, log);
        server.stop();
      } finally {
        server.close();
      }
    }
  }
}
