package io.portcullis.config;

import java.util.List;

/**
 * A filter.d definition after reading, interpolation and tag substitution: the regex texts still in
 * fail2ban's Python syntax with {@code <HOST>}-style tags, each with where it was written.
 *
 * @param jsonline how a JSON log line reads as text (a template of {@code {/json/pointer}} fields),
 *     or null when the filter reads JSON lines as they are
 */
public record FilterDefinition(
    String name,
    Located prefregex,
    List<Located> failregex,
    List<Located> ignoreregex,
    List<Located> successregex,
    Integer maxlines,
    Located datepattern,
    List<String> journalmatch,
    String logtimezone,
    Located jsonline) {

  /** A value with the file:line and option it came from, for error messages. */
  public record Located(String text, Origin origin, String option) {
    public String where() {
      return origin == Origin.NONE || origin == null ? option : origin + ": " + option;
    }
  }

  /** A definition without {@code jsonline}: JSON lines are read as they are. */
  public FilterDefinition(
      String name,
      Located prefregex,
      List<Located> failregex,
      List<Located> ignoreregex,
      List<Located> successregex,
      Integer maxlines,
      Located datepattern,
      List<String> journalmatch,
      String logtimezone) {
    this(
        name,
        prefregex,
        failregex,
        ignoreregex,
        successregex,
        maxlines,
        datepattern,
        journalmatch,
        logtimezone,
        null);
  }

  public FilterDefinition {
    failregex = List.copyOf(failregex);
    ignoreregex = List.copyOf(ignoreregex);
    successregex = List.copyOf(successregex);
    journalmatch = List.copyOf(journalmatch);
  }
}
