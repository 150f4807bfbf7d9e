package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.date.DateContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterTest {
  private static final DateContext CTX =
      new DateContext(ZoneOffset.UTC, Instant.parse("2024-06-01T00:00:00Z"));

  private static FilterSpec spec(String... failregex) {
    return new FilterSpec(
        "t",
        null,
        java.util.Arrays.stream(failregex)
            .map(r -> new FilterSpec.Source(r, "t.conf:3: failregex"))
            .toList(),
        List.of(),
        List.of(),
        1,
        null,
        true);
  }

  @Test
  void failure_carriesCanonicalAddress_rawHost_user_andTime() {
    Filter f =
        Filter.builder(spec("^\\s*login failed for <F-USER>\\S+</F-USER> from <HOST>$")).build();
    List<FilterMatch> m =
        f.process("2024-05-01 10:00:00 login failed for bob from 2001:DB8::5", CTX).matches();
    assertThat(m).hasSize(1);
    assertThat(m.get(0).fid()).isEqualTo("2001:db8::5");
    assertThat(m.get(0).host()).isEqualTo("2001:DB8::5");
    assertThat(m.get(0).groups()).containsEntry("user", "bob");
    assertThat(m.get(0).time()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
  }

  @Test
  void regexWithoutAddressOrId_isAnErrorNamingWhere() {
    assertThatThrownBy(() -> Filter.builder(spec("^login failed$")).build())
        .isInstanceOf(FilterException.class)
        .hasMessageContaining("t.conf:3: failregex")
        .hasMessageContaining("^login failed$");
  }

  @Test
  void regexThatDoesNotCompile_isAnError_notASkip() {
    assertThatThrownBy(() -> Filter.builder(spec("^ok <HOST>$", "^bad (<HOST>$")).build())
        .isInstanceOf(FilterException.class)
        .hasMessageContaining("does not compile")
        .hasMessageContaining("^bad (<HOST>$");
  }

  @Test
  void backtrackingLine_isCountedAndDoesNotStall() {
    Filter f = Filter.builder(spec("^\\s*x(.*a){15} <HOST>$")).budgetSteps(50_000).build();
    Filter.Result r = f.process("2024-05-01 10:00:00 x" + "a".repeat(28) + "! 192.0.2.1", CTX);
    assertThat(r.matches()).isEmpty();
    assertThat(f.budgetHits()).isEqualTo(1);
  }

  @Test
  void linesWithoutARequiredWord_arePassedOver_butMatchingLinesAreNot() {
    Filter f = Filter.builder(spec("^\\s*Registration from '.*' failed for '<ADDR>'$")).build();
    f.process("2024-05-01 10:00:00 Executing [s@default:1] Answer()", CTX);
    assertThat(f.skippedLines()).isEqualTo(1);
    assertThat(
            f.process("2024-05-01 10:00:01 Registration from 'x' failed for '192.0.2.7'", CTX)
                .matches())
        .hasSize(1);
  }

  @Test
  void requiredLiteral_isAWholeWord_andAlternativesDisableIt() {
    assertThat(LiteralHints.requiredLiteral("^Registration from '.*' failed for '<ADDR>'$"))
        .isEqualTo("Registration");
    assertThat(LiteralHints.requiredLiteral("^\\[\\] \"GET <x> HTTP/1\\.[01]\"")).isEqualTo("HTTP");
    assertThat(LiteralHints.requiredLiteral("^a <HOST>|b <HOST>")).isNull();
    assertThat(LiteralHints.requiredLiteral("(?i)^login <HOST>")).isNull();
    assertThat(LiteralHints.requiredLiteral("^x?y?z? <HOST>")).isNull();
  }

  @Test
  void ignoreregex_cancelsAFailure() {
    FilterSpec s =
        new FilterSpec(
            "t",
            null,
            List.of(new FilterSpec.Source("^\\s*fail from <HOST>", "f")),
            List.of(new FilterSpec.Source("from 192\\.0\\.2\\.", "i")),
            List.of(),
            1,
            null,
            true);
    Filter f = Filter.builder(s).build();
    assertThat(f.process("2024-05-01 10:00:00 fail from 192.0.2.1", CTX).matches()).isEmpty();
    assertThat(f.ignoredLines()).isEqualTo(1);
    assertThat(f.process("2024-05-01 10:00:00 fail from 203.0.113.1", CTX).matches()).hasSize(1);
  }

  @Test
  void successregex_reportsASuccess() {
    FilterSpec s =
        new FilterSpec(
            "t",
            null,
            List.of(new FilterSpec.Source("^\\s*bad <HOST>$", "f")),
            List.of(),
            List.of(new FilterSpec.Source("^\\s*good <HOST>$", "s")),
            1,
            null,
            true);
    List<FilterMatch> m =
        Filter.builder(s).build().process("2024-05-01 10:00:00 good 192.0.2.10", CTX).matches();
    assertThat(m).singleElement().extracting(FilterMatch::kind).isEqualTo(FilterMatch.Kind.SUCCESS);
  }

  @Test
  void explain_pointsWhereTheClosestRegexStopped() {
    Filter f = Filter.builder(spec("^\\s*login failed for \\S+ from <HOST>$")).build();
    List<String> e = f.explain("2024-05-01 10:00:00 login failed for bob form 192.0.2.1", CTX);
    assertThat(String.join("\n", e)).contains("failregex[0]").contains("character 23");
  }
}
