package io.portcullis.config;

import java.util.List;

/** A configuration problem a person can fix: says where, which option, and what is wrong. */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Origin origin;
  private final String detail;

  public ConfigException(Origin origin, String message) {
    super(origin == null || origin == Origin.NONE ? message : origin + ": " + message);
    this.origin = origin;
    this.detail = message;
  }

  public ConfigException(String message) {
    this(Origin.NONE, message);
  }

  public Origin origin() {
    return origin;
  }

  /** The message without where it was written. */
  public String detail() {
    return detail;
  }

  /** Several problems found in one pass; the message lists them all, one per line. */
  public static ConfigException of(List<ConfigException> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    StringBuilder text = new StringBuilder();
    for (ConfigException p : problems) {
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(p.getMessage());
    }
    return new ConfigException(text.toString());
  }
}
