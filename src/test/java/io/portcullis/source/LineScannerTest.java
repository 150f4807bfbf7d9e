package io.portcullis.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineScannerTest {
  private static List<String> lines(String text) throws IOException {
    List<String> out = new ArrayList<>();
    LineScanner.scan(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        (b, s, e) -> out.add(new String(b, s, e - s, StandardCharsets.UTF_8)));
    return out;
  }

  private static List<String> blockLines(String text) throws IOException {
    List<String> out = new ArrayList<>();
    LineScanner.scanBlocks(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        (b, s, e) -> {
          String block = new String(b, s, e - s, StandardCharsets.UTF_8);
          if (block.endsWith("\n")) {
            block = block.substring(0, block.length() - 1);
          }
          out.addAll(List.of(block.split("\n", -1)));
        });
    return out;
  }

  @Test
  void splitsLines_dropsCarriageReturns_andKeepsALastLineWithoutNewline() throws IOException {
    assertThat(lines("a\r\nb\n\nc")).containsExactly("a", "b", "", "c");
    assertThat(lines("")).isEmpty();
  }

  @Test
  void lineLongerThanTheBuffer_arrivesWhole() throws IOException {
    String longLine = "x".repeat(3 << 20);
    assertThat(lines("a\n" + longLine + "\nb\n")).containsExactly("a", longLine, "b");
    assertThat(blockLines("a\n" + longLine + "\nb\n")).containsExactly("a", longLine, "b");
  }

  @Test
  void blocks_holdOnlyWholeLines() throws IOException {
    StringBuilder sb = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      String l = "line " + i + " é";
      expected.add(l);
      sb.append(l).append('\n');
    }
    assertThat(blockLines(sb.toString())).isEqualTo(expected);
  }
}
