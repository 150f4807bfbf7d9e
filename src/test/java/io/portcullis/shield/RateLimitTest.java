package io.portcullis.shield;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitTest {
  @Test
  void parse_twoRules_dropAndReject() {
    RateLimit r = RateLimit.parse("50/10s drop, 10/60s reject");
    assertThat(r.rules())
        .containsExactly(
            new RateLimit.Rule(50, Duration.ofSeconds(10), false),
            new RateLimit.Rule(10, Duration.ofMinutes(1), true));
    assertThat(r).hasToString("50/10s drop, 10/1m reject");
    assertThat(RateLimit.parse(r.toString())).isEqualTo(r);
  }

  @Test
  void parse_verdictLeftOut_isDrop() {
    assertThat(RateLimit.parse("20/1m").rules())
        .containsExactly(new RateLimit.Rule(20, Duration.ofMinutes(1), false));
  }

  @Test
  void parse_offOrEmpty_isOff() {
    assertThat(RateLimit.parse("off").isOff()).isTrue();
    assertThat(RateLimit.parse(" ").isOff()).isTrue();
    assertThat(RateLimit.OFF).hasToString("off");
  }

  @Test
  void parse_badValues_sayWhatIsWrongAndWhatWouldBeValid() {
    assertThatThrownBy(() -> RateLimit.parse("50 per 10s"))
        .hasMessageContaining("is not COUNT/PERIOD [drop|reject] (try 50/10s drop, 10/60s reject");
    assertThatThrownBy(() -> RateLimit.parse("50/10s accept"))
        .hasMessage("'accept' in '50/10s accept': the verdict is drop or reject");
    assertThatThrownBy(() -> RateLimit.parse("0/10s"))
        .hasMessage("'0/10s': the count must be from 1 to 1000000 packets");
    assertThatThrownBy(() -> RateLimit.parse("x/10s"))
        .hasMessage("'x' in 'x/10s': the count must be a number");
    assertThatThrownBy(() -> RateLimit.parse("5/0s"))
        .hasMessageContaining("the period must be from 1s to 1d");
    assertThatThrownBy(() -> RateLimit.parse("5/10s,"))
        .hasMessageContaining("an empty rule between commas");
  }

  @Test
  void nftRate_countPerPeriod_inTheSmallestWholeUnit_withTheCountAsBurst() {
    assertThat(RateLimit.nftRate(new RateLimit.Rule(50, Duration.ofSeconds(10), false)))
        .isEqualTo("5/second burst 50 packets");
    assertThat(RateLimit.nftRate(new RateLimit.Rule(10, Duration.ofSeconds(60), false)))
        .isEqualTo("10/minute burst 10 packets");
    assertThat(RateLimit.nftRate(new RateLimit.Rule(10, Duration.ofSeconds(7), false)))
        .isEqualTo("123429/day burst 10 packets");
    assertThat(RateLimit.nftRate(new RateLimit.Rule(100, Duration.ofDays(1), false)))
        .isEqualTo("100/day burst 100 packets");
  }
}
