package io.portcullis.detection;

import io.portcullis.filter.FilterMatch;
import io.portcullis.net.IpAddress;
import java.util.List;
import java.util.Objects;

/**
 * What a filter made of some lines: the failures that count and the successful logins, and the
 * checks a detection property makes of them. Failure messages quote the lines.
 */
public record Verdict(List<String> lines, List<FilterMatch> matches) {
  public Verdict {
    lines = List.copyOf(lines);
    matches = List.copyOf(matches);
  }

  /** The failures that count (the filter reports no others). */
  public List<FilterMatch> failures() {
    return matches.stream().filter(m -> m.kind() == FilterMatch.Kind.FAILURE).toList();
  }

  public List<FilterMatch> successes() {
    return matches.stream().filter(m -> m.kind() == FilterMatch.Kind.SUCCESS).toList();
  }

  /** Every failure and success names {@code source} or nothing: never a victim, never a name. */
  public Verdict takesOnly(IpAddress source) {
    for (FilterMatch m : matches) {
      if (m.ip() == null ? m.fid() != null : !m.ip().equals(source)) {
        throw fail(
            (m.kind() == FilterMatch.Kind.FAILURE ? "failure" : "success")
                + " blamed on "
                + (m.ip() == null ? "'" + m.fid() + "'" : m.ip())
                + " (regex "
                + m.regex()
                + "), real source "
                + source);
      }
    }
    return this;
  }

  /** At least one failure counts against {@code source}, and nothing against anyone else. */
  public Verdict failureFrom(IpAddress source) {
    takesOnly(source);
    if (failures().isEmpty()) {
      throw fail("no failure found; expected one from " + source);
    }
    return this;
  }

  /** A successful login from {@code source}, and nothing against anyone else. */
  public Verdict successFrom(IpAddress source) {
    takesOnly(source);
    if (successes().stream().noneMatch(m -> source.equals(m.ip()))) {
      throw fail("no successful login found; expected one from " + source);
    }
    return this;
  }

  /** Neither a failure nor a success: the line is not the client's doing. */
  public Verdict nothing() {
    if (!matches.isEmpty()) {
      FilterMatch m = matches.get(0);
      throw fail(
          "expected nothing, got a "
              + m.kind()
              + " of "
              + Objects.requireNonNullElse(m.ip(), m.fid())
              + " (regex "
              + m.regex()
              + ")");
    }
    return this;
  }

  /** The user the failures captured ({@code <F-USER>}), if any. */
  public List<String> users() {
    return matches.stream()
        .map(m -> m.groups().get("user"))
        .filter(Objects::nonNull)
        .distinct()
        .toList();
  }

  private AssertionError fail(String what) {
    StringBuilder s = new StringBuilder(what).append(" in:");
    for (String l : lines) {
      s.append("\n  ")
          .append(l.length() > 600 ? l.substring(0, 600) + "...(" + l.length() + ")" : l);
    }
    return new AssertionError(s.toString());
  }
}
