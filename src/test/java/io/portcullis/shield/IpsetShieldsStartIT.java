package io.portcullis.shield;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.geo.CountryDatabaseIT;
import io.portcullis.server.Server;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15's acceptance, "the ipset/iptables backend either supports them or says clearly at start
 * that it does not": a server whose jail asks for a rate limit, a country rule and network bans of
 * the ipset backend (its firewall in a network namespace) says at start, for each, that it is not
 * applied or how it differs, and still starts.
 */
class IpsetShieldsStartIT {
  @TempDir Path dir;

  @Test
  void ipsetBackend_withRatelimitCountriesAndNetban_saysAtStartWhatItDoesNotApply()
      throws Exception {
    String ns = "pc-ipss-" + ProcessHandle.current().pid();
    Server server = null;
    try {
      Shell.sh("ip netns add " + ns);
      Shell.sh("ip -n " + ns + " link set lo up");
      Path db = CountryDatabaseIT.write(dir.resolve("c.mmdb"), "203.0.113.0/24=CN");
      Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
      Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
      Path log = Files.createFile(dir.resolve("messages"));
      Files.writeString(
          dir.resolve("conf/portcullis.conf"),
          ServerProcess.settings(dir) + "netns = " + ns + "\ncountrydb = " + db + "\n");
      Files.writeString(
          dir.resolve("conf/jail.conf"),
          "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
              + log
              + "\nport = 5060\nprotocol = udp\nratelimit = 50/10s drop\ncountries = deny CN\n"
              + "netban6 = 64:5 48:3\nignoreself = false\naction = firewall[backend=ipset]\n");
      server = Server.start(dir.resolve("conf"), Clock.systemUTC(), null);
      // the log file is written out within 100 ms (ServerLog's flusher): the ready line is the
      // start's last, so once it is there the warnings before it are too
      io.portcullis.testing.Await.until(
          "the server ready with its jail",
          java.time.Duration.ofSeconds(15),
          io.portcullis.testing.Await.quietly(
              () ->
                  Files.readString(dir.resolve("server.log"))
                      .contains("Server ready: 1 jail(s) running")));
      String said = Files.readString(dir.resolve("server.log"));
      assertThat(said)
          .contains("ratelimit: the ipset backend does not support rate limits")
          .contains("'50/10s drop' is not applied")
          .contains("countries: the ipset backend does not support country rules")
          .contains("'deny CN' is not")
          .contains("netban: the ipset backend drops a banned network whole");
      // regression: the rate-limit and country warnings were logged twice, by the plan and the jail
      assertThat(said.split("is not applied", -1)).as("each shield said once").hasSize(3);
    } finally {
      if (server != null) {
        server.close();
      }
      try {
        Shell.sh("ip netns del " + ns);
      } catch (IOException e) {
        // best effort: the name carries the PID
      }
    }
  }
}
