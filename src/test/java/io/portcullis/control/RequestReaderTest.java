package io.portcullis.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestReaderTest {
  private static RequestReader reader(String text, int limit) {
    return new RequestReader(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), limit);
  }

  @Test
  void lines_comeOneByOne_theLastWithoutNewlineToo() throws IOException {
    RequestReader r = reader("{\"command\":\"ping\"}\n\n{\"command\":\"status\"}", 100);
    assertThat(r.next()).isEqualTo(new RequestReader.Line("{\"command\":\"ping\"}"));
    assertThat(r.next()).isEqualTo(new RequestReader.Line(""));
    assertThat(r.next()).isEqualTo(new RequestReader.Line("{\"command\":\"status\"}"));
    assertThat(r.next()).isInstanceOf(RequestReader.End.class);
  }

  @Test
  void lineOfExactlyTheLimit_isRead_oneByteMoreIsTooLong() throws IOException {
    String atLimit = "x".repeat(64);
    assertThat(reader(atLimit + "\n", 64).next()).isEqualTo(new RequestReader.Line(atLimit));
    assertThat(reader(atLimit + "y\n", 64).next()).isEqualTo(new RequestReader.TooLong(64));
  }

  @Test
  void invalidUtf8_becomesReplacementCharacters_notAnError() throws IOException {
    RequestReader r =
        new RequestReader(new ByteArrayInputStream(new byte[] {'a', (byte) 0xff, 'b', '\n'}), 64);
    assertThat(r.next()).isEqualTo(new RequestReader.Line("a\uFFFDb"));
  }

  @Test
  void endlessLine_isNotReadPastTheLimit() throws IOException {
    // regression (issue #12 probe): a 100 MB request line ran the server out of memory
    long[] served = new long[1];
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            served[0]++;
            return 'x';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 'x');
            served[0] += len;
            return len;
          }
        };
    RequestReader r = new RequestReader(endless, 1 << 20);
    assertThat(r.next()).isEqualTo(new RequestReader.TooLong(1 << 20));
    assertThat(served[0]).isLessThanOrEqualTo((1 << 20) + 8192);
  }
}
