package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import org.junit.jupiter.api.Test;

class AddressListTest {
  @Test
  void read_linesSpacesCommentsAndBlanks_givesTheAddressesInOrder() throws Exception {
    String text =
        "# scanners seen on 2026-11-28\n"
            + "192.0.2.1\n"
            + "\n"
            + "   \t\n"
            + "  198.51.100.7\t2001:db8::5  \r\n"
            + "  # 203.0.113.9 was a customer\n"
            + "203.0.113.10";
    assertThat(AddressList.read(new StringReader(text)))
        .containsExactly("192.0.2.1", "198.51.100.7", "2001:db8::5", "203.0.113.10");
  }

  @Test
  void read_nothingButComments_isEmpty() throws Exception {
    assertThat(AddressList.read(new StringReader("#a\n\n # b\n"))).isEmpty();
  }
}
