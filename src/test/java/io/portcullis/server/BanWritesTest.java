package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.ban.AddressEvent;
import io.portcullis.ban.BanStore;
import io.portcullis.ban.StoreWriter;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BanWritesTest {
  @TempDir Path dir;

  /** The writes that cannot be divided further, in order. */
  private static void leaves(StoreWriter.Write w, List<StoreWriter.Write> out) {
    List<StoreWriter.Write> parts =
        w instanceof StoreWriter.Divisible d ? d.parts() : List.<StoreWriter.Write>of();
    if (parts.size() < 2) {
      out.add(w);
      return;
    }
    for (StoreWriter.Write p : parts) {
      leaves(p, out);
    }
  }

  @Test
  void halvedDownToOneBanEach_theLeavesWriteWhatTheWholeChunkWrites() throws Exception {
    Instant t = Instant.parse("2026-11-29T10:00:00Z");
    BanWrites chunk = new BanWrites();
    for (int i = 0; i < 13; i++) {
      String ip = "198.51.100." + (i + 1);
      BanDecision b =
          new BanDecision(
              "asterisk",
              ip,
              IpAddress.parse(ip),
              t.plusSeconds(i),
              Duration.ofHours(1),
              1,
              0,
              List.of());
      chunk.add(b, new AddressEvent.Ban(b.time(), b.jail(), b.fid(), b.ip(), b.bantime(), 1, 0));
    }
    List<StoreWriter.Write> leaves = new ArrayList<>();
    leaves(chunk, leaves);
    assertThat(leaves).hasSize(13);

    List<List<String>> stored = new ArrayList<>();
    for (String name : List.of("whole.sqlite3", "leaves.sqlite3")) {
      try (BanStore store = BanStore.open(dir.resolve(name))) {
        for (StoreWriter.Write w : name.startsWith("whole") ? List.of(chunk) : leaves) {
          w.run(store);
        }
        stored.add(store.bans().stream().map(b -> b.fid() + "@" + b.time()).toList());
      }
    }
    assertThat(stored.get(0)).hasSize(13);
    assertThat(stored.get(1)).isEqualTo(stored.get(0));
  }
}
