package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.FilterReader;
import io.portcullis.regex.MatchBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped asterisk filter reads a line it matches in a few steps a character: each recorded
 * Asterisk line a failregex or successregex matches costs that regex at most {@link #PER_CHAR}
 * budget steps per character of the message.
 */
class AsteriskFilterCostTest {
  /**
   * P1 and C1 took 8.5 and 5 steps a character when their lookaheads ran .* to the end and back.
   */
  static final int PER_CHAR = 4;

  private static final Pattern FILE_DATE = Pattern.compile("^\\[[^\\]]*\\] ");

  @Test
  void everyRecordedLineItMatches_costsAFewStepsACharacter() throws IOException {
    FilterSpec spec =
        FilterSpec.of(FilterReader.read(Path.of("config"), "asterisk", Map.of()), true);
    FilterRegex pre = new FilterRegex(spec.prefregex().text(), false, true);
    List<FilterRegex> regexes = new ArrayList<>();
    for (FilterSpec.Source s : spec.failregex()) {
      regexes.add(new FilterRegex(s.text(), false, true));
    }
    for (FilterSpec.Source s : spec.successregex()) {
      regexes.add(new FilterRegex(s.text(), false, true));
    }
    MatchBudget budget = new MatchBudget(MatchBudget.DEFAULT_LIMIT);
    List<String> tooDear = new ArrayList<>();
    int matched = 0;
    for (String line : Files.readAllLines(Path.of("src/test/resources/filters/logs/asterisk"))) {
      Matcher date = FILE_DATE.matcher(line);
      if (line.startsWith("#") || !date.find()) {
        continue;
      }
      Matcher pm = pre.search("[] " + line.substring(date.end()) + "\n", budget);
      if (pm == null) {
        continue;
      }
      String content = pre.groups(pm).get("content") + "\n";
      for (FilterRegex r : regexes) {
        if (r.search(content, budget) != null) {
          matched++;
          if (budget.used() > (long) PER_CHAR * content.length()) {
            tooDear.add(budget.used() + " steps for " + content.length() + " chars: " + content);
          }
          break;
        }
      }
    }
    assertThat(matched).as("recorded lines a regex matches").isGreaterThan(100);
    assertThat(tooDear).isEmpty();
  }
}
