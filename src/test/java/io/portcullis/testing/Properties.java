package io.portcullis.testing;

import java.util.SplittableRandom;

/**
 * Runs a property: draws a value from a {@link Gen} for each try and checks it, on JUnit alone.
 *
 * <p>Each property has a fixed seed (the hash of its name), so CI draws the same values every run.
 * {@code -Dportcullis.seed=N} draws others (every property of the run uses N); a failure names the
 * property, the seed, the try and the value, and {@code -Dportcullis.seed=N -Dportcullis.try=K}
 * runs that one try again. Try K's random source is the K-th long of a {@link SplittableRandom}
 * seeded with the seed, so one try is replayed without drawing the ones before it.
 *
 * <p>The first {@link #EDGE_TRIES} tries draw edge values ({@link Gen.Draw#edges()}: bounds of
 * ranges, empty and longest strings and lists); they are part of the tries, not added to them.
 */
public final class Properties {
  /** How many of the first tries take edge values. */
  public static final int EDGE_TRIES = 10;

  /** Longest value shown in a failure; the seed and try replay the whole value. */
  private static final int SHOWN = 2_000;

  private Properties() {}

  /** A check of one value; may throw (an AssertionError or any exception fails the try). */
  @FunctionalInterface
  public interface Property<T> {
    void check(T value) throws Exception;
  }

  /**
   * Checks {@code property} for {@code tries} values of {@code gen}.
   *
   * @param name the property's name (Class.method), shown on failure; its hash is the default seed
   * @throws AssertionError naming the property, seed, try and value of the first failing try
   */
  public static <T> void check(String name, int tries, Gen<T> gen, Property<? super T> property) {
    long seed = seed(name);
    int only = Integer.getInteger("portcullis.try", 0);
    SplittableRandom master = new SplittableRandom(seed);
    for (int t = 1; t <= tries; t++) {
      long trySeed = master.nextLong();
      if (only != 0 && t != only) {
        continue;
      }
      boolean edges = t <= EDGE_TRIES;
      T value = null;
      try {
        value = gen.next(new Gen.Draw(new SplittableRandom(trySeed), edges));
        property.check(value);
      } catch (Exception | AssertionError | StackOverflowError e) {
        throw new AssertionError(
            "property "
                + name
                + " failed at try "
                + t
                + " of "
                + tries
                + (edges ? " (an edge-value try)" : "")
                + ", seed "
                + seed
                + "\n  replay: -Dportcullis.seed="
                + seed
                + " -Dportcullis.try="
                + t
                + "\n  value: "
                + shown(value)
                + "\n  "
                + e,
            e);
      }
    }
  }

  /** The seed of a property: -Dportcullis.seed, else the hash of its name. */
  public static long seed(String name) {
    String s = System.getProperty("portcullis.seed");
    if (s != null && !s.isBlank()) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "-Dportcullis.seed=" + s + ": not a number (a long, e.g. -Dportcullis.seed=42)", e);
      }
    }
    return name.hashCode();
  }

  private static String shown(Object value) {
    if (value == null) {
      return "(not drawn: the generator failed)";
    }
    String s = String.valueOf(value);
    if (s.length() <= SHOWN) {
      return s;
    }
    return s.substring(0, SHOWN / 2)
        + " ... ("
        + (s.length() - SHOWN)
        + " characters left out) ... "
        + s.substring(s.length() - SHOWN / 2);
  }
}
