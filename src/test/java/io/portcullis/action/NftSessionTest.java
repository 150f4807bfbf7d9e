package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.process.ProcessRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftSessionTest {
  @Test
  void anNftThatDoesNotAnswerTheEndMarker_isNotUsed_andSaysSo() {
    // stands in for an nft whose "describe" prints something else: it reads and never answers
    ProcessRunner silent =
        new ProcessRunner(List.of("sh", "-c", "cat > /dev/null", "sh"), Duration.ofSeconds(30));
    try (NftSession session = new NftSession(silent, Duration.ofSeconds(30))) {
      List<String> ban = List.of("add element inet portcullis asterisk-v4 { 192.0.2.1 }");
      assertThatThrownBy(() -> session.run(ban))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("nft -i does not answer as expected")
          .hasMessageContaining("no answer within 5000 ms");
      // from then on it is not tried again: the caller goes straight to nft -f
      assertThatThrownBy(() -> session.run(ban))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("not used");
    }
  }
}
