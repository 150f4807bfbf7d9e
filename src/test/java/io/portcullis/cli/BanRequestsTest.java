package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BanRequestsTest {
  private static List<String> addresses(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          "2001:db8:5:"
              + Integer.toHexString(i / 65536)
              + ":"
              + Integer.toHexString(i % 65536)
              + "::1");
    }
    return out;
  }

  // pins: 10,000 addresses went in two requests (8,000 + 2,000), the second waiting for the first
  @Test
  void tenThousandAddresses_goInOneRequest() {
    List<String> all = addresses(10_000);
    assertThat(ClientCommands.Ban.requests(all)).containsExactly(all);
  }

  @Test
  void aLongList_isCutUnderTheRequestLimit_inOrder_withNothingLost() {
    List<String> all = addresses(100_000);
    List<List<String>> requests = ClientCommands.Ban.requests(all);
    assertThat(requests).hasSizeGreaterThan(1);
    List<String> joined = new ArrayList<>();
    for (List<String> r : requests) {
      int bytes = 0;
      for (String a : r) {
        bytes += a.length() + 3;
      }
      assertThat(bytes).isLessThanOrEqualTo(ClientCommands.Ban.REQUEST_BYTES);
      joined.addAll(r);
    }
    assertThat(joined).isEqualTo(all);
  }

  @Test
  void textThatNeedsEscapes_countsWhatItTakesEscaped() {
    // one address of 200,000 quotes: 1.2 MB escaped; each such goes alone
    List<String> all = List.of("\"".repeat(200_000), "\"".repeat(200_000), "192.0.2.1");
    assertThat(ClientCommands.Ban.requests(all)).hasSize(3);
    assertThat(ClientCommands.Ban.requests(List.of())).isEmpty();
  }
}
