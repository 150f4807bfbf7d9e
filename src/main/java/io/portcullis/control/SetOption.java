package io.portcullis.control;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What {@code set JAIL OPTION VALUE} changes, and which {@link GetOption} shows the result. */
public enum SetOption {
  ADDIGNOREIP(GetOption.IGNOREIP),
  DELIGNOREIP(GetOption.IGNOREIP),
  ADDALLOW(GetOption.ALLOWED),
  DELALLOW(GetOption.ALLOWED),
  BANTIME(GetOption.BANTIME),
  FINDTIME(GetOption.FINDTIME),
  MAXRETRY(GetOption.MAXRETRY);

  /** What {@code set} answers with: the option's new value. */
  public final GetOption shows;

  SetOption(GetOption shows) {
    this.shows = shows;
  }

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SetOption> of(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(o -> o.word().equals(w)).findFirst();
  }

  public static String words() {
    return String.join(", ", Arrays.stream(values()).map(SetOption::word).toList());
  }
}
