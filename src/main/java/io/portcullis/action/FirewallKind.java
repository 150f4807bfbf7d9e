package io.portcullis.action;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Which kernel firewall bans go to ({@code firewall[backend=...]}). */
public enum FirewallKind {
  NFTABLES,
  IPSET;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<FirewallKind> of(String name) {
    return Arrays.stream(values())
        .filter(k -> k.configName().equals(name.strip().toLowerCase(Locale.ROOT)))
        .findFirst();
  }
}
