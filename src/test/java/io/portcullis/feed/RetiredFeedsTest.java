package io.portcullis.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.Origin;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetiredFeedsTest {
  @TempDir Path cache;
  private final List<String> warnings = new ArrayList<>();

  private static FeedSettings feed(String name, String jail, Path file) {
    return new FeedSettings(
        name,
        null,
        file,
        new FeedFormat.Plain(),
        Duration.ofMinutes(10),
        jail,
        Duration.ofMinutes(30),
        1000,
        Duration.ofSeconds(10),
        Origin.NONE);
  }

  private void kept(String name, String jail, String source, String... entries) throws IOException {
    Files.writeString(cache.resolve(name + ".list"), String.join("\n", entries) + "\n");
    Files.writeString(
        cache.resolve(name + ".meta"),
        "source=" + source + "\njail=" + jail + "\ngood=1700000000\n");
  }

  private static IpAddress ip(String s) {
    return IpAddress.parseOrNull(s);
  }

  @Test
  void read_feedStillConfigured_isNotRetired() throws IOException {
    Path src = Path.of("/srv/list.txt");
    kept("honeypot", "asterisk", src.toString(), "192.0.2.1");
    RetiredFeeds r =
        RetiredFeeds.read(cache, List.of(feed("honeypot", "asterisk", src)), warnings::add);
    assertThat(r.retired()).isEmpty();
    assertThat(r.listed("asterisk", ip("192.0.2.1"))).isFalse();
  }

  @Test
  void read_feedRemoved_listsItsEntriesForItsJailOnly_andForgetDeletesTheKeptList()
      throws IOException {
    kept("honeypot", "asterisk", "/srv/list.txt", "192.0.2.1", "203.0.113.128/25", "junk", "");
    RetiredFeeds r = RetiredFeeds.read(cache, List.of(), warnings::add);
    assertThat(r.retired()).containsExactly(new RetiredFeeds.Retired("honeypot", "asterisk", 2));
    assertThat(r.listed("asterisk", ip("192.0.2.1"))).isTrue();
    assertThat(r.listed("asterisk", ip("203.0.113.128/25"))).isTrue();
    assertThat(r.listed("sshd", ip("192.0.2.1"))).as("another jail's element").isFalse();
    assertThat(r.listed("asterisk", ip("192.0.2.2"))).isFalse();
    r.forget(warnings::add);
    assertThat(r.listed("asterisk", ip("192.0.2.1")))
        .as("settled: nothing more to remove")
        .isFalse();
    assertThat(cache.resolve("honeypot.list")).doesNotExist();
    assertThat(cache.resolve("honeypot.meta")).doesNotExist();
    assertThat(warnings).isEmpty();
  }

  @Test
  void read_feedPointedAtAnotherJail_retiresTheOldJailsEntries_keepsTheFilesForTheFeed()
      throws IOException {
    Path src = Path.of("/srv/list.txt");
    kept("honeypot", "asterisk", src.toString(), "192.0.2.1");
    RetiredFeeds r =
        RetiredFeeds.read(cache, List.of(feed("honeypot", "sshd", src)), warnings::add);
    assertThat(r.listed("asterisk", ip("192.0.2.1"))).isTrue();
    assertThat(r.listed("sshd", ip("192.0.2.1"))).isFalse();
    r.forget(warnings::add);
    // the feed overwrites its own files with its next good list
    assertThat(cache.resolve("honeypot.list")).exists();
  }

  @Test
  void read_noCacheDirectory_isNone() {
    RetiredFeeds r = RetiredFeeds.read(cache.resolve("absent"), List.of(), warnings::add);
    assertThat(r.retired()).isEmpty();
    RetiredFeeds none = RetiredFeeds.read(null, List.of(), warnings::add);
    assertThat(none.retired()).isEmpty();
  }
}
