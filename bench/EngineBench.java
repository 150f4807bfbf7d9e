import io.portcullis.config.FilterReader;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterSpec;
import io.portcullis.source.LineScanner;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;

/**
 * The filter engine alone: a log held in memory, split into lines, passed over or matched, for
 * several iterations after warm-up. Run it pinned to one core (bench/regex.sh does).
 *   java -cp target/portcullis.jar bench/EngineBench.java CONFIG_DIR FILTER LOG [ITERATIONS]
 * -Dscan.pairs=true picks the server's byte-pair scan (run it with -XX:TieredStopAtLevel=1 as the
 * server does).
 */
public class EngineBench {
  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[0]);
    String filterName = args[1];
    byte[] log = Files.readAllBytes(Path.of(args[2]));
    int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    FilterSpec spec = FilterSpec.of(FilterReader.read(config, filterName, Map.of()), true);
    // -Dscan.pairs=true: the byte-pair scan the server runs (with -XX:TieredStopAtLevel=1, its C1)
    Filter.scanByBytePairs(Boolean.getBoolean("scan.pairs"));
    DateContext ctx = new DateContext(ZoneOffset.UTC, Instant.ofEpochSecond(1717200000L));
    double[] rates = new double[iterations];
    double[] cpuRates = new double[iterations];
    double[] cpuGcRates = new double[iterations];
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    long lines = 0;
    long failures = 0;
    long handed = 0;
    long[] allocated = new long[iterations];
    for (int it = 0; it < iterations; it++) {
      Filter f = Filter.builder(spec).build();
      long[] counts = new long[2];
      long start = System.nanoTime();
      long cpuStart = cpu.getCurrentThreadCpuTime();
      long gcStart = gcMillis();
      long allocStart = allocatedBytes();
      LineScanner.scanBlocks(
          new ByteArrayInputStream(log),
          (buf, s, e) ->
              counts[0] +=
                  f.candidates(
                      buf,
                      s,
                      e,
                      (index, ls, le) ->
                          counts[1] += f.process(new String(buf, ls, le - ls, StandardCharsets.UTF_8), ctx).matches().size()));
      allocated[it] = allocatedBytes() - allocStart;
      lines = counts[0];
      // the lines the scan handed out (the loop above is kept as it was, so the row is comparable)
      handed = lines - f.skippedLines();
      double secs = (System.nanoTime() - start) / 1e9;
      double cpuSecs = (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      double gcSecs = (gcMillis() - gcStart) / 1e3;
      rates[it] = lines / secs;
      cpuRates[it] = lines / cpuSecs;
      cpuGcRates[it] = lines / (cpuSecs + gcSecs);
      failures = counts[1];
      System.out.printf(
          "  iteration %d: %.3f s, %,.0f lines/s (CPU %.3f s, %,.0f lines/s; with GC %.3f s, %,.0f"
              + " lines/s)%n",
          it + 1, secs, rates[it], cpuSecs, cpuRates[it], cpuSecs + gcSecs, cpuGcRates[it]);
    }
    // the same runs without the handed lines' processing: what the scan (reading the blocks,
    // passing over lines) costs alone, and by difference what a handed line costs. Lets a session
    // see which half moved; the CPU time of the thread, so it depends little on the load
    double[] scanCpu = new double[Math.max(1, iterations / 2)];
    long[] scanAllocated = new long[scanCpu.length];
    for (int it = 0; it < scanCpu.length; it++) {
      Filter f = Filter.builder(spec).build();
      long[] counts = new long[1];
      long cpuStart = cpu.getCurrentThreadCpuTime();
      long allocStart = allocatedBytes();
      LineScanner.scanBlocks(
          new ByteArrayInputStream(log),
          (buf, s, e) -> counts[0] += f.candidates(buf, s, e, (index, ls, le) -> {}));
      scanCpu[it] = (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      scanAllocated[it] = allocatedBytes() - allocStart;
    }
    double[] fullCpu = new double[iterations];
    for (int it = 0; it < iterations; it++) {
      fullCpu[it] = lines / cpuRates[it];
    }
    double scanSecs = median(Arrays.copyOfRange(scanCpu, Math.min(1, scanCpu.length - 1), scanCpu.length));
    double fullSecs = median(Arrays.copyOfRange(fullCpu, Math.min(2, iterations - 1), iterations));
    System.out.printf(
        "  split (CPU of the thread, medians): the scan alone %.3f s (%,.0f lines/s); the %,d"
            + " handed lines %.3f s, %.2f us each; allocated per run %,d MB (scan alone %,d MB)%n",
        scanSecs,
        lines / scanSecs,
        handed,
        fullSecs - scanSecs,
        (fullSecs - scanSecs) * 1e6 / Math.max(1, handed),
        allocated[iterations - 1] >> 20,
        scanAllocated[scanAllocated.length - 1] >> 20);
    double[] steady = Arrays.copyOfRange(rates, Math.min(2, iterations - 1), iterations);
    double[] steadyCpu = Arrays.copyOfRange(cpuRates, Math.min(2, iterations - 1), iterations);
    double[] steadyCpuGc =
        Arrays.copyOfRange(cpuGcRates, Math.min(2, iterations - 1), iterations);
    Arrays.sort(steady);
    Arrays.sort(steadyCpu);
    Arrays.sort(steadyCpuGc);
    // on a shared machine the thread's CPU time is the steadier figure: it leaves out the time
    // the thread waited for the core. The collector's pauses (SerialGC: run by the VM thread, not
    // this one) are added in the last figure: the garbage the engine makes is its cost too
    System.out.printf(
        "engine %s: %,d lines, %,d failures; median after warm-up %,.0f lines/s"
            + " (per CPU second of the thread %,.0f lines/s; with the GC pauses %,.0f lines/s)%n",
        filterName,
        lines,
        failures,
        steady[steady.length / 2],
        steadyCpu[steadyCpu.length / 2],
        steadyCpuGc[steadyCpuGc.length / 2]);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  /** Bytes this thread has allocated so far (-1 when the JVM does not say). */
  private static long allocatedBytes() {
    java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
    return t instanceof com.sun.management.ThreadMXBean s
        ? s.getThreadAllocatedBytes(Thread.currentThread().getId())
        : -1;
  }

  /** Milliseconds the collectors have spent so far (pauses: with SerialGC on one core, CPU). */
  private static long gcMillis() {
    long ms = 0;
    for (java.lang.management.GarbageCollectorMXBean gc :
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
  }
}
