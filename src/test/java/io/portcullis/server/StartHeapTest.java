package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartHeapTest {
  private static final HotSpotDiagnosticMXBean VM =
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

  private static String flag(String name) {
    return VM.getVMOption(name).getValue();
  }

  @Test
  void bigStore_widensTheHeapsGrowthUntilClosed_thenTheLaunchersPolicyIsBack(@TempDir Path dir)
      throws Exception {
    Path db = dir.resolve("db.sqlite3");
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(StartHeap.BIG_STORE);
    }
    widensUntilClosed(log -> StartHeap.widen(db, log));
  }

  @Test
  void bigStore_growsTheHeapForWhatTheStartBuilds(@TempDir Path dir) throws Exception {
    // the heap grew only at full collections as it filled: three of them before ready (restart10)
    Path db = dir.resolve("db.sqlite3");
    long size = 128L << 20;
    try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
      f.setLength(size);
    }
    java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long max = memory.getHeapMemoryUsage().getMax();
    long target = size * StartHeap.HEAP_PER_STORE_BYTE;
    try (StartHeap heap = StartHeap.widen(db, m -> {})) {
      assertThat(heap.widened()).isTrue();
      assertThat(memory.getHeapMemoryUsage().getCommitted())
          .isGreaterThanOrEqualTo(Math.min(target, max / 10 * 9) / 10 * 9);
      assertThat(Integer.parseInt(flag("MinHeapFreeRatio"))).isEqualTo(60);
    }
  }

  /** The heap widened while what {@code open} makes is open, the launcher's policy back after. */
  private static void widensUntilClosed(Function<Consumer<String>, StartHeap> open) {
    String min = flag("MinHeapFreeRatio");
    String max = flag("MaxHeapFreeRatio");
    List<String> said = new ArrayList<>();
    try (StartHeap heap = open.apply(said::add)) {
      assertThat(heap.widened()).isTrue();
      assertThat(Integer.parseInt(flag("MinHeapFreeRatio"))).isEqualTo(60);
      assertThat(Integer.parseInt(flag("MaxHeapFreeRatio"))).isGreaterThanOrEqualTo(80);
    }
    assertThat(flag("MinHeapFreeRatio")).isEqualTo(min);
    assertThat(flag("MaxHeapFreeRatio")).isEqualTo(max);
    assertThat(said).isEmpty();
  }

  @Test
  void smallOrMissingStore_leavesTheHeapAlone(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("db.sqlite3");
    Files.write(db, new byte[4096]);
    String min = flag("MinHeapFreeRatio");
    try (StartHeap heap = StartHeap.widen(db, m -> {})) {
      assertThat(heap.widened()).isFalse();
      assertThat(flag("MinHeapFreeRatio")).isEqualTo(min);
    }
    try (StartHeap heap = StartHeap.widen(dir.resolve("none"), m -> {})) {
      assertThat(heap.widened()).isFalse();
    }
    try (StartHeap heap = StartHeap.widen(null, m -> {})) {
      assertThat(heap.widened()).isFalse();
    }
  }

  @Test
  void bigBanByCommand_widensTheHeapsGrowthWhileItRuns_aSmallOneDoesNot() {
    String min = flag("MinHeapFreeRatio");
    List<String> said = new ArrayList<>();
    try (StartHeap heap = StartHeap.forBans(StartHeap.BIG_BURST - 1, said::add)) {
      assertThat(heap.widened()).isFalse();
      assertThat(flag("MinHeapFreeRatio")).isEqualTo(min);
    }
    assertThat(said).isEmpty();
    widensUntilClosed(log -> StartHeap.forBans(10_000, log));
  }
}
