package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Fuzzes the INI reader and its interpolation with arbitrary text: every file either reads or is
 * refused with a {@link ConfigException} naming the file; nothing else escapes, nothing hangs. Kept
 * inputs: src/test/resources/io/portcullis/config/IniFileFuzzTestInputs.
 */
class IniFileFuzzTest {
  private static final Path FILE = Path.of("/etc/portcullis/jail.local");

  @FuzzTest
  void anyText_readsOrIsRefusedAtItsFile(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    IniFile file;
    try {
      file = IniFile.parse(FILE, text);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).startsWith(FILE.toString());
      return;
    }
    IniConfig ini = IniConfig.of(file);
    for (String section : ini.sectionNames()) {
      for (String option : ini.options(section, true)) {
        assertThat(ini.raw(section, option)).isPresent();
        try {
          assertThat(ini.get(section, option)).isPresent();
          ini.getEx(section, "known/" + option, java.util.Map.of());
        } catch (ConfigException e) {
          assertThat(e.getMessage()).startsWith(FILE.toString());
        }
      }
    }
  }
}
