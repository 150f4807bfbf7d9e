package io.portcullis.control;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What {@code get JAIL OPTION} reads. */
public enum GetOption {
  /** seconds, -1 for ever */
  BANTIME,
  /** seconds */
  FINDTIME,
  MAXRETRY,
  /** addresses and networks */
  IGNOREIP,
  /** {@link Replies.Allowed} entries */
  ALLOWED,
  /** the jail's log paths */
  LOGPATH,
  /** the names of the jail's actions */
  ACTIONS;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The option of a word ({@code allow} is an old name of {@code allowed}). */
  public static Optional<GetOption> of(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    if (w.equals("allow")) {
      return Optional.of(ALLOWED);
    }
    return Arrays.stream(values()).filter(o -> o.word().equals(w)).findFirst();
  }

  /** Whether the answer is a number (else a list). */
  public boolean numeric() {
    return this == BANTIME || this == FINDTIME || this == MAXRETRY;
  }

  public static String words() {
    return String.join(", ", Arrays.stream(values()).map(GetOption::word).toList());
  }
}
