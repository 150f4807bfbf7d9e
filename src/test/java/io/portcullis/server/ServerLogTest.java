package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerLogTest {
  /** A clock whose instant the test sets. */
  private static final class SetClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>();
    private final ZoneId zone;

    SetClock(ZoneId zone) {
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId z) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  // the time of a line is formatted once per second now: each line must still carry its own
  // milliseconds and its own second, in the clock's zone
  @Test
  void lines_carryTheirOwnSecondAndMilliseconds_inTheClocksZone(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("server.log");
    SetClock clock = new SetClock(ZoneId.of("Europe/Paris"));
    clock.now.set(Instant.parse("2024-05-01T10:00:01.007Z"));
    ServerLog log = new ServerLog(file.toString(), "INFO", clock);
    log.notice("[asterisk] Ban 203.0.113.7");
    clock.now.set(Instant.parse("2024-05-01T10:00:01.999Z"));
    log.info("second");
    clock.now.set(Instant.parse("2024-05-01T10:00:02.040Z"));
    log.warning("third");
    clock.now.set(Instant.parse("2024-12-31T23:59:59.500Z"));
    log.error("fourth");
    log.close(Duration.ofSeconds(5));
    long pid = ProcessHandle.current().pid();
    assertThat(Files.readAllLines(file))
        .containsExactly(
            "2024-05-01 12:00:01,007 portcullis[" + pid + "]: NOTICE [asterisk] Ban 203.0.113.7",
            "2024-05-01 12:00:01,999 portcullis[" + pid + "]: INFO second",
            "2024-05-01 12:00:02,040 portcullis[" + pid + "]: WARNING third",
            "2025-01-01 00:59:59,500 portcullis[" + pid + "]: ERROR fourth");
  }
}
