package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class UnknownOptionsTest {
  @Test
  void shippedConfig_hasNoUnknownOption() {
    assertThat(JailsReader.read(Path.of("config")).warnings()).isEmpty();
    assertThat(ServerSettings.read(Path.of("config")).warnings()).isEmpty();
  }
}
