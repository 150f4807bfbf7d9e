package io.portcullis.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IpAddressTest {
  @Test
  void canonicalForms() {
    assertThat(IpAddress.parse("192.0.2.1").toString()).isEqualTo("192.0.2.1");
    assertThat(IpAddress.parse("2001:DB8:0:0:0:0:0:1").toString()).isEqualTo("2001:db8::1");
    assertThat(IpAddress.parse("[2001:db8::1]").toString()).isEqualTo("2001:db8::1");
    assertThat(IpAddress.parse("::ffff:192.0.2.1").toString()).isEqualTo("192.0.2.1");
    assertThat(IpAddress.parse("2001:db8:0:1:0:0:0:1").toString()).isEqualTo("2001:db8:0:1::1");
    assertThat(IpAddress.parse("192.0.2.77/24").toString()).isEqualTo("192.0.2.0/24");
  }

  @Test
  void rejectsWhatIsNotAnAddress() {
    assertThat(IpAddress.parseOrNull("999.0.2.1")).isNull();
    assertThat(IpAddress.parseOrNull("1.2.3")).isNull();
    assertThat(IpAddress.parseOrNull("2001:db8::1::2")).isNull();
    assertThat(IpAddress.parseOrNull("example.org")).isNull();
    assertThat(IpAddress.parseOrNull("192.0.2.1/33")).isNull();
    assertThat(IpAddress.parseOrNull("$(touch /tmp/x)")).isNull();
  }

  @Test
  void networkContainsItsAddresses() {
    IpAddress net = IpAddress.parse("198.51.100.0/24");
    assertThat(net.contains(IpAddress.parse("198.51.100.9"))).isTrue();
    assertThat(net.contains(IpAddress.parse("198.51.101.9"))).isFalse();
    assertThat(net.contains(IpAddress.parse("2001:db8::1"))).isFalse();
  }
}
