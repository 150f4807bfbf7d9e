package io.portcullis.regex;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import io.portcullis.testing.Tally;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * What {@link RegexFacts} claims of a regex holds for every match the compiled regex finds: random
 * regexes of literals, classes, groups, alternatives, repeats, look-arounds, back-references and
 * conditionals, searched in texts built from their own pieces and noise.
 */
class RegexFactsPropertiesTest {
  @Test
  void factsHold_forEveryMatchFound() {
    String name = "RegexFactsPropertiesTest.factsHold_forEveryMatchFound";
    Tally tally = new Tally(name);
    Properties.check(name, 3000, cases(), c -> check(c, tally));
    System.out.println(tally.report());
    // not vacuous: many regexes that need words are found in their texts
    assertThat(tally.percent("outcome", "matched, needs words"))
        .as(tally.report())
        .isGreaterThan(10);
  }

  private static void check(Case c, Tally tally) {
    tally.tried();
    PythonRegex compiled;
    try {
      compiled = PythonRegex.compile(c.regex(), false);
    } catch (RegexSyntaxException e) {
      tally.add("outcome", "does not compile, -");
      return;
    }
    RegexFacts facts = RegexFacts.of(c.regex());
    Matcher m = compiled.pattern().matcher(c.text());
    int found = 0;
    while (m.find() && found < 20) {
      found++;
      String match = m.group();
      assertThat(facts.need().test(match::contains))
          .as("need %s of %s in match '%s'", facts.need(), c.regex(), match)
          .isTrue();
      if (match.isEmpty()) {
        assertThat(facts.nullable()).as("nullable: %s", c.regex()).isTrue();
      } else {
        int first = match.codePointAt(0);
        int last = match.codePointBefore(match.length());
        assertThat(RegexFacts.isWord(first) ? facts.mayStartWord() : facts.mayStartNonWord())
            .as("first character of '%s' for %s", match, c.regex())
            .isTrue();
        assertThat(RegexFacts.isWord(last) ? facts.mayEndWord() : facts.mayEndNonWord())
            .as("last character of '%s' for %s", match, c.regex())
            .isTrue();
      }
      if (m.end() == m.start()) {
        if (m.end() >= c.text().length()) {
          break;
        }
        m.region(m.end() + 1, c.text().length());
      }
    }
    String matched = found > 0 ? "matched" : "no match";
    String claims = facts.need().equals(Need.ANY) ? "claims nothing" : "needs words";
    tally.add("outcome", matched + ", " + claims);
  }

  /** A regex and a text built from its pieces. */
  record Case(String regex, String text) {}

  /** Cases drawn from a seed (edge tries: the seeds Long.MIN_VALUE and Long.MAX_VALUE). */
  static Gen<Case> cases() {
    return Gen.longs()
        .map(
            seed -> {
              java.util.Random rnd = new java.util.Random(seed);
              StringBuilder regex = new StringBuilder();
              StringBuilder sample = new StringBuilder();
              alternation(rnd, 2, regex, sample);
              String noise = noise(rnd);
              int cut = rnd.nextInt(noise.length() + 1);
              return new Case(
                  regex.toString(), noise.substring(0, cut) + sample + noise.substring(cut));
            });
  }

