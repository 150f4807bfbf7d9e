package io.portcullis.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  private static Cidr c(String text) throws Exception {
    int slash = text.indexOf('/');
    return Cidr.of(
        InetAddress.getByName(text.substring(0, slash)),
        Integer.parseInt(text.substring(slash + 1)));
  }

  private static List<String> merged(String... texts) throws Exception {
    List<Cidr> in = new java.util.ArrayList<>();
    for (String t : texts) {
      in.add(c(t));
    }
    return Cidr.merge(in).stream().map(Cidr::toString).toList();
  }

  @Test
  void merge_adjacentHalves_becomeOneNetwork() throws Exception {
    assertEquals(List.of("198.51.100.0/24"), merged("198.51.100.128/25", "198.51.100.0/25"));
  }

  @Test
  void merge_containedNetwork_disappears() throws Exception {
    assertEquals(List.of("198.51.100.0/24"), merged("198.51.100.0/24", "198.51.100.64/26"));
  }

  @Test
  void merge_unalignedRun_isSplitIntoFewestNetworks() throws Exception {
    // .64/26 + .128/25 is the range .64-.255: not one network, two
    assertEquals(
        List.of("198.51.100.64/26", "198.51.100.128/25"),
        merged("198.51.100.128/26", "198.51.100.64/26", "198.51.100.192/26"));
  }

  @Test
  void merge_gapBetweenNetworks_keepsThemApart() throws Exception {
    assertEquals(
        List.of("198.51.100.0/26", "198.51.100.128/26"),
        merged("198.51.100.128/26", "198.51.100.0/26"));
  }

  @Test
  void merge_ipv6Neighbours_merge() throws Exception {
    assertEquals(List.of("2001:db8:0:0:0:0:0:0/47"), merged("2001:db8:1::/48", "2001:db8::/48"));
  }

  @Test
  void of_hostBitsSet_areMaskedOff() throws Exception {
    assertEquals("203.0.113.0/24", c("203.0.113.77/24").toString());
  }

  @Test
  void unalias_ipv4UnderIpv6Tree_becomesIpv4_andMappedAliasIsDropped() throws Exception {
    assertEquals("198.51.100.0/24", CountryDatabase.unalias(c("::c633:6400/120")).toString());
    assertEquals(null, CountryDatabase.unalias(c("::ffff:c633:6400/120")));
    assertEquals(null, CountryDatabase.unalias(c("2002:c633:6400::/40")));
    assertEquals(
        "2001:db8:1:0:0:0:0:0/48", CountryDatabase.unalias(c("2001:db8:1::/48")).toString());
  }
}
