package io.portcullis.config;

/**
 * Something in the configuration that is allowed but probably not what was meant (an option nobody
 * reads): reported by {@code check} and in the server's log, never a reason not to run.
 */
public record ConfigWarning(Origin origin, String message) {
  @Override
  public String toString() {
    return origin == null || origin == Origin.NONE ? message : origin + ": " + message;
  }
}
