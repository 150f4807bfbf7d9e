package io.portcullis.detection;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the generated cases per filter, so the test run can print them (README quotes them). Call
 * {@link #count} once per generated case and print {@link #report} after a container.
 */
public final class CaseCounter {
  private static final Map<String, AtomicLong> COUNTS = new TreeMap<>();

  private CaseCounter() {}

  public static synchronized void count(String filter) {
    COUNTS.computeIfAbsent(filter, k -> new AtomicLong()).incrementAndGet();
  }

  public static synchronized long get(String filter) {
    AtomicLong n = COUNTS.get(filter);
    return n == null ? 0 : n.get();
  }

  /** "detection: asterisk: 123456 generated cases". */
  public static synchronized String report(String filter) {
    return "detection: " + filter + ": " + get(filter) + " generated cases";
  }
}
