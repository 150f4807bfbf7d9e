package io.portcullis.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * fail2ban's {@code backend}: how a jail gets its lines. {@code auto} follows the log files
 * (inotify, else polling) and, like fail2ban 1.1.1, follows the journal instead when none of the
 * files exists and the filter says what to match there ({@code journalmatch}).
 */
public enum Backend {
  AUTO,
  PYINOTIFY,
  POLLING,
  SYSTEMD;

  /** The name as written in a config ({@code systemd}). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Backend> of(String name) {
    return Arrays.stream(values())
        .filter(b -> b.configName().equals(name.strip().toLowerCase(Locale.ROOT)))
        .findFirst();
  }
}
