package io.portcullis.testing;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts how often each label of a property's values came up, and prints the counts with their
 * share of the tries (what the generated values covered). Not thread-safe: one per property run.
 */
public final class Tally {
  private final String name;
  private final Map<String, Map<String, Integer>> counts = new TreeMap<>();
  private int total;

  /** A tally for the property {@code name}. */
  public Tally(String name) {
    this.name = name;
  }

  /** Counts one value of {@code label} (e.g. "filter", "asterisk"). */
  public void add(String label, String value) {
    counts.computeIfAbsent(label, k -> new TreeMap<>()).merge(value, 1, Integer::sum);
  }

  /** Counts one try; call once per try, the shares are of this number. */
  public void tried() {
    total++;
  }

  /** How many tries gave {@code value} for {@code label}. */
  public int count(String label, String value) {
    return counts.getOrDefault(label, Map.of()).getOrDefault(value, 0);
  }

  /** The share of tries, in percent, that gave {@code value} for {@code label}. */
  public double percent(String label, String value) {
    return total == 0 ? 0 : 100.0 * count(label, value) / total;
  }

  /** One line per label and value: count and share of the tries. */
  public String report() {
    StringBuilder out = new StringBuilder("[" + name + "] (" + total + " tries)\n");
    counts.forEach(
        (label, values) -> {
          out.append("  ").append(label).append(":\n");
          values.forEach(
              (v, n) ->
                  out.append(
                      String.format(
                          "    %-40s %6d (%.1f%%)%n", v, n, total == 0 ? 0.0 : 100.0 * n / total)));
        });
    return out.toString();
  }
}
