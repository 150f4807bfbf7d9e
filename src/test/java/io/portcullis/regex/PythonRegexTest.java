package io.portcullis.regex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class PythonRegexTest {
  private static Matcher find(PythonRegex r, String text) {
    Matcher m = r.pattern().matcher(text);
    return m.find() ? m : null;
  }

  @Test
  void namedGroups_withUnderscores_areReadByTheirPythonName() {
    PythonRegex r = PythonRegex.compile("(?P<alt_user>\\w+)@(?P<_sep>[-/])", false);
    Matcher m = find(r, "bob@/");
    assertThat(r.group(m, "alt_user")).isEqualTo("bob");
    assertThat(r.group(m, "_sep")).isEqualTo("/");
  }

  @Test
  void javaGroup_ofAName_isTheGroupJavaNamed_pastNestedGroupsAndConditionalMarkers() {
    // groups are read by number since the named lookup was a cost on every matched line
    PythonRegex r =
        PythonRegex.compile(
            "^(?P<a>x(?P<b>y)?)(?(b)z|w)((?P<c>\\d)(?(a)-))(?P<d>(q)(?P<e>r)?)$", false);
    Matcher m = find(r, "xyz5-qr");
    assertThat(m).isNotNull();
    for (var e : r.groupNames().entrySet()) {
      assertThat(m.group(r.javaGroup(e.getKey()))).isEqualTo(m.group(e.getValue()));
      assertThat(r.group(m, e.getKey())).isEqualTo(m.group(e.getValue()));
    }
    assertThat(r.group(m, "e")).isEqualTo("r");
    assertThat(r.group(m, "c")).isEqualTo("5");
    assertThat(r.javaGroup("nope")).isEqualTo(-1);
    assertThat(r.group(m, "nope")).isNull();
  }

  @Test
  void numberedBackReference_toAGroupInsideAConditionsGroup_readsThatGroup() {
    // the marker of group 1 was numbered where group 1 opens, so \2 read the empty marker
    PythonRegex r = PythonRegex.compile("^(x(y))(?(1)z)\\2$", false);
    assertThat(find(r, "xyzy")).isNotNull();
    assertThat(find(r, "xyz")).isNull();
    assertThat(r.pattern().matcher("xyzy").results().count()).isEqualTo(1);
  }

  @Test
  void possessiveClassLoop_isAnAtomicGreedyLoop_thatStillGivesNothingBack() {
    // Java runs a greedy class loop in one tight loop, a possessive one a node call per character
    PythonRegex r = PythonRegex.compile("^[^'\\n]*+'(?P<x>\\d++)\\.*+x.++$", false);
    assertThat(r.pattern().pattern())
        .startsWith("^(?>[^'\\n]*)'")
        .contains("(?>" + PythonRegex.DIGIT + "+)")
        .contains("(?>\\.*)x(?>.+)$");
    assertThat(find(r, "ab'12..xyz")).isNotNull();
    assertThat(r.group(find(r, "ab'12..xyz"), "x")).isEqualTo("12");
    // possessive: the loops give back nothing, so these fail as in Python 3.11
    assertThat(find(PythonRegex.compile("^a*+a", false), "aaa")).isNull();
    assertThat(find(PythonRegex.compile("^[ab]++b", false), "abab")).isNull();
    assertThat(find(PythonRegex.compile("^\\d*+1", false), "111")).isNull();
    // other quantified atoms and the lazy and greedy forms are written as they were
    assertThat(PythonRegex.compile("(?:ab)*+c[x]+?y*z+", false).pattern().pattern())
        .isEqualTo("(?:ab)*+c[x]+?y*z+");
  }

  @Test
  void namedBackReference_matchesTheSameText() {
    PythonRegex r = PythonRegex.compile("^\\d+(?P<sep>[-/])\\d+(?P=sep)\\d+$", false);
    assertThat(find(r, "1-2-3")).isNotNull();
    assertThat(find(r, "1-2/3")).isNull();
  }

  @Test
  void conditional_takesYesBranch_whenGroupMatched_andNoBranchOtherwise() {
    PythonRegex r = PythonRegex.compile("^(?P<q>\")?\\w+(?(q)\"|;)$", false);
    assertThat(find(r, "\"abc\"")).isNotNull();
    assertThat(find(r, "abc;")).isNotNull();
    assertThat(find(r, "\"abc;")).isNull();
    assertThat(find(r, "abc\"")).isNull();
  }

  @Test
  void conditional_withoutNoBranch_matchesEmptyWhenGroupUnset() {
    PythonRegex r = PythonRegex.compile("^(<)?a(?(1)>)$", false);
    assertThat(find(r, "<a>")).isNotNull();
    assertThat(find(r, "a")).isNotNull();
    assertThat(find(r, "<a")).isNull();
  }

  @Test
  void numberedBackReference_isRenumbered_pastConditionalMarkers() {
    // group 1 gets a marker group in Java; \2 must still mean Python's group 2
    PythonRegex r = PythonRegex.compile("^(a)?(b)(?(1)c|d)\\2$", false);
    assertThat(find(r, "abcb")).isNotNull();
    assertThat(find(r, "bdb")).isNotNull();
    assertThat(find(r, "bdc")).isNull();
  }

  @Test
  void pythonOnlySyntax_isTranslated() {
    assertThat(find(PythonRegex.compile("a\\Z", false), "a\n")).isNull();
    assertThat(find(PythonRegex.compile("^x{,2}y$", false), "xxy")).isNotNull();
    assertThat(find(PythonRegex.compile("^a{b}$", false), "a{b}")).isNotNull();
    assertThat(find(PythonRegex.compile("^[[]x[]]$", false), "[x]")).isNotNull();
    assertThat(find(PythonRegex.compile("^[a&&b]+$", false), "a&&b")).isNotNull();
    assertThat(find(PythonRegex.compile("(?#note)^ok$", false), "ok")).isNotNull();
  }

  @Test
  void dollar_matchesBeforeAFinalNewline_asInPython() {
    assertThat(find(PythonRegex.compile("x$", false), "x\n")).isNotNull();
  }

  @Test
  void invalidRegex_isAnErrorThatNamesTheProblem() {
    assertThatThrownBy(() -> PythonRegex.compile("(abc", false))
        .isInstanceOf(RegexSyntaxException.class)
        .hasMessageContaining("(abc");
    assertThatThrownBy(() -> PythonRegex.compile("(?P<a>x)(?P<a>y)", false))
        .hasMessageContaining("redefinition of group name 'a'");
    assertThatThrownBy(() -> PythonRegex.compile("\\q", false)).hasMessageContaining("bad escape");
  }

  @Test
  void budget_stopsCatastrophicBacktracking() {
    // (a+)+$ is defused by Java's loop memoization; counted repetition of .* is not (seconds)
    PythonRegex r = PythonRegex.compile("^(.*a){15}$", false);
    MatchBudget budget = new MatchBudget(100_000);
    String evil = "a".repeat(28) + "!";
    assertThatThrownBy(() -> r.pattern().matcher(budget.reset(evil)).find())
        .isInstanceOf(MatchBudget.BudgetExceededException.class);
  }

  // the results below are Python 3's (PythonUnicodeClassesIT checks them all against python3)
  @Test
  void classes_areUnicodeAsInPython3_unlessAsciiIsAsked() {
    assertThat(find(PythonRegex.compile("^\\w+$", false), "Jürgen_２")).isNotNull();
    assertThat(find(PythonRegex.compile("^\\w+$", false), "e\u0301")).as("a mark").isNull();
    assertThat(find(PythonRegex.compile("^\\d+$", false), "\u0663\u0664")).isNotNull();
    assertThat(find(PythonRegex.compile("^\\s+$", false), "\u00a0\u001c\u3000")).isNotNull();
    assertThat(find(PythonRegex.compile("^(?a)\\w+$", false), "Jürgen")).isNull();
    assertThat(find(PythonRegex.compile("^(?a:\\w)\\w$", false), "aü")).isNotNull();
    assertThat(find(PythonRegex.compile("(?i)^échec$", false), "ÉCHEC")).isNotNull();
    assertThat(find(PythonRegex.compile("^[^\\W\\d]+$", false), "déf")).isNotNull();
    assertThat(find(PythonRegex.compile("^[^\\W\\d]+$", false), "d1")).isNull();
  }

  @Test
  void wordBoundary_isBetweenPythonsWordCharacters_alsoOutsideTheBmp() {
    Matcher m = find(PythonRegex.compile("\\bété\\b", false), "un été");
    assertThat(m).isNotNull();
    assertThat(find(PythonRegex.compile("\\bété\\b", false), "unété")).isNull();
    // U+1D400 is a letter: no boundary between it and x, one after it
    assertThat(find(PythonRegex.compile("x\\b", false), "x\uD835\uDC00")).isNull();
    Matcher after = find(PythonRegex.compile("\\w\\b", false), "x\uD835\uDC00 y");
    assertThat(after.group()).isEqualTo("\uD835\uDC00");
  }
}
