package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.Replies;
import io.portcullis.testing.Shell;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ban} answers honestly and refuses to shut out everything: a real server, its nftables
 * firewall in a namespace of the test's own.
 */
class BanCommandIT {
  @TempDir Path dir;

  @Test
  void ban_refusesNetworksThatCutEverything_unlessForced_andSaysWhenTheKernelDidNotTakeIt()
      throws Exception {
    try (FirewalledServer s =
        new FirewalledServer(dir, "", "ignoreip = 192.0.2.0/28 2001:db8:5::7\n")) {
      // an address of this host in the firewall's namespace
      Shell.sh("ip -n " + s.ns + " addr add 198.51.100.1/32 dev lo");
      s.process.start();

      // regression (issue #12): 'ban asterisk 0.0.0.0/0' was accepted and dropped all traffic
      for (String[] c :
          List.of(
              new String[] {"0.0.0.0/0", "every IPv4 address"},
              new String[] {"::/0", "every IPv6 address"},
              new String[] {"127.0.0.1", "loopback"},
              new String[] {"::1", "loopback"},
              new String[] {"198.51.100.0/24", "198.51.100.1, an address of this host"},
              new String[] {"192.0.2.5", "192.0.2.0/28, on the jail's ignore list"},
              new String[] {"2001:db8:5::/48", "2001:db8:5::7, on the jail's ignore list"})) {
        String[] r = s.cli("ban", FirewalledServer.JAIL, "203.0.113.5", c[0]);
        assertThat(r[0]).as(c[0]).isEqualTo("2");
        assertThat(r[2]).contains("refused, nothing banned").contains(c[1]).contains("--force");
      }
      // nothing of a refused command was banned, not even its harmless address
      assertThat(s.banned()).isEmpty();

      // a plain ban: answered once the store and the kernel have it
      String[] ok = s.cli("ban", FirewalledServer.JAIL, "203.0.113.5", "2001:db8:66::/64");
      assertThat(ok[0]).isEqualTo("0");
      assertThat(ok[1]).contains("banned 2 address(es)");
      assertThat(s.kernel()).contains("203.0.113.5", "2001:db8:66::/64");
      assertThat(s.stored()).contains("203.0.113.5", "2001:db8:66::/64");

      // a command of more bans than one store write takes (BanWrites.CHUNK): every ban in every
      // chunk is stored before the answer
      List<String> many = new java.util.ArrayList<>();
      for (int i = 0; i < 4_500; i++) {
        many.add(
            io.portcullis.net.IpAddress.parse("2001:db8:77:" + Integer.toHexString(i) + "::1")
                .toString());
      }
      Replies.BanResult flood = s.client.ban(FirewalledServer.JAIL, many, false);
      assertThat(flood.stored()).isEqualTo(4_500);
      assertThat(flood.complete()).isTrue();
      assertThat(s.stored()).containsAll(many);

      // --force bans what the admin insists on
      String[] forced = s.cli("ban", "--force", FirewalledServer.JAIL, "192.0.2.0/24");
      assertThat(forced[0]).isEqualTo("0");
      assertThat(s.kernel()).contains("192.0.2.0/24");

      // somebody flushes the ruleset: the next ban puts the sets back at once, with every ban
      Shell.sh("ip netns exec " + s.ns + " nft flush ruleset");
      Replies.BanResult again = s.client.ban(FirewalledServer.JAIL, List.of("203.0.113.6"), false);
      assertThat(again.complete()).isTrue();
      assertThat(s.kernel()).contains("203.0.113.5", "203.0.113.6", "192.0.2.0/24");

      // the firewall cannot apply at all (its namespace is gone, and with it the server's nft -i,
      // which kept the old one alive): the answer says so, exit 1
      Shell.sh("ip netns del " + s.ns);
      ProcessHandle.of(s.process.pid())
          .orElseThrow()
          .descendants()
          .filter(h -> h.info().command().map(c -> c.endsWith("/nft")).orElse(false))
          .forEach(ProcessHandle::destroyForcibly);
      String[] failed = s.cli("ban", FirewalledServer.JAIL, "203.0.113.7");
      assertThat(failed[0]).isEqualTo("1");
      assertThat(failed[1]).contains("banned 1 address(es)");
      assertThat(failed[2]).contains("action 'firewall' applied 0 of 1 (1 failed");
      Replies.BanResult json = s.client.ban(FirewalledServer.JAIL, List.of("203.0.113.8"), false);
      assertThat(json.stored()).isEqualTo(1);
      assertThat(json.actions())
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.keepsOut()).isTrue();
                assertThat(a.failed()).isEqualTo(1);
                assertThat(a.error()).isNotBlank();
              });
      // in force in Portcullis all the same, and in the store
      assertThat(s.banned()).contains("203.0.113.7", "203.0.113.8");
      Shell.sh("ip netns add " + s.ns);
      s.process.stop();
    }
  }
}
