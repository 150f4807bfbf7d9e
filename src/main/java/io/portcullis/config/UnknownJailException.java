package io.portcullis.config;

import java.util.List;

/** A jail name that no section of the config has. */
public final class UnknownJailException extends ConfigException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> known;

  public UnknownJailException(String jail, String where, List<String> known) {
    super("no jail '" + jail + "' in " + where + " (jails: " + String.join(", ", known) + ")");
    this.known = List.copyOf(known);
  }

  /** The jails the config does have. */
  public List<String> known() {
    return known;
  }
}
