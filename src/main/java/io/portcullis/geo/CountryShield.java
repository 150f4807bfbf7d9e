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
