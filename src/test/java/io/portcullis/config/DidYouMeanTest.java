package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
  private static final List<String> KNOWN = UnknownOptions.KNOWN;

  @Test
  void typos_findTheOptionMeant() {
    assertThat(DidYouMean.closest("maxretrys", KNOWN)).contains("maxretry");
    assertThat(DidYouMean.closest("enable", KNOWN)).contains("enabled");
    assertThat(DidYouMean.closest("bantmie", KNOWN)).contains("bantime");
    assertThat(DidYouMean.closest("logpaths", KNOWN)).contains("logpath");
    assertThat(DidYouMean.closest("ignoreips", KNOWN)).contains("ignoreip");
  }

  @Test
  void unrelatedOrShortWords_guessNothing() {
    assertThat(DidYouMean.closest("colour", KNOWN)).isEmpty();
    assertThat(DidYouMean.closest("x", KNOWN)).isEmpty();
    assertThat(DidYouMean.closest("a".repeat(100_000), KNOWN)).isEmpty();
  }

  @Test
  void distance_countsATranspositionOnce() {
    assertThat(DidYouMean.distance("ab", "ba")).isEqualTo(1);
    assertThat(DidYouMean.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(DidYouMean.distance("", "abc")).isEqualTo(3);
  }
}
