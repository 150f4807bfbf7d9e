package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrackedMemoryWarningTest {
  private static final long M = 1024 * 1024;

  @Test
  void trackedMemoryWarning_countsTheGuardsShare_onTopOfEachCap() {
    // regression: the start check summed maxtrackedmemory only, although trust and accounts keep
    // up to half as much again per jail (pairing a quarter, accounts and user names an eighth each)
    assertThat(JailSet.trackedMemoryWarning(List.of(32 * M, 32 * M), 256 * M)).isNull();
    String w = JailSet.trackedMemoryWarning(List.of(32 * M, 32 * M, 32 * M), 256 * M);
    assertThat(w).contains("144").contains("half as much again").contains("-Xmx512m");
    // 96M of caps alone is under half of 256M: only the guards' share brings it over
    assertThat(3 * 32 * M).isLessThanOrEqualTo(256 * M / 2);
  }

  @Test
  void trackedMemoryWarning_noJails_noWarning() {
    assertThat(JailSet.trackedMemoryWarning(List.of(), 64 * M)).isNull();
  }
}
