package io.portcullis.filter;

import io.portcullis.regex.MatchBudget;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How far into a text a regex can get before it must fail: for explaining a missed line. */
final class Progress {
  private Progress() {}

  /**
   * The length of the longest prefix of the text that the regex can still match or extend: the
   * first character after it is where the regex stops.
   */
  static int reached(Pattern pattern, String text, MatchBudget budget) {
    int reached = 0;
    for (int k = 0; k <= text.length(); k++) {
      Matcher m = pattern.matcher(budget.reset(text));
      m.region(0, k);
      m.useAnchoringBounds(false);
      m.useTransparentBounds(false);
      try {
        if (m.find() || m.hitEnd()) {
          reached = k;
        }
      } catch (MatchBudget.BudgetExceededException e) {
        break;
      }
    }
    return reached;
  }

  /** The text with a caret under the character where matching stopped. */
  static List<String> show(String text, int at) {
    String line = text.replace('\t', ' ');
    return List.of("  " + line, "  " + " ".repeat(Math.min(at, line.length())) + "^");
  }
}
