package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the decoding of journal entries ({@code journalctl -o json}): any text gives a line or
 * nothing, never an exception, and a line is one line: no field (message, host, identifier, pid),
 * all of which local users can choose, may start a second one. Kept inputs:
 * src/test/resources/io/portcullis/source/JournalEntryFuzzTestInputs.
 */
class JournalEntryFuzzTest {
  @FuzzTest
  void anyEntry_givesOneLineOrNone(byte[] data) {
    JournalSource.Entry e = JournalSource.parse(new String(data, StandardCharsets.UTF_8));
    if (e != null) {
      assertThat(e.line()).doesNotContain("\n");
    }
  }
}
