package io.portcullis.regex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.portcullis.regex.MatchBudget.BudgetExceededException;
import java.util.regex.Matcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fuzzes the Python-to-Java regex translator: any regex either compiles or is refused with a {@link
 * RegexSyntaxException}; a compiled one searches any text within its step budget, and its group map
 * answers for every group it names. Kept inputs:
 * src/test/resources/io/portcullis/regex/PythonRegexFuzzTestInputs.
 */
class PythonRegexFuzzTest {
  // regression (found by this fuzz test): a group reference without its ')' threw
  // StringIndexOutOfBoundsException, a conditional on a group number past int NumberFormatException
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "(a)(?(1 | missing ), unterminated name",
        "(?P<x>a)(?P=x | missing ), unterminated name",
        "(a)(?(99999999999)b) | conditional refers to group '99999999999'",
        "(a)(?()b) | missing group name"
      })
  void compile_aMalformedGroupReference_isASyntaxError(String python, String message) {
    assertThatThrownBy(() -> PythonRegex.compile(python, false))
        .isInstanceOf(RegexSyntaxException.class)
        .hasMessageContaining(message);
  }

  @FuzzTest
  void anyRegex_compilesOrIsRefused_andSearchesWithinItsBudget(FuzzedDataProvider data) {
    boolean multiline = data.consumeBoolean();
    String python = data.consumeString(300);
    String text = data.consumeRemainingAsString();
    PythonRegex regex;
    try {
      regex = PythonRegex.compile(python, multiline);
    } catch (RegexSyntaxException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(regex.source()).isEqualTo(python);
    MatchBudget budget = new MatchBudget(200_000);
    Matcher m = regex.pattern().matcher(budget.reset(text));
    try {
      if (m.find()) {
        for (String name : regex.groupNames().keySet()) {
          String g = regex.group(m, name);
          if (g != null) {
            assertThat(text).contains(g);
          }
        }
        for (int i = 0; i <= regex.pythonGroupCount(); i++) {
          int j = regex.javaGroup(i);
          assertThat(j).isBetween(0, m.groupCount());
        }
      }
    } catch (BudgetExceededException e) {
      assertThat(budget.used()).isGreaterThanOrEqualTo(200_000);
    }
  }
}