  private static String noise(java.util.Random rnd) {
    StringBuilder out = new StringBuilder();
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.append(NOISE.get(rnd.nextInt(NOISE.size())));
    }
    return out.toString();
  }

  private static final List<String> NOISE =
      List.of("abc", "x", "-", " ", "1", "Q", "é", ":", "_", "ab", "\n", "XYZ");

  /**
   * Appends a random regex to {@code regex} and to {@code sample} a text it (nearly always)
   * matches: look-arounds, anchors and back-references may make the sample miss.
   */
  private static void alternation(
      java.util.Random rnd, int depth, StringBuilder regex, StringBuilder sample) {
    int options = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(2) : 1;
    int chosen = rnd.nextInt(options);
    for (int i = 0; i < options; i++) {
      if (i > 0) {
        regex.append('|');
      }
      StringBuilder s = new StringBuilder();
      sequence(rnd, depth, regex, s);
      if (i == chosen) {
        sample.append(s);
      }
    }
  }

  private static void sequence(
      java.util.Random rnd, int depth, StringBuilder regex, StringBuilder sample) {
    int items = 1 + rnd.nextInt(6);
    for (int i = 0; i < items; i++) {
      item(rnd, depth, regex, sample);
    }
  }

  private static void item(
      java.util.Random rnd, int depth, StringBuilder regex, StringBuilder sample) {
    int kind = rnd.nextInt(14);
    StringBuilder r = new StringBuilder();
    java.util.function.Supplier<String> one;
    boolean quantifiable = true;
    if (kind < 7) {
      String l = LITERALS.get(rnd.nextInt(LITERALS.size()));
      r.append(escape(l));
      one = () -> l;
      if (l.length() > 1) {
        r.insert(0, "(?:").append(')');
      }
    } else if (kind < 10) {
      int c = rnd.nextInt(CLASSES.size());
      r.append(CLASSES.get(c));
      String[] members = CLASS_MEMBERS.get(c);
      one = () -> members[rnd.nextInt(members.length)];
    } else if (kind < 13 && depth > 0) {
      StringBuilder inner = new StringBuilder();
      StringBuilder innerSample = new StringBuilder();
      alternation(rnd, depth - 1, inner, innerSample);
      String shape = GROUPS.get(rnd.nextInt(GROUPS.size()));
      r.append(String.format(shape, inner));
      boolean zeroWidth = shape.startsWith("(?=") || shape.startsWith("(?!");
      quantifiable = !zeroWidth;
      String text = zeroWidth ? "" : innerSample.toString();
      one = () -> text;
    } else {
      r.append(ZERO_WIDTH.get(rnd.nextInt(ZERO_WIDTH.size())));
      quantifiable = false;
      one = () -> "";
    }
    int min = 1;
    int max = 1;
    if (quantifiable && rnd.nextInt(3) == 0) {
      String q = QUANTIFIERS.get(rnd.nextInt(QUANTIFIERS.size()));
      r.append(q);
      min = QUANTIFIER_MIN.get(q);
      max = Math.min(QUANTIFIER_MAX.get(q), min + 2);
    }
    regex.append(r);
    int times = min + rnd.nextInt(max - min + 1);
    for (int k = 0; k < times; k++) {
      sample.append(one.get());
    }
  }

  private static String escape(String literal) {
    StringBuilder out = new StringBuilder();
    for (char c : literal.toCharArray()) {
      if (".-[]()*+?{}|^$\\".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static final List<String> LITERALS =
      List.of("abc", "XYZ", "a_1", "abcabc", "ab", "c", "X", "_", "1", "é", "ab-c", "a.b", " ");
  private static final List<String> CLASSES =
      List.of(
          "\\d", "\\w", "\\s", "\\W", "\\S", "\\D", ".", "[ab]", "[^a]", "[a-c_]", "[-:]", "[.]",
          "[a-c ]", "[\\d-]", "[b]", "[\\]x]", "\\-", "\\x41", "\\t");
  private static final List<String[]> CLASS_MEMBERS =
      List.of(
          new String[] {"0", "7"},
          new String[] {"a", "_", "é", "5"},
          new String[] {" ", "\t"},
          new String[] {"-", " ", ":"},
          new String[] {"a", "-", "é"},
          new String[] {"a", "-", " "},
          new String[] {"a", "-", " ", "é"},
          new String[] {"a", "b"},
          new String[] {"b", "-", " "},
          new String[] {"a", "c", "_"},
          new String[] {"-", ":"},
          new String[] {"."},
          new String[] {"a", " "},
          new String[] {"3", "-"},
          new String[] {"b"},
          new String[] {"]", "x"},
          new String[] {"-"},
          new String[] {"A"},
          new String[] {"\t"});
  private static final List<String> GROUPS =
      List.of("(?:%s)", "(%s)", "(?P<g>%s)", "(?=%s)", "(?!%s)", "(?i:%s)", "(?>%s)");
  private static final List<String> ZERO_WIDTH =
      List.of("^", "$", "\\b", "\\B", "(?<=c)", "(?<!b)", "\\A", "\\Z");
  private static final List<String> QUANTIFIERS =
      List.of("?", "*", "+", "{2}", "{1,3}", "*?", "+?", "{0,1}", "{,2}", "{0}");
  private static final java.util.Map<String, Integer> QUANTIFIER_MIN =
      java.util.Map.of(
          "?", 0, "*", 0, "+", 1, "{2}", 2, "{1,3}", 1, "*?", 0, "+?", 1, "{0,1}", 0, "{,2}", 0,
          "{0}", 0);
  private static final java.util.Map<String, Integer> QUANTIFIER_MAX =
      java.util.Map.of(
          "?", 1, "*", 9, "+", 9, "{2}", 2, "{1,3}", 3, "*?", 9, "+?", 9, "{0,1}", 1, "{,2}", 2,
          "{0}", 0);
}
