package io.portcullis.filter;

import io.portcullis.config.FilterDefinition;
import java.util.List;

/**
 * What a filter is made of, as plain values: regex texts in fail2ban's Python syntax (with tags),
 * each with a label saying where it was written for error messages.
 *
 * @param datepattern null for the default date templates
 * @param maxlines lines kept for multi-line regexes (1 for single-line filters)
 * @param jsonline how a JSON log line reads as text (see {@link JsonLine}), or null
 */
public record FilterSpec(
    String name,
    Source prefregex,
    List<Source> failregex,
    List<Source> ignoreregex,
    List<Source> successregex,
    int maxlines,
    Source datepattern,
    boolean useDns,
    Source jsonline) {

  /** A spec without {@code jsonline}: JSON lines are read as they are. */
  public FilterSpec(
      String name,
      Source prefregex,
      List<Source> failregex,
      List<Source> ignoreregex,
      List<Source> successregex,
      int maxlines,
      Source datepattern,
      boolean useDns) {
    this(
        name, prefregex, failregex, ignoreregex, successregex, maxlines, datepattern, useDns, null);
  }

  /** One regex text and where it came from ("filter.d/asterisk.conf:23: failregex[2]"). */
  public record Source(String text, String where) {
    public Source {
      if (text == null) {
        throw new IllegalArgumentException("regex text is required");
      }
    }
  }

  /** The spec of a filter read from a filter.d definition. */
  public static FilterSpec of(FilterDefinition d, boolean useDns) {
    return new FilterSpec(
        d.name(),
        source(d.prefregex()),
        d.failregex().stream().map(FilterSpec::source).toList(),
        d.ignoreregex().stream().map(FilterSpec::source).toList(),
        d.successregex().stream().map(FilterSpec::source).toList(),
        d.maxlines() == null ? 1 : d.maxlines(),
        source(d.datepattern()),
        useDns,
        source(d.jsonline()));
  }

  private static Source source(FilterDefinition.Located l) {
    return l == null ? null : new Source(l.text(), l.where());
  }

  public FilterSpec {
    failregex = List.copyOf(failregex);
    ignoreregex = List.copyOf(ignoreregex);
    successregex = List.copyOf(successregex);
    if (maxlines < 1) {
      throw new IllegalArgumentException("maxlines must be at least 1: " + maxlines);
    }
  }
}
