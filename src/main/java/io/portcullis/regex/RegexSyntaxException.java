package io.portcullis.regex;

/** A regex that cannot be compiled; the message names the problem and shows the regex. */
public final class RegexSyntaxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String regex;
  private final String problem;

  public RegexSyntaxException(String regex, String problem) {
    super(problem + " in regex: " + regex);
    this.regex = regex;
    this.problem = problem;
  }

  public String regex() {
    return regex;
  }

  public String problem() {
    return problem;
  }
}
