package io.portcullis.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes: every wait in the tests is bounded. */
public final class Await {
  private Await() {}

  public static void until(String what, Duration limit, BooleanSupplier ok)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * As {@link #until(String, Duration, BooleanSupplier)}, and a timeout also says what {@code
   * state} last read (e.g. how many of the lines were counted), so a slow run and a loss differ.
   */
  public static void until(
      String what, Duration limit, BooleanSupplier ok, java.util.function.Supplier<?> state)
      throws InterruptedException {
    try {
      until(what, limit, ok);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " (last seen: " + state.get() + ")", e);
    }
  }

  /** A check that may throw: an exception counts as "not yet". */
  public interface Check {
    boolean holds() throws Exception;
  }

  public static BooleanSupplier quietly(Check check) {
    return () -> {
      try {
        return check.holds();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (Exception e) {
        return false;
      }
    };
  }
}
