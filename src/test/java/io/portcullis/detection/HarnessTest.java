package io.portcullis.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.filter.FilterSpec;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The detection harness itself: it passes a filter that anchors on its own side of the line and
 * catches one that does not.
 */
class HarnessTest {
  private static final String LINE = "2024-05-01 10:00:00 Login of '%s' failed from %s";

  /** Anchored: the address closes the line, where the client cannot write. */
  private static final ShippedFilter SAFE =
      ShippedFilter.of(spec("^\\s*Login of '.*' failed from <ADDR>$"));

  /** Not anchored: the first "failed from" wins, wherever the client wrote it. */
  private static final ShippedFilter UNSAFE =
      ShippedFilter.of(spec("^\\s*Login of '.*?' failed from <ADDR>"));

  private static FilterSpec spec(String failregex) {
    return new FilterSpec(
        "harness",
        null,
        List.of(new FilterSpec.Source(failregex, "failregex[0]")),
        List.of(),
        List.of(),
        1,
        null,
        false);
  }

  /** A user name the client sent and the real source. */
  record Login(String user, IpAddress source) {}

  @Test
  void anchoredFilter_takesTheSourceWhateverTheUserHolds() {
    Gen<Login> logins =
        Gen.combine(
            Hostile.values(Alphabet.LINE, List.of(String.format(LINE, "x", "{victim}"))),
            Addresses.sources(),
            Login::new);
    Properties.check(
        "HarnessTest.anchoredFilter_takesTheSourceWhateverTheUserHolds",
        300,
        logins,
        l -> {
          CaseCounter.count("harness");
          SAFE.read(String.format(LINE, l.user(), l.source())).failureFrom(l.source());
        });
  }

  @Test
  void unanchoredFilter_isCaughtTakingTheVictim() {
    IpAddress source = IpAddress.parse("203.0.113.5");
    String line = String.format(LINE, Hostile.fill("x' failed from {victim}"), source);
    assertThatThrownBy(() -> UNSAFE.read(line).takesOnly(source))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("blamed on 192.0.2.10");
  }

  @Test
  void lineOfClassNeither_withAMatch_isReported() {
    assertThatThrownBy(() -> SAFE.read(String.format(LINE, "u", "203.0.113.5")).nothing())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected nothing");
  }

  @Test
  void alphabets_cutWhatTheProtocolForbids() {
    assertThat(Alphabet.TOKEN.cut("a b\tc\nd")).isEqualTo("abcd");
    assertThat(Alphabet.LINE.cut("a\r\nb")).isEqualTo("ab");
    assertThat(Alphabet.URI.cut("sip:<x>\"y z")).isEqualTo("sip:xy" + "z");
    assertThat(Hostile.fill("{victim} {victim6}")).isEqualTo("192.0.2.10 2001:db8::10");
  }

  @AfterAll
  static void report() {
    System.out.println(CaseCounter.report("harness"));
  }
}
