package io.portcullis.ban;

import java.util.ArrayList;
import java.util.List;

/**
 * The log lines behind a failure (or a successful login), where they came from and what matched
 * them: kept in the store so that a ban can be explained after the log has rotated.
 *
 * @param file the log file, or null when the lines came from the journal
 * @param filter the filter's name
 * @param regex the failregex (or successregex) that matched, as the filter writes it
 * @param lines the lines, as the log holds them (text written by the client: show it as text)
 */
public record Evidence(String file, String filter, String regex, List<String> lines) {
  /** At most this many lines per failure (a multi-line failure of a chatty filter). */
  public static final int MAX_LINES = 20;

  /** A line is cut after this many characters (an attacker chooses how long a line is). */
  public static final int MAX_LINE = 2_000;

  public Evidence {
    if (filter == null || regex == null) {
      throw new IllegalArgumentException("evidence needs its filter and regex");
    }
    lines = List.copyOf(lines);
  }

  /**
   * Evidence within the bounds: the last {@link #MAX_LINES} lines, each cut to {@link #MAX_LINE}.
   */
  public static Evidence bounded(String file, String filter, String regex, List<String> lines) {
    List<String> kept = new ArrayList<>(Math.min(lines.size(), MAX_LINES));
    for (String l : lines.subList(Math.max(0, lines.size() - MAX_LINES), lines.size())) {
      kept.add(l.length() > MAX_LINE ? l.substring(0, MAX_LINE) + "…" : l);
    }
    return new Evidence(file, filter, regex, kept);
  }
}
