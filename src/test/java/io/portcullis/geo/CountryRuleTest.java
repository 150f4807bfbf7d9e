package io.portcullis.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CountryRuleTest {
  @Test
  void parse_allowList_caseInsensitive() {
    CountryRule r = CountryRule.parse("Allow de fr AT");
    assertEquals(CountryRule.Mode.ALLOW, r.mode());
    assertEquals(Set.of("DE", "FR", "AT"), r.codes());
    assertEquals("allow AT DE FR", r.toString());
  }

  @Test
  void admits_denyRule_letsUnknownAndOthersThrough() {
    CountryRule r = CountryRule.parse("deny CN RU");
    assertFalse(r.admits("CN"));
    assertTrue(r.admits("DE"));
    assertTrue(r.admits(null));
  }

  @Test
  void admits_allowRule_dropsUnknown() {
    CountryRule r = CountryRule.parse("allow DE");
    assertTrue(r.admits("DE"));
    assertFalse(r.admits("CN"));
    assertFalse(r.admits(null));
  }

  @Test
  void parse_off_isOff() {
    assertTrue(CountryRule.parse("off").isOff());
    assertTrue(CountryRule.parse("").isOff());
  }

  @Test
  void parse_badCode_namesIt() {
    var e = assertThrows(IllegalArgumentException.class, () -> CountryRule.parse("deny CN ZZ"));
    assertTrue(e.getMessage().contains("'ZZ'"), e.getMessage());
  }

  @Test
  void parse_bothAllowAndDeny_isRefused() {
    var e =
        assertThrows(IllegalArgumentException.class, () -> CountryRule.parse("allow DE deny CN"));
    assertTrue(e.getMessage().contains("both allow and deny"), e.getMessage());
  }

  @Test
  void parse_noVerb_isRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> CountryRule.parse("DE FR"));
    assertTrue(e.getMessage().contains("allow or deny"), e.getMessage());
  }

  @Test
  void parse_verbOnly_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> CountryRule.parse("deny"));
  }
}
