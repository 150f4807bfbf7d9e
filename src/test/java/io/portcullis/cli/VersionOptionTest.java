package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.InProcessCli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VersionOptionTest {
  // a command's --version printed nothing and exited 0 (picocli gave subcommands the option only)
  @ParameterizedTest
  @ValueSource(strings = {"server", "status", "ban", "regex", "check", "why", "replay", "import"})
  void versionOption_ofEveryCommand_printsTheVersion(String command) {
    String[] r = InProcessCli.run(command, "--version");
    assertThat(r[0]).as("exit; stderr " + r[2]).isEqualTo("0");
    assertThat(r[1].strip()).startsWith("portcullis ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--version", "-V"})
  void versionOption_atTheTop_printsTheVersion(String option) {
    String[] r = InProcessCli.run(option);
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1].strip()).startsWith("portcullis ");
  }
}
