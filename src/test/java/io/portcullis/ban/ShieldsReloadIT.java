package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.AsteriskLines;
import io.portcullis.testing.Await;
import io.portcullis.testing.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jail's shields changed in its config take effect at {@code reload}, without a restart: the
 * kernel's rate-limit rule carries the new rate (and only it), and network bans follow the new
 * {@code netban4} (issue #15: a changed ratelimit or netban on reload was untested).
 */
class ShieldsReloadIT {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private static String failure(String ip) {
    return AsteriskLines.wrongPassword("1", "x", ip) + "\n";
  }

  private static String shields(String ratelimit, String netban4) {
    return "port = 5060\nprotocol = udp\nmaxretry = 1\nratelimit = "
        + ratelimit
        + "\nnetban4 = "
        + netban4
        + "\n";
  }

  @Test
  void changedRatelimitAndNetban_takeEffectAtReload() throws Exception {
    try (FirewalledServer s = new FirewalledServer(dir, "", shields("20/10s drop", "off"))) {
      s.process.start();
      String chain = "ip netns exec " + s.ns + " nft list chain inet portcullis prerouting";
      Await.until(
          "the first rate limit in the kernel",
          LIMIT,
          Await.quietly(
              () -> Shell.sh(chain).contains("limit rate over 2/second burst 20 packets")));

      // the config changed: a faster limit and IPv4 networks banned after 2 of their addresses
      Path jail = dir.resolve("conf/jail.conf");
      Files.writeString(
          jail,
          Files.readString(jail)
              .replace(shields("20/10s drop", "off"), shields("60/10s drop", "24:2")));
      String[] r = s.cli("reload");
      assertThat(r[0]).as("reload: %s %s", r[1], r[2]).isEqualTo("0");
      Await.until(
          "the new rate limit in the kernel",
          LIMIT,
          Await.quietly(
              () -> Shell.sh(chain).contains("limit rate over 6/second burst 60 packets")));
      assertThat(Shell.sh(chain)).doesNotContain("burst 20 packets");

      // two addresses of one /24 fail: with the new netban4 the whole /24 is banned
      Path log = dir.resolve("messages");
      Files.writeString(
          log,
          failure("198.51.100.7") + failure("198.51.100.9"),
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      Await.until(
          "the /24 banned",
          LIMIT,
          Await.quietly(() -> s.kernel().contains("198.51.100.0/24")),
          () -> {
            try {
              return "kernel: " + s.kernel() + "; log: " + s.log();
            } catch (Exception e) {
              return e.toString();
            }
          });
      assertThat(s.banned()).contains("198.51.100.0/24");
    }
  }
}
