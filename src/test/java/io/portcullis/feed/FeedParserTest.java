package io.portcullis.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.net.IpAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedParserTest {
  private static List<String> texts(FeedEntries e) {
    return e.entries().stream().map(IpAddress::toString).toList();
  }

  @Test
  void plain_takesTheFirstWord_skipsCommentsAndCountsWhatIsNotAnAddress() throws Exception {
    FeedEntries e =
        FeedParser.parse(
            new FeedFormat.Plain(),
            List.of(
                "# a list\n203.0.113.7\n198.51.100.0/24 ; SBL1\n\n2001:db8::7  12 hits\n"
                    + "; comment\nnot-an-ip\n$(reboot)\n203.0.113.7\n"),
            100);
    assertThat(texts(e)).containsExactly("203.0.113.7", "198.51.100.0/24", "2001:db8::7");
    assertThat(e.invalid()).isEqualTo(2);
    assertThat(e.samples()).containsExactly("not-an-ip", "$(reboot)");
  }

  @Test
  void networksThatCutTooMuch_areRefused() throws Exception {
    FeedEntries e =
        FeedParser.parse(
            new FeedFormat.Plain(),
            List.of("0.0.0.0/0\n::/0\n127.0.0.1\n10.0.0.0/7\n::1\n2001:db8::/15\n192.0.2.1\n"),
            100);
    assertThat(texts(e)).containsExactly("192.0.2.1");
    assertThat(e.refused()).isEqualTo(6);
  }

  @Test
  void networkInsideAnotherOfTheList_isDropped() throws Exception {
    FeedEntries e =
        FeedParser.parse(
            new FeedFormat.Plain(),
            List.of("198.51.100.0/25\n198.51.100.0/24\n198.51.100.7\n"),
            100);
    assertThat(texts(e)).containsExactly("198.51.100.0/24", "198.51.100.7");
  }

  @Test
  void maxentries_keepsTheFirst_andCountsTheRest() throws Exception {
    FeedEntries e =
        FeedParser.parse(
            new FeedFormat.Plain(), List.of("192.0.2.1\n192.0.2.2\n192.0.2.3\n192.0.2.4\n"), 2);
    assertThat(texts(e)).containsExactly("192.0.2.1", "192.0.2.2");
    assertThat(e.overLimit()).isEqualTo(2);
  }

  @Test
  void csv_readsItsColumn_skippingTheHeaderAndQuotes() throws Exception {
    FeedEntries e =
        FeedParser.parse(
            new FeedFormat.Csv(2, ',', true),
            List.of(
                "first_seen,ip,port\n2026-01-01,\"203.0.113.9\",5060\n2026-01-02,2001:db8::9,5061\nshort\n"),
            100);
    assertThat(texts(e)).containsExactly("203.0.113.9", "2001:db8::9");
    assertThat(e.invalid()).isEqualTo(1);
  }

  @Test
  void json_followsItsPath() throws Exception {
    String body =
        "{\"data\":[{\"ip\":\"203.0.113.1\"},{\"ip\":\"2001:db8::1\"},{\"ip\":42},{\"other\":1}]}";
    FeedEntries e =
        FeedParser.parse(new FeedFormat.Json(JsonPath.parse("data[].ip")), List.of(body), 100);
    assertThat(texts(e)).containsExactly("203.0.113.1", "2001:db8::1");
    assertThat(e.invalid()).isEqualTo(1);
    FeedEntries top =
        FeedParser.parse(
            new FeedFormat.Json(JsonPath.parse("$.ipaddress[*]")),
            List.of("{\"ipaddress\":[\"198.51.100.3\"],\"ID\":\"1\"}"),
            100);
    assertThat(texts(top)).containsExactly("198.51.100.3");
    FeedEntries array =
        FeedParser.parse(
            new FeedFormat.Json(JsonPath.parse("[].address")),
            List.of("[{\"address\":\"192.0.2.44\"}]"),
            100);
    assertThat(texts(array)).containsExactly("192.0.2.44");
  }

  @Test
  void json_thatIsNotJson_isACorruptBody() {
    assertThatThrownBy(
            () ->
                FeedParser.parse(
                    new FeedFormat.Json(JsonPath.parse("a[]")), List.of("<html>oops"), 100))
        .isInstanceOf(FeedParser.CorruptBody.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void jsonPath_withAnythingButNames_isRefused() {
    assertThatThrownBy(() -> JsonPath.parse("$..a")).hasMessageContaining("is not a path");
    assertThatThrownBy(() -> JsonPath.parse("a[0]")).hasMessageContaining("is not a path");
    assertThatThrownBy(() -> JsonPath.parse("$")).hasMessageContaining("empty path");
  }

  @Test
  void hundredThousandLines_parseInSeconds_andPrintTheirHeap() throws Exception {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      body.append("2001:db8:f::")
          .append(Integer.toHexString(i >> 16))
          .append(':')
          .append(Integer.toHexString(i & 0xffff))
          .append('\n');
    }
    String text = body.toString();
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    long t0 = System.nanoTime();
    FeedEntries e = FeedParser.parse(new FeedFormat.Plain(), List.of(text), 200_000);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.gc();
    long after = rt.totalMemory() - rt.freeMemory();
    assertThat(e.entries()).hasSize(100_000);
    System.out.printf(
        "FeedParserTest: 100000 lines parsed in %d ms, entries hold about %d MiB%n",
        ms, Math.max(0, after - before) >> 20);
    assertThat(ms).isLessThan(10_000);
  }
}
