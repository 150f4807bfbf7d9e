package io.portcullis.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedSettingsTest {
  @TempDir Path dir;

  private List<FeedSettings> read(String text) throws Exception {
    Files.writeString(dir.resolve("portcullis.conf"), "[Definition]\nloglevel = INFO\n" + text);
    return FeedSettings.read(dir);
  }

  @Test
  void noFeedSections_noFeeds() throws Exception {
    assertThat(read("")).isEmpty();
  }

  @Test
  void sections_areRead_withTheirDefaults() throws Exception {
    List<FeedSettings> f =
        read(
            "[feed-apiban]\nurl = https://apiban.org/api/KEY/banned\nformat = apiban\njail = asterisk\n"
                + "[feed-local]\nfile = /etc/portcullis/bad.csv\nformat = csv\ncolumn = 2\nheader = yes\n"
                + "jail = sshd\ninterval = 10m\nbantime = 1h\nmaxentries = 5000\n");
    assertThat(f).hasSize(2);
    FeedSettings api = f.get(0);
    assertThat(api.name()).isEqualTo("apiban");
    assertThat(api.format()).isInstanceOf(FeedFormat.Apiban.class);
    assertThat(api.interval()).isEqualTo(Duration.ofHours(1));
    assertThat(api.bantime()).isEqualTo(Duration.ofHours(3));
    assertThat(api.maxentries()).isEqualTo(100_000);
    // the API key in the URL's path never reaches status or the log
    assertThat(api.source()).isEqualTo("https://apiban.org/...");
    FeedSettings local = f.get(1);
    assertThat(local.format()).isEqualTo(new FeedFormat.Csv(2, ',', true));
    assertThat(local.maxentries()).isEqualTo(5000);
  }

  @Test
  void everyProblem_isReported_withFileAndLine() {
    assertThatThrownBy(
            () ->
                read(
                    "[feed-x]\nurl = ftp://example.org/list\nformat = xml\njail = asterisk\n"
                        + "interval = 1h\nbantime = 30m\nmaxentrys = 5\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("portcullis.conf:4: url: 'ftp://example.org/list' is not an http://")
        .hasMessageContaining("portcullis.conf:5: format: 'xml' is not a feed format")
        .hasMessageContaining("portcullis.conf:8: bantime: 30m is not longer than interval (1h)")
        .hasMessageContaining("portcullis.conf:9: unknown option 'maxentrys'");
  }

  @Test
  void jsonWithoutPath_andNoJail_areRefused() {
    assertThatThrownBy(() -> read("[feed-j]\nurl = http://192.0.2.1/x.json\nformat = json\n"))
        .hasMessageContaining("format = json needs a path")
        .hasMessageContaining("jail: missing");
  }
}
