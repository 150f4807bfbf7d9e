package io.portcullis.regex;

/**
 * Bounds the work one regex search may do on one line. The text is wrapped so that every character
 * the regex engine reads is counted; past the limit the search is abandoned with {@link
 * BudgetExceededException}. Counting steps rather than reading the clock keeps the bound cheap and
 * deterministic: a line crafted to make a pattern backtrack costs at most {@code limit} reads.
 */
public final class MatchBudget implements CharSequence {
  /** About 5 to 20 ms of backtracking on one core; ordinary lines use a few thousand steps. */
  public static final long DEFAULT_LIMIT = 2_000_000L;

  private final long limit;
  private CharSequence text = "";
  private int length;
  private long used;

  public MatchBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    this.limit = limit;
  }

  /** Points the budget at a new text and refills it; returns this for use as the match input. */
  public MatchBudget reset(CharSequence newText) {
    this.text = newText;
    this.length = newText.length();
    this.used = 0;
    return this;
  }

  public long used() {
    return used;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public char charAt(int index) {
    if (++used > limit) {
      throw new BudgetExceededException(limit);
    }
    return text.charAt(index);
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return text.subSequence(start, end);
  }

  @Override
  public String toString() {
    return text.toString();
  }

  /** Thrown out of a regex search that used up its budget. */
  public static final class BudgetExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceededException(long limit) {
      super(
          "regex search gave up after " + limit + " steps (catastrophic backtracking?)",
          null,
          false,
          false);
    }
  }
}
