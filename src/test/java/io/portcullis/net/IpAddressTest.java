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

  // regression: Arrays.hashCode gave 2001:db8:X:Y::1 addresses eight to one hash code, and a
  // reconcile of 100,000 bans spent its time in HashMap tree bins
  @Test
  void hashCode_ofManyNeighbouringAddresses_isNearlyAlwaysDistinct() {
    java.util.Set<Integer> v6 = new java.util.HashSet<>();
    java.util.Set<Integer> v4 = new java.util.HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      v6.add(
          IpAddress.parse(String.format("2001:db8:%x:%x::1", 0x100 + i / 65536, i % 65536))
              .hashCode());
    }
    for (String net : new String[] {"192.0.2.", "198.51.100.", "203.0.113."}) {
      for (int i = 0; i < 256; i++) {
        v4.add(IpAddress.parse(net + i).hashCode());
      }
    }
    assertThat(v6).hasSizeGreaterThan(99_000);
    assertThat(v4).hasSize(768);
    assertThat(IpAddress.parse("192.0.2.0/24").hashCode())
        .isEqualTo(IpAddress.parse("192.0.2.0/24").hashCode());
  }
}
