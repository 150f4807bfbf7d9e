package io.portcullis.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.Origin;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A fleet whose Redis is not there at start: it says so, and the jails' calls never throw. */
class FleetUnreachableIT {
  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static final FleetTarget NOTHING =
      new FleetTarget() {
        @Override
        public Applied ban(FleetEvent e) {
          return Applied.NO_SUCH_JAIL;
        }

        @Override
        public boolean unban(String jail, IpAddress ip) {
          return false;
        }

        @Override
        public List<BanKey> remoteBans() {
          return List.of();
        }
      };

  @Test
  void redisDownAtStart_isLogged_andPublishingProblemsNeverReachTheJail() throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    FleetSettings s =
        new FleetSettings(
            URI.create("redis://127.0.0.1:" + closedPort() + "/0"),
            "pbx-1",
            Set.of(),
            Set.of(),
            "portcullis",
            1_000,
            100,
            Origin.NONE);
    Fleet f =
        Fleet.start(
            s, NOTHING, Clock.systemUTC(), new Fleet.Log(m -> {}, warnings::add, errors::add));
    try {
      // regression: with Redis down at start nothing was logged (the error started non-null)
      Await.until(
          "the publisher's and the follower's warning",
          Duration.ofSeconds(15),
          () ->
              warnings.stream().anyMatch(w -> w.contains("cannot publish to redis://127.0.0.1"))
                  && warnings.stream().anyMatch(w -> w.contains("lost redis://127.0.0.1")));
      assertThat(f.status().connected()).isFalse();
      Instant t = Instant.now();
      // regression: a publish error escaped to the jail's thread; a ban ending as it starts
      // has nothing to share and must not throw either
      f.banned("asterisk", IpAddress.parse("192.0.2.5"), t, t, "5 failures");
      f.banned("not a jail name!", IpAddress.parse("192.0.2.6"), t, t.plusSeconds(60), "x");
      f.unbanned("not a jail name!", IpAddress.parse("192.0.2.6"));
      assertThat(f.status().queued()).isZero();
      assertThat(errors).anyMatch(e -> e.contains("the ban of 192.0.2.6 not published"));
      assertThat(errors).anyMatch(e -> e.contains("the unban of 192.0.2.6 not published"));
      f.banned("asterisk", IpAddress.parse("192.0.2.7"), t, t.plusSeconds(60), "5 failures");
      assertThat(f.status().queued()).isEqualTo(1);
    } finally {
      f.stop(Duration.ofMillis(100));
    }
  }

  @Test
  void unexpectedErrorWhileFollowing_backsOff_insteadOfSpinning(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    int port = closedPort();
    Process redis =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    List<String> errors = new CopyOnWriteArrayList<>();
    FleetTarget failing =
        new FleetTarget() {
          @Override
          public Applied ban(FleetEvent e) {
            return Applied.NO_SUCH_JAIL;
          }

          @Override
          public boolean unban(String jail, IpAddress ip) {
            return false;
          }

          @Override
          public List<BanKey> remoteBans() {
            throw new IllegalStateException("the jails are being replaced");
          }
        };
    Fleet f = null;
    try {
      Await.until(
          "redis-server to listen",
          Duration.ofSeconds(20),
          Await.quietly(
              () -> {
                try (java.net.Socket so = new java.net.Socket("127.0.0.1", port)) {
                  return true;
                }
              }));
      FleetSettings s =
          new FleetSettings(
              URI.create("redis://127.0.0.1:" + port + "/0"),
              "pbx-2",
              Set.of(),
              Set.of(),
              "portcullis",
              1_000,
              100,
              Origin.NONE);
      f = Fleet.start(s, failing, Clock.systemUTC(), new Fleet.Log(m -> {}, m -> {}, errors::add));
      // regression: the follower caught the error and looped at once on a half-set-up connection,
      // thousands of errors a second
      Await.until("three failed catch-ups", Duration.ofSeconds(20), () -> errors.size() >= 3);
      assertThat(errors.size()).isLessThan(10);
      assertThat(errors).allMatch(e -> e.contains("the jails are being replaced"));
      assertThat(errors.get(errors.size() - 1)).contains("retrying in");
    } finally {
      if (f != null) {
        f.stop(Duration.ofMillis(100));
      }
      redis.destroy();
      redis.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
