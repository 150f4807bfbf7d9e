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
}
