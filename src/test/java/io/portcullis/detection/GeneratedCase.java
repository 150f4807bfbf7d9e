package io.portcullis.detection;

import io.portcullis.net.IpAddress;
import java.util.List;

/**
 * One generated case of a detection property: the lines a program wrote for one message in one log
 * style (one journal entry, or lines of a file), the transport source, and what the filter must
 * make of them.
 *
 * @param what the inventory row and log style, shown when the case fails
 * @param lines the log lines, in order (a journal case has exactly one)
 * @param journal whether {@code lines} is one journal entry (no date is read from it)
 * @param source the real transport source
 * @param expect what must come out
 */
public record GeneratedCase(
    String what, List<String> lines, boolean journal, IpAddress source, Expect expect) {

  /** What a filter must make of a case. */
  public enum Expect {
    /** A failure of the source, and nothing else. */
    FAILURE,
    /** A successful login of the source, and nothing else. */
    SUCCESS,
    /** Nothing at all: the line is not the client's failure or login. */
    NOTHING,
    /** The source or nothing (the client made the line ambiguous, or cut it): never a victim. */
    SOURCE_OR_NOTHING
  }

  public GeneratedCase {
    lines = List.copyOf(lines);
    if (journal && lines.size() != 1) {
      throw new IllegalArgumentException("a journal case is one entry");
    }
  }

  /** Runs the case through a filter and checks the outcome. */
  public Verdict check(ShippedFilter filter) {
    Verdict v = journal ? filter.readJournal(lines.get(0), ShippedFilter.NOW) : filter.read(lines);
    try {
      return switch (expect) {
        case FAILURE -> v.failureFrom(source);
        case SUCCESS -> v.successFrom(source);
        case NOTHING -> v.nothing();
        case SOURCE_OR_NOTHING -> v.takesOnly(source);
      };
    } catch (AssertionError e) {
      throw new AssertionError(filter.name() + ", " + what + ": " + e.getMessage(), e);
    }
  }
}
