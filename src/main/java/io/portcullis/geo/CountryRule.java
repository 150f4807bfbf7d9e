package io.portcullis.geo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A jail's country rule: {@code countries = allow DE FR AT} drops the jail's ports for every source
 * outside those countries, {@code countries = deny CN RU} drops them for sources inside. Codes are
 * ISO 3166 alpha-2, case-insensitive.
 */
public record CountryRule(Mode mode, Set<String> codes) {
  /** Whether the listed countries are the only ones let in, or the ones kept out. */
  public enum Mode {
    ALLOW,
    DENY
  }

  /** No country rule. */
  public static final CountryRule OFF = new CountryRule(Mode.DENY, Set.of());

  private static final Set<String> KNOWN = known();

  public CountryRule {
    codes = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(codes));
  }

  public boolean isOff() {
    return codes.isEmpty();
  }

  /** True when an address of {@code country} (null: unknown) is let through by this rule. */
  public boolean admits(String country) {
    if (isOff()) {
      return true;
    }
    boolean listed = country != null && codes.contains(country);
    return mode == Mode.ALLOW ? listed : !listed;
  }

  /**
   * Parses {@code allow DE FR} or {@code deny CN}; empty or {@code off} is {@link #OFF}.
   *
   * @throws IllegalArgumentException saying what is wrong and what would be valid
   */
  public static CountryRule parse(String text) {
    String t = text.strip();
    if (t.isEmpty() || t.equalsIgnoreCase("off") || t.equalsIgnoreCase("no")) {
      return OFF;
    }
    List<String> words = new ArrayList<>(Arrays.asList(t.split("[,\\s]+")));
    String first = words.remove(0).toLowerCase(Locale.ROOT);
    Mode mode;
    switch (first) {
      case "allow" -> mode = Mode.ALLOW;
      case "deny" -> mode = Mode.DENY;
      default ->
          throw new IllegalArgumentException(
              "'"
                  + text.strip()
                  + "' does not start with allow or deny (try 'allow DE FR AT', 'deny CN', or"
                  + " off)");
    }
    Set<String> codes = new TreeSet<>();
    for (String w : words) {
      String c = w.toUpperCase(Locale.ROOT);
      if (c.equals("ALLOW") || c.equals("DENY")) {
        throw new IllegalArgumentException(
            "both allow and deny in '" + text.strip() + "': a jail has one list, allow or deny");
      }
      if (!KNOWN.contains(c)) {
        throw new IllegalArgumentException(
            "'" + w + "' is not an ISO 3166 alpha-2 country code (like DE, FR, US)");
      }
      codes.add(c);
    }
    if (codes.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + text.strip() + "' names no country (try '" + first + " DE FR')");
    }
    return new CountryRule(mode, codes);
  }

  private static Set<String> known() {
    Set<String> s = new HashSet<>(Arrays.asList(Locale.getISOCountries()));
    s.add("XK"); // Kosovo: user-assigned in ISO 3166, used by MaxMind and DB-IP
    return Set.copyOf(s);
  }

  @Override
  public String toString() {
    return isOff() ? "off" : mode.name().toLowerCase(Locale.ROOT) + " " + String.join(" ", codes);
  }
}
