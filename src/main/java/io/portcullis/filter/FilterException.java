package io.portcullis.filter;

/** A filter that cannot be built; the message names the option, where it was written and why. */
public final class FilterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FilterException(String message) {
    super(message);
  }
}
