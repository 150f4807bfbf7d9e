package io.portcullis.regex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RegexFactsTest {
  private static Need need(String regex) {
    return RegexFacts.of(regex).need();
  }

  private static boolean holds(Need n, String text) {
    return n.test(text::contains);
  }

  @Test
  void need_ofALiteralRegex_isItsWholeWords() {
    Need n = need("^Registration from '.*' failed for '(?P<ip4>\\d+)'$");
    assertThat(n.words()).containsExactlyInAnyOrder("Registration", "from", "failed", "for");
    assertThat(holds(n, "Registration from 'x' failed for '1'")).isTrue();
    assertThat(holds(n, "Registration from 'x' ok for '1'")).isFalse();
  }

  @Test
  void need_ofAnAlternation_isOneOfItsOptions() {
    Need n = need("^(?:NOTICE|SECURITY|WARNING)\\[\\d+\\] x");
    assertThat(n.words()).containsExactlyInAnyOrder("NOTICE", "SECURITY", "WARNING");
    assertThat(holds(n, "WARNING[1] x")).isTrue();
    assertThat(holds(n, "VERBOSE[1] x")).isFalse();
  }

  @Test
  void need_seesAWordSplitByAGroup_whole() {
    Need n = need("^(?P<service>res_pjsip)_session\\.c: Call");
    assertThat(n.words()).contains("res_pjsip_session").doesNotContain("_session");
  }

  @Test
  void need_claimsNothing_forOptionalParts_caseFolding_andVerboseMode() {
    assertThat(need("^x?y?z? (?:Host )?(?P<ip4>\\d+)")).isEqualTo(Need.ANY);
    assertThat(need("(?i)^login failed")).isEqualTo(Need.ANY);
    assertThat(need("^(?i:login) failed").words()).containsExactly("failed");
    assertThat(need("(?x) login  failed")).isEqualTo(Need.ANY);
    assertThat(need("^ab \\d+|cd \\d+")).isEqualTo(Need.ANY);
    assertThat(need("^abc \\d+|\\d+")).isEqualTo(Need.ANY);
  }

  @Test
  void need_ofARepeatedGroup_keepsItsWords_onlyWhenItMustOccur() {
    assertThat(need("(?:abc\\d)+x").words()).containsExactly("abc");
    assertThat(need("(?:abc\\d)*x")).isEqualTo(Need.ANY);
    assertThat(need("(?:abc){2}").words()).containsExactly("abcabc");
  }

  @Test
  void need_ignoresLookarounds_andBackReferences() {
    Need n = need("^(?!.*failed twice)(?P<x>\\w+) (?P=x) failed");
    assertThat(n.words()).containsExactly("failed");
  }

  @Test
  void need_ofAConditional_isOneOfItsBranches() {
    Need n = need("^(?P<b>\\[)?(?(b)bracket|plain) end");
    assertThat(holds(n, "bracket end")).isTrue();
    assertThat(holds(n, "plain end")).isTrue();
    assertThat(holds(n, "other end")).isFalse();
  }

  @Test
  void need_ofAnInvalidRegex_claimsNothing() {
    assertThat(need("abc(def")).isEqualTo(Need.ANY);
    assertThat(need("abc\\qdef")).isEqualTo(Need.ANY);
  }

  @Test
  void ends_tellWhetherAMatchMayStartOrEndWithANonWordCharacter() {
    RegexFacts digits = RegexFacts.of("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}");
    assertThat(digits.mayStartNonWord()).isFalse();
    assertThat(digits.mayEndNonWord()).isFalse();
    assertThat(digits.nullable()).isFalse();
    RegexFacts bracketed = RegexFacts.of("\\[\\d+\\]");
    assertThat(bracketed.mayStartNonWord()).isTrue();
    assertThat(bracketed.mayEndNonWord()).isTrue();
    RegexFacts optionalTail = RegexFacts.of("\\d+(?: \\w+|;)?");
    assertThat(optionalTail.mayStartNonWord()).isFalse();
    assertThat(optionalTail.mayEndNonWord()).isTrue();
    assertThat(RegexFacts.of("(?:ab)?").nullable()).isTrue();
    assertThat(RegexFacts.of("[a-z0-9_]+").mayEndNonWord()).isFalse();
    assertThat(RegexFacts.of("[ a-z]+").mayStartNonWord()).isTrue();
  }

  @Test
  void need_simplifiesAbsorbedOptions() {
    Need a = new Need.Word("abc");
    Need b = new Need.Word("bcd");
    assertThat(Need.oneOf(java.util.List.of(a, Need.all(java.util.List.of(a, b))))).isEqualTo(a);
    assertThat(Need.all(java.util.List.of(a, Need.oneOf(java.util.List.of(a, b))))).isEqualTo(a);
    assertThat(Need.oneOf(java.util.List.of(a, Need.ANY))).isEqualTo(Need.ANY);
    assertThat(Need.all(java.util.List.of(a, Need.ANY)).words()).isEqualTo(Set.of("abc"));
  }
}
