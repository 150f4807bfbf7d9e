package io.portcullis.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes what the control socket does with the bytes a client sends: the request reader (with a
 * small limit, so that overlong lines are reached) and the request parser. A line never exceeds the
 * limit, a request either parses or is refused with a {@link Protocol.ProtocolException}, and a
 * parsed request reads back the same from the JSON the client would send. Kept inputs:
 * src/test/resources/io/portcullis/control/RequestFuzzTestInputs.
 */
class RequestFuzzTest {
  private static final int LIMIT = 512;

  @FuzzTest
  void anyBytes_giveRequestsOrClearRefusals(byte[] data) throws IOException {
    RequestReader reader = new RequestReader(new ByteArrayInputStream(data), LIMIT);
    for (int i = 0; i <= data.length; i++) {
      RequestReader.Next next = reader.next();
      if (next instanceof RequestReader.End || next instanceof RequestReader.TooLong) {
        return;
      }
      String line = ((RequestReader.Line) next).text();
      assertThat(line).doesNotContain("\n");
      assertThat(line.length()).isLessThanOrEqualTo(LIMIT);
      Protocol.Request request;
      try {
        request = Protocol.Request.parse(line);
      } catch (Protocol.ProtocolException e) {
        assertThat(e.getMessage()).isNotBlank();
        continue;
      }
      assertThat(request.command()).isNotNull();
      assertThat(request.args()).doesNotContainNull();
      try {
        assertThat(Protocol.Request.parse(request.toJson())).isEqualTo(request);
      } catch (Protocol.ProtocolException e) {
        throw new AssertionError("a parsed request does not read back: " + line, e);
      }
    }
    throw new AssertionError("the reader did not end: " + new String(data, StandardCharsets.UTF_8));
  }
}
