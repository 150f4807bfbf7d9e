package io.portcullis.config;

/** One raw option value as written (continuation lines joined by newlines), with its origin. */
public record IniValue(String raw, Origin origin) {
  public IniValue {
    if (raw == null) {
      throw new IllegalArgumentException("raw value must not be null");
    }
  }
}
