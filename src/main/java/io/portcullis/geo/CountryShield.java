package io.portcullis.geo;

import java.nio.file.Path;
import java.util.List;

/**
 * A jail's country rule with the networks it stands for, as read from the database at one moment:
 * what the firewall puts in the jail's country sets ({@code deny}: the networks dropped; {@code
 * allow}: the only networks let in).
 *
 * @param database the file the networks came from, or null when the rule is off
 */
public record CountryShield(CountryRule rule, Path database, List<Cidr> v4, List<Cidr> v6) {
  /** No country rule. */
  public static final CountryShield OFF =
      new CountryShield(CountryRule.OFF, null, List.of(), List.of());

  public CountryShield {
    v4 = List.copyOf(v4);
    v6 = List.copyOf(v6);
  }

  /** The rule's networks in {@code database}. */
  public static CountryShield of(CountryRule rule, CountryDatabase database) {
    if (rule.isOff()) {
      return OFF;
    }
    return new CountryShield(
        rule,
        database.file(),
        database.networks(rule.codes(), true),
        database.networks(rule.codes(), false));
  }

  /** Above this many networks (both families) {@code check} and the start log say the cost. */
  public static final int COSTLY = 50_000;

  /**
   * What loading a large rule costs, for {@code check} and the start log, or null when the rule is
   * small. The rate is bench/countrydb.sh's (a GeoLite2-sized database, nft 1.0.6, 2 shared cores:
   * 181,359 networks of {@code deny US} loaded in 1 to 2.8 s, a swap 1 to 1.5 s).
   */
  public String cost() {
    int total = v4.size() + v6.size();
    if (isOff() || total <= COSTLY) {
      return null;
    }
    return String.format(
        java.util.Locale.ROOT,
        "countries %s: %,d IPv4 networks (%d prefix lengths, a set each) and %,d IPv6 (%d);"
            + " expect about %d s to load them at start, at a reload and when countrydb changes"
            + " (one masked lookup per length on the jail's ports; bans are not slowed)",
        rule,
        v4.size(),
        lengths(v4),
        v6.size(),
        lengths(v6),
        Math.max(1, Math.round(total / 60_000.0)));
  }

  private static long lengths(List<Cidr> networks) {
    return networks.stream().mapToInt(Cidr::prefix).distinct().count();
  }

  public boolean isOff() {
    return rule.isOff();
  }

  /** One family's networks. */
  public List<Cidr> networks(boolean ipv4) {
    return ipv4 ? v4 : v6;
  }

  @Override
  public String toString() {
    return isOff() ? "off" : rule + " (" + v4.size() + " IPv4 and " + v6.size() + " IPv6 networks)";
  }
}
