package io.portcullis.web;

/**
 * One endpoint: a method, a path template ({@code /api/v1/jails/{jail}}), whether it changes
 * anything (then it needs the token), and what answers it.
 */
record Route(String method, String template, Access access, Handler handler) {
  /** Whether a route only reads, or changes the server (and needs the token). */
  enum Access {
    READ,
    WRITE
  }

  /** Answers a request. */
  @FunctionalInterface
  interface Handler {
    Answer handle(Call call) throws Exception;
  }

  static Route read(String method, String template, Handler handler) {
    return new Route(method, template, Access.READ, handler);
  }

  static Route write(String method, String template, Handler handler) {
    return new Route(method, template, Access.WRITE, handler);
  }
}
