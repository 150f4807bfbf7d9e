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

  /** A connection-tracking filter in the manner of fail2ban's sshd: one connection per pid. */
  private static Filter connections() {
    return Filter.builder(
            new FilterSpec(
                "conn",
                new FilterSpec.Source(
                    "^<F-MLFID>\\s*conn\\[\\d+\\]:</F-MLFID> <F-CONTENT>.+</F-CONTENT>$",
                    "prefregex"),
                List.of(
                    new FilterSpec.Source(
                        "^<F-NOFAIL>auth failure</F-NOFAIL> user=<F-USER>\\S+</F-USER>"
                            + " rhost=<HOST>$",
                        "failregex[0]"),
                    new FilterSpec.Source(
                        "^<F-MLFFORGET><F-MLFGAINED>Accepted</F-MLFGAINED></F-MLFFORGET> for"
                            + " <F-USER>\\S+</F-USER> from <HOST>$",
                        "failregex[1]"),
                    new FilterSpec.Source("^failed password for <F-USER>\\S+</F-USER>$", "f2"),
                    new FilterSpec.Source("^<F-NOFAIL>connect</F-NOFAIL> from <HOST>$", "f3")),
                List.of(),
                List.of(),
                1,
                null,
                false))
        .build();
  }

  private static List<FilterMatch> read(Filter f, String... lines) {
    List<FilterMatch> out = new java.util.ArrayList<>();
    for (String l : lines) {
      out.addAll(f.process(l, CTX).matches());
    }
    return out;
  }

  @Test
  void noFailLines_areNotMatches_andALoginByTheSameUserWipesThem() {
    Filter f = connections();
    List<FilterMatch> m =
        read(
            f,
            "2024-05-01 10:00:00 conn[7]: auth failure user=bob rhost=192.0.2.5",
            "2024-05-01 10:00:01 conn[7]: auth failure user=bob rhost=192.0.2.5",
            "2024-05-01 10:00:02 conn[7]: Accepted for bob from 192.0.2.5");
    assertThat(m).isEmpty();
    assertThat(f.regexHits(FilterMatch.Kind.FAILURE, 0)).isEqualTo(2);
    assertThat(f.regexHits(FilterMatch.Kind.FAILURE, 1)).isEqualTo(1);
  }

  @Test
  void attemptsAsSeveralUsers_countEvenWhenTheConnectionEndsInALogin() {
    List<FilterMatch> m =
        read(
            connections(),
            "2024-05-01 10:00:00 conn[8]: auth failure user=root rhost=192.0.2.6",
            "2024-05-01 10:00:01 conn[8]: auth failure user=admin rhost=192.0.2.6",
            "2024-05-01 10:00:02 conn[8]: Accepted for known from 192.0.2.6");
    assertThat(m).hasSize(2);
    assertThat(m.get(0).users()).containsExactlyInAnyOrder("root", "admin");
    assertThat(m.get(0).attempts()).isEqualTo(2);
    assertThat(m.get(1).users()).containsExactlyInAnyOrder("root", "admin", "known");
    assertThat(m.get(1).attempts()).as("the login line itself is no attempt").isEqualTo(1);
    assertThat(m).allSatisfy(x -> assertThat(x.fid()).isEqualTo("192.0.2.6"));
  }

  @Test
  void aFailureBeforeTheAddress_isReportedWithTheLineThatNamesIt() {
    List<FilterMatch> m =
        read(
            connections(),
            "2024-05-01 10:00:00 conn[9]: failed password for eve",
            "2024-05-01 10:00:01 conn[9]: connect from 192.0.2.7");
    assertThat(m)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.fid()).isEqualTo("192.0.2.7");
              assertThat(x.groups()).containsEntry("user", "eve");
              assertThat(x.lines()).hasSize(2);
            });
  }

  @Test
  void matches_carryTheCapturedFields_butNoControlCaptures() {
    List<FilterMatch> m =
        read(
            connections(),
            "2024-05-01 10:00:00 conn[10]: auth failure user=a rhost=192.0.2.8",
            "2024-05-01 10:00:01 conn[10]: auth failure user=b rhost=192.0.2.8");
    assertThat(m)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.groups()).containsEntry("user", "b").containsKey("mlfid");
              assertThat(x.groups())
                  .doesNotContainKeys("nofail", "mlfgained", "mlfforget", "mlfpending");
            });
  }

  @Test
  void noFailLine_withoutAConnection_isNoFailure() {
    Filter f =
        Filter.builder(spec("^\\s*Failed (?:<F-NOFAIL>publickey</F-NOFAIL>|\\S+) from <HOST>$"))
            .build();
    assertThat(read(f, "2024-05-01 10:00:00 Failed publickey from 192.0.2.9")).isEmpty();
    assertThat(read(f, "2024-05-01 10:00:01 Failed password from 192.0.2.9")).hasSize(1);
    assertThat(f.regexHits(FilterMatch.Kind.FAILURE, 0)).isEqualTo(2);
  }
}
