package io.portcullis.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
  void lineOverTheLimit_arrivesEmpty_whetherItFitsTheBufferOrNot() throws IOException {
    String longLine = "x".repeat(3 << 20);
    assertThat(lines("a\n" + longLine + "\nb\n")).containsExactly("a", "", "b");
    assertThat(blockLines("a\n" + longLine + "\nb\n")).containsExactly("a", "", "b");
    String limit = "y".repeat(LineCleaner.MAX_LINE);
    assertThat(lines(limit + "\n" + limit + "z\nc")).containsExactly(limit, "", "c");
  }

  @Test
  void twentyMegabytesWithoutANewline_areCountedOnce_inBoundedMemory() throws IOException {
    long size = 20L << 20;
    // an endless-looking stream that holds no '\n' for 20 MB, then one short line
    InputStream in =
        new SequenceInputStream(
            new InputStream() {
              long left = size;

              @Override
              public int read() {
                return left-- > 0 ? 'A' : -1;
              }

              @Override
              public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                  return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 'A');
                left -= n;
                return n;
              }
            },
            new ByteArrayInputStream(" failed for '203.0.113.9'\nnext\n".getBytes(UTF_8)));
    List<String> out = new ArrayList<>();
    int[] largest = {0};
    long overlong =
        LineScanner.scanBlocks(
            in,
            (b, s, e) -> {
              largest[0] = Math.max(largest[0], b.length);
              out.addAll(List.of(new String(b, s, e - s, UTF_8).split("\n")));
            });
    assertThat(overlong).isEqualTo(1);
    assertThat(out).containsExactly("", "next");
    assertThat(largest[0]).isLessThanOrEqualTo(2 << 20);
  }

  @Test
  void nulBytesAtLineStarts_areDropped_andCrlfBecomesLf() throws IOException {
    assertThat(lines("\0\0\0one\r\ntwo\0x\r\r\n\0\0")).containsExactly("one", "two\0x");
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
