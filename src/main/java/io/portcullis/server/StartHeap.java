package io.portcullis.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Lets the heap grow in a few large steps while a start reads and restores many stored bans, and
 * puts the launcher's growth policy back once the server is ready.
 *
 * <p>Design note: the launcher starts the server with an 8 MB heap that keeps 20-40% free after a
 * collection (an idle daemon's memory). A start that reads 100,000 bans builds about 80 MB that all
 * stays, so the heap grew by a fifth at a time: 15-18 full collections of the growing live set
 * during the start, 5-10 s of a 14 s restart on a loaded 2-core machine (-Xlog:gc). {@code
 * MinHeapFreeRatio} and {@code MaxHeapFreeRatio} are manageable flags: raised for the start they
 * make the heap grow to 2.5 times what is live at each full collection, so a few suffice. Only a
 * big store (its file size; a ban takes about 200 bytes on disk) widens the start, so an idle
 * daemon's heap stays as small as before.
 */
final class StartHeap implements AutoCloseable {
  /** A store file from this size (about 10,000 bans) widens the start. */
  static final long BIG_STORE = 2L << 20;

  /** A ban by command of this many addresses widens the heap's growth while it runs. */
  static final int BIG_BURST = 1_000;

  private static final String MIN = "MinHeapFreeRatio";
  private static final String MAX = "MaxHeapFreeRatio";
  private static final String START_MIN = "60";
  private static final String START_MAX = "80";

  private final HotSpotDiagnosticMXBean vm;
  private final String min;
  private final String max;
  private final Consumer<String> log;

  private StartHeap(HotSpotDiagnosticMXBean vm, String min, String max, Consumer<String> log) {
    this.vm = vm;
    this.min = min;
    this.max = max;
    this.log = log;
  }

  /**
   * Widens the heap's growth for this start when the store is big; returns what puts it back
   * (nothing to do when it was not widened). {@code log} hears why it could not be done.
   */
  static StartHeap widen(Path dbfile, Consumer<String> log) {
    long size;
    try {
      if (dbfile == null || !Files.isRegularFile(dbfile) || Files.size(dbfile) < BIG_STORE) {
        return unchanged(log);
      }
      size = Files.size(dbfile);
    } catch (IOException | RuntimeException e) {
      log.accept("heap growth for the start not widened: " + e);
      return unchanged(log);
    }
    StartHeap heap = widenNow(log);
    if (heap.widened()) {
      heap.growFor(size);
    }
    return heap;
  }

  /**
   * Heap for a start from a store of this many bytes (a restored ban keeps about 3.5 times its size
   * on disk live; the peak before ready is below that).
   */
  static final int HEAP_PER_STORE_BYTE = 5;

  /**
   * Grows the heap to hold what a start from a store of {@code storeBytes} builds before the store
   * is read, with two collections of the little that lives yet (10-30 ms). Growing as it fills took
   * three full collections of the growing live set (24, 92 and 201 ms; restart10's -Xlog:gc of a
   * restart with 100,000 bans): Serial only grows the old generation at a full collection, when an
   * allocation does not fit.
   */
  private void growFor(long storeBytes) {
    try {
      java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long max = memory.getHeapMemoryUsage().getMax();
      long target = storeBytes * HEAP_PER_STORE_BYTE;
      if (max > 0) {
        target = Math.min(target, max / 10 * 9);
      }
      if (memory.getHeapMemoryUsage().getCommitted() >= target) {
        return;
      }
      // what lives now, then the free share that makes that the target's size at the next one
      String widenedMax = vm.getVMOption(MAX).getValue();
      System.gc();
      long live = Math.max(1, memory.getHeapMemoryUsage().getUsed());
      // rounded so that the heap grows to the target or just below (live is 1-3 MB here: a
      // percent of free share is a megabyte or more of heap)
      long free = Math.min(99, Math.max(60, 100 - (live * 100 + target - 1) / target));
      vm.setVMOption(MAX, "99");
      vm.setVMOption(MIN, String.valueOf(free));
      System.gc();
      vm.setVMOption(MIN, START_MIN);
      vm.setVMOption(MAX, widenedMax);
    } catch (RuntimeException e) {
      log.accept("heap not grown for the start: " + e);
    }
  }

  /**
   * Widens the heap's growth while a ban by command of this many addresses runs, when it is big:
   * each ban stays, and what is in flight for it (its store write, its firewall change, the reply's
   * futures) outlives the small young generation, so the old one filled and a flood of 10,000 bans
   * ran 2-3 full collections of everything banned (0.25-0.45 s of the VM thread's CPU, -Xlog:gc).
   */
  static StartHeap forBans(int bans, Consumer<String> log) {
    return bans < BIG_BURST ? unchanged(log) : widenNow(log);
  }

  /** Nothing widened: closing it changes nothing. */
  private static StartHeap unchanged(Consumer<String> log) {
    return new StartHeap(null, null, null, log);
  }

  /**
   * Whether this JVM's JIT stops at C1 (the launcher's server line, {@code
   * -XX:TieredStopAtLevel=1}); false when it cannot be told.
   */
  static boolean c1Only() {
    try {
      HotSpotDiagnosticMXBean vm =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue())
          && Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) < 4;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static StartHeap widenNow(Consumer<String> log) {
    try {
      HotSpotDiagnosticMXBean vm =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      String min = vm.getVMOption(MIN).getValue();
      String max = vm.getVMOption(MAX).getValue();
      if (Integer.parseInt(min) >= Integer.parseInt(START_MIN)) {
        return unchanged(log); // already at least as wide
      }
      // Min <= Max at every step: the larger bound moves first
      vm.setVMOption(
          MAX, String.valueOf(Math.max(Integer.parseInt(max), Integer.parseInt(START_MAX))));
      vm.setVMOption(MIN, START_MIN);
      return new StartHeap(vm, min, max, log);
    } catch (RuntimeException e) {
      // only a faster start: the heap grows as the launcher says
      log.accept("heap growth not widened: " + e);
      return unchanged(log);
    }
  }

  /** Whether this start's heap growth was widened. */
  boolean widened() {
    return vm != null;
  }

  /** Puts the launcher's growth policy back (from the next collection on). */
  @Override
  public void close() {
    if (vm == null) {
      return;
    }
    try {
      vm.setVMOption(MIN, min);
      vm.setVMOption(MAX, max);
    } catch (RuntimeException e) {
      log.accept("heap growth not put back: " + e);
    }
  }
}
