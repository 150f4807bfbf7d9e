package io.portcullis.shield;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkPolicyTest {
  @Test
  void parse_defaults_areIpv6Slash64After5_thenSlash48After3_andNoIpv4() {
    assertThat(NetworkPolicy.parse(NetworkPolicy.DEFAULT_V6, false))
        .isEqualTo(NetworkPolicy.DEFAULT.v6())
        .containsExactly(new NetworkPolicy.Step(64, 5), new NetworkPolicy.Step(48, 3));
    assertThat(NetworkPolicy.parse(NetworkPolicy.DEFAULT_V4, true)).isEmpty();
  }

  @Test
  void parse_acceptsSlashesCommasAndOff() {
    assertThat(NetworkPolicy.parse("/24:10", true)).containsExactly(new NetworkPolicy.Step(24, 10));
    assertThat(NetworkPolicy.parse("56:4, 40:2", false))
        .containsExactly(new NetworkPolicy.Step(56, 4), new NetworkPolicy.Step(40, 2));
    assertThat(NetworkPolicy.parse(" off ", false)).isEmpty();
    assertThat(NetworkPolicy.format(List.of(new NetworkPolicy.Step(64, 5)))).isEqualTo("64:5");
    assertThat(NetworkPolicy.format(List.of())).isEqualTo("off");
  }

  @Test
  void parse_badValues_sayWhatIsWrong_andWhatWouldBeValid() {
    assertThatThrownBy(() -> NetworkPolicy.parse("64", false))
        .hasMessage("'64' is not PREFIX:COUNT (try 64:5 48:3, or off)");
    assertThatThrownBy(() -> NetworkPolicy.parse("33:5", true))
        .hasMessage("'33:5': the prefix must be from 8 to 31 (try 24:10)");
    assertThatThrownBy(() -> NetworkPolicy.parse("64:1", false))
        .hasMessage("'64:1': the count must be at least 2 (try 64:5 48:3)");
    assertThatThrownBy(() -> NetworkPolicy.parse("48:3 64:5", false))
        .hasMessageContaining("'64:5': each step must be a wider network");
  }
}
