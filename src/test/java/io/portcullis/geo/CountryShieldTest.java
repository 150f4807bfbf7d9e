package io.portcullis.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CountryShieldTest {
  /** {@code count} IPv4 /24 networks (from 10.0.0.0) and one /16, or IPv6 /48s and one /32. */
  private static List<Cidr> networks(boolean v4, int count) {
    List<Cidr> out = new ArrayList<>();
    int bits = v4 ? 32 : 128;
    int prefix = v4 ? 24 : 48;
    BigInteger base =
        v4 ? BigInteger.valueOf(10L << 24) : BigInteger.valueOf(0x2400).shiftLeft(112);
    for (int i = 0; i < count; i++) {
      out.add(new Cidr(v4, base.add(BigInteger.valueOf(i).shiftLeft(bits - prefix)), prefix));
    }
    out.add(new Cidr(v4, base.add(BigInteger.ONE.shiftLeft(bits - prefix + 20)), prefix - 8));
    return out;
  }

  private static CountryShield shield(int v4, int v6) {
    return new CountryShield(
        CountryRule.parse("deny US"), Path.of("c.mmdb"), networks(true, v4), networks(false, v6));
  }

  @Test
  void cost_smallRule_saysNothing() {
    assertThat(shield(30_000, 19_998).cost()).isNull();
    assertThat(CountryShield.OFF.cost()).isNull();
  }

  @Test
  void cost_largeRule_givesTheNetworksPerFamily_theirLengths_andTheLoadTime() {
    String cost = shield(119_418, 61_939).cost();
    assertThat(cost)
        .startsWith("countries deny US: 119,419 IPv4 networks (2 prefix lengths, a set each)")
        .contains("and 61,940 IPv6 (2)")
        .contains("expect about 3 s to load them");
  }

  @Test
  void mask_ofEachLength_isWhatNftablesReads() {
    assertThat(Cidr.mask(true, 24)).isEqualTo("255.255.255.0");
    assertThat(Cidr.mask(true, 23)).isEqualTo("255.255.254.0");
    assertThat(Cidr.mask(true, 1)).isEqualTo("128.0.0.0");
    assertThat(Cidr.mask(true, 32)).isEqualTo("255.255.255.255");
    assertThat(Cidr.mask(false, 48)).isEqualTo("ffff:ffff:ffff:0:0:0:0:0");
    assertThat(Cidr.mask(false, 33)).isEqualTo("ffff:ffff:8000:0:0:0:0:0");
  }
}
