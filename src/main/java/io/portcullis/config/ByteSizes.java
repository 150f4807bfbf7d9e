package io.portcullis.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Amounts of memory: {@code 32M}, {@code 512K}, {@code 1G} (powers of 1024; {@code MB}, {@code MiB}
 * read the same), or a plain number of bytes.
 */
public final class ByteSizes {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,12})\\s*(?:([kmg])(?:i?b)?|b)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  /**
   * @throws IllegalArgumentException with a message saying what would be valid
   */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size (try 32M, 512K, 1G)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    int shift =
        switch (unit) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          default -> 0;
        };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return n << shift;
  }

  /** A size as a person reads it: {@code 32M}, {@code 1.5G}, {@code 700K}, {@code 12 bytes}. */
  public static String format(long bytes) {
    String[] units = {"G", "M", "K"};
    int[] shifts = {30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      if (bytes >= 1L << shifts[i]) {
        double v = (double) bytes / (1L << shifts[i]);
        return (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v))
            + units[i];
      }
    }
    return bytes + " bytes";
  }
}
