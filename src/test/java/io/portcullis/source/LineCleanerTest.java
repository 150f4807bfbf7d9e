package io.portcullis.source;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineCleanerTest {
  private static String clean(LineCleaner c, String block) {
    byte[] b = block.getBytes(ISO_8859_1);
    int n = c.clean(b, b.length);
    return new String(b, 0, n, ISO_8859_1);
  }

  @Test
  void plainBlock_isLeftAsItIs() {
    LineCleaner c = new LineCleaner(10);
    assertThat(clean(c, "a b c\n\nde\n")).isEqualTo("a b c\n\nde\n");
    assertThat(c.overlong()).isZero();
  }

  @Test
  void crlf_becomesLf_butALoneCarriageReturnInsideALineStays() {
    LineCleaner c = new LineCleaner(100);
    assertThat(clean(c, "one\r\ntw\ro\r\n")).isEqualTo("one\ntw\ro\n");
  }

  @Test
  void lineOverTheLimit_becomesEmpty_andIsCounted_atTheStartMiddleAndEnd() {
    LineCleaner c = new LineCleaner(4);
    assertThat(clean(c, "12345\nabcd\nxxxxxx\nok\n123456789")).isEqualTo("\nabcd\n\nok\n");
    assertThat(c.overlong()).isEqualTo(3);
  }

  @Test
  void limit_countsTheLineWithoutItsEnding() {
    LineCleaner c = new LineCleaner(4);
    assertThat(clean(c, "abcd\r\nabcd\n")).isEqualTo("abcd\nabcd\n");
    assertThat(c.overlong()).isZero();
  }

  @Test
  void nulRunAtALineStart_isDropped_andCounted_butNotInsideALine() {
    LineCleaner c = new LineCleaner(100);
    assertThat(clean(c, "\0\0\0one\na\0b\n\0\n")).isEqualTo("one\na\0b\n\n");
    assertThat(c.nulBytes()).isEqualTo(4);
  }

  @Test
  void invalidUtf8_isLeftAlone() {
    LineCleaner c = new LineCleaner(100);
    assertThat(clean(c, "bad \u00ff\u00c3\nnext\n")).isEqualTo("bad \u00ff\u00c3\nnext\n");
  }

  /**
   * The byte loop needsCleaning replaced (eight bytes at a time now): the reference it must equal.
   */
  private static boolean needsCleaningByteByByte(byte[] buf, int len, int maxLine) {
    int lineStart = 0;
    for (int i = 0; i < len; i++) {
      int b = buf[i] & 0xff;
      if (b == '\n') {
        if (i - lineStart > maxLine) {
          return true;
        }
        lineStart = i + 1;
      } else if (b == '\r' || b == 0) {
        return true;
      }
    }
    return len - lineStart > maxLine;
  }

  @Test
  void needsCleaning_answersAsTheByteLoop_onRandomBlocks() {
    java.util.Random random = new java.util.Random(16);
    // bytes around the ones that matter (0, '\t', '\n', '\r', 13 and 14, 0x80, 0xff) and letters
    byte[] alphabet = {
      0, 1, 9, '\n', 12, '\r', 14, 'a', 'z', ' ', (byte) 0x80, (byte) 0x8e, (byte) 0xff
    };
    for (int round = 0; round < 20_000; round++) {
      int maxLine = 1 + random.nextInt(24);
      int len = random.nextInt(80);
      byte[] buf = new byte[len + random.nextInt(9)];
      int rare = 1 + random.nextInt(40);
      for (int i = 0; i < buf.length; i++) {
        buf[i] =
            random.nextInt(rare) == 0
                ? alphabet[random.nextInt(alphabet.length)]
                : (byte) ('a' + random.nextInt(26));
      }
      LineCleaner c = new LineCleaner(maxLine);
      assertThat(c.needsCleaning(buf, len))
          .as("round %d, maxLine %d, block %s", round, maxLine, java.util.Arrays.toString(buf))
          .isEqualTo(needsCleaningByteByByte(buf, len, maxLine));
    }
  }
}
