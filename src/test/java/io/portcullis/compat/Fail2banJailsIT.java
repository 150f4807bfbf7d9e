package io.portcullis.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fail2ban's own jail.conf, every jail enabled: every jail must read and its filter compile. */
class Fail2banJailsIT {
  @TempDir Path dir;

  @Test
  void everyJailOfFail2bansJailConf_readsAndCompiles() throws IOException {
    Path ref =
        Path.of(System.getProperty("portcullis.reference.dir", "target/reference"), "etc/fail2ban");
    try (Stream<Path> s = Files.walk(ref)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path target = dir.resolve(ref.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    Files.writeString(dir.resolve("jail.local"), "[DEFAULT]\nenabled = true\n");
    JailsReader.Jails jails = JailsReader.read(dir);
    assertThat(jails.problems()).isEmpty();
    // every option of fail2ban's own jails is known or used: the unknown-option warning is quiet
    assertThat(jails.warnings()).isEmpty();
    assertThat(jails.enabled()).hasSizeGreaterThan(80);
    for (JailDefinition j : jails.enabled()) {
      Filter.builder(FilterSpec.of(j.filter(), true)).build();
    }
    JailDefinition asterisk =
        jails.enabled().stream().filter(j -> j.name().equals("asterisk")).findFirst().orElseThrow();
    assertThat(asterisk.maxretry()).isEqualTo(10);
    assertThat(asterisk.actions()).hasSize(2);
    assertThat(asterisk.actions().get(0).options())
        .containsEntry("name", "asterisk-tcp")
        .containsEntry("protocol", "tcp");
  }
}
