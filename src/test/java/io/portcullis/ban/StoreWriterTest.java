package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Await;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreWriterTest {
  @TempDir Path dir;

  private static BanDecision ban(String ip) {
    return new BanDecision(
        "asterisk",
        ip,
        IpAddress.parse(ip),
        Instant.parse("2026-11-29T10:00:00Z"),
        Duration.ofHours(1),
        1,
        5,
        List.of());
  }

  /**
   * Three bans written as one divisible write (as a ban command's chunk is); the middle one fails.
   */
  private static StoreWriter.Divisible threeBansTheMiddleOneFailing() {
    List<StoreWriter.Write> parts =
        List.of(
            s -> s.addBan(ban("192.0.2.1")),
            s -> {
              throw new SQLException("a fault of this write alone");
            },
            s -> s.addBan(ban("192.0.2.3")));
    return new StoreWriter.Divisible() {
      @Override
      public void run(BanStore s) throws SQLException {
        for (StoreWriter.Write w : parts) {
          w.run(s);
        }
      }

      @Override
      public List<StoreWriter.Write> parts() {
        return parts;
      }
    };
  }

  @Test
  void divisibleWrite_failingForAReasonOfItsOwn_dropsOnlyThePartAtFault() throws Exception {
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    List<String> notices = Collections.synchronizedList(new ArrayList<>());
    try (BanStore store = BanStore.open(dir.resolve("p.sqlite3"))) {
      StoreWriter writer = new StoreWriter(store, errors::add, notices::add, List.of(), null);
      try {
        CompletableFuture<Void> f = writer.write(threeBansTheMiddleOneFailing());
        // the whole write fails at once: its caller is told the store did not take it
        assertThat(f)
            .failsWithin(Duration.ofSeconds(10))
            .withThrowableOfType(ExecutionException.class);
        // the retry (once a second) finds the part at fault and writes the others
        Await.until(
            "the kept write handled", Duration.ofSeconds(15), () -> writer.status().kept() == 0);
        List<BanDecision> stored = writer.call(BanStore::bans).get();
        assertThat(stored).extracting(BanDecision::fid).containsExactly("192.0.2.1", "192.0.2.3");
        assertThat(errors)
            .anyMatch(e -> e.contains("failed and is dropped") && e.contains("alone"));
        assertThat(errors).filteredOn(e -> e.contains("failed and is dropped")).hasSize(1);
        assertThat(notices).anyMatch(n -> n.contains("2 kept write(s) written, 1 dropped"));
      } finally {
        writer.close();
      }
    }
  }

  @Test
  void plainWrite_failingForAReasonOfItsOwn_isDroppedWhole_theOthersWritten() throws Exception {
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    try (BanStore store = BanStore.open(dir.resolve("p.sqlite3"))) {
      StoreWriter writer = new StoreWriter(store, errors::add);
      try {
        StoreWriter.Divisible three = threeBansTheMiddleOneFailing();
        CompletableFuture<Void> f = writer.write(three::run); // the same work, not divisible
        assertThat(f)
            .failsWithin(Duration.ofSeconds(10))
            .withThrowableOfType(ExecutionException.class);
        writer.write(s -> s.addBan(ban("192.0.2.4")));
        Await.until(
            "the kept writes handled", Duration.ofSeconds(15), () -> writer.status().kept() == 0);
        assertThat(writer.call(BanStore::bans).get())
            .extracting(BanDecision::fid)
            .containsExactly("192.0.2.4");
        assertThat(errors).filteredOn(e -> e.contains("failed and is dropped")).hasSize(1);
      } finally {
        writer.close();
      }
    }
  }
}
