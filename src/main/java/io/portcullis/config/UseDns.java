package io.portcullis.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** fail2ban's {@code usedns}: whether a host name in a log line may stand for an address. */
public enum UseDns {
  YES,
  WARN,
  NO,
  RAW;

  /** Whether {@code <HOST>} accepts names as well as addresses. */
  public boolean namesAccepted() {
    return this != NO;
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<UseDns> of(String name) {
    return Arrays.stream(values())
        .filter(u -> u.configName().equals(name.strip().toLowerCase(Locale.ROOT)))
        .findFirst();
  }
}
