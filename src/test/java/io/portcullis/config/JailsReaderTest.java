package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JailsReaderTest {
  @TempDir Path dir;

  private void setUp(String jailConf) throws IOException {
    Files.createDirectories(dir.resolve("filter.d"));
    Files.writeString(
        dir.resolve("filter.d/f.conf"), "[Definition]\nfailregex = ^\\s*fail from <HOST>$\n");
    Files.writeString(dir.resolve("jail.conf"), jailConf);
  }

  @Test
  void durations_followFail2bansSyntax() {
    assertThat(Durations.parse("600")).isEqualTo(Duration.ofSeconds(600));
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1w")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("2 days")).isEqualTo(Duration.ofDays(2));
    assertThat(Durations.parse("-1")).isEqualTo(Durations.FOREVER);
    assertThatThrownBy(() -> Durations.parse("10x"))
        .hasMessage("'10x' is not a duration (try 600, 10m, 1h30m, 1w, -1)");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
  }

  @Test
  void enabledJail_isReadWithDefaultsAndFilter() throws IOException {
    setUp(
        "[DEFAULT]\nbantime = 1h\n[a]\nenabled = true\nfilter = f\nlogpath = /var/log/x.log\nmaxretry = 3\nignoreip = 192.0.2.0/24, 2001:db8::1\n[b]\nfilter = f\n");
    JailsReader.Jails jails = JailsReader.read(dir);
    assertThat(jails.disabled()).containsExactly("b");
    JailDefinition a = jails.enabled().get(0);
    assertThat(a.bantime()).isEqualTo(Duration.ofHours(1));
    assertThat(a.findtime()).isEqualTo(Duration.ofMinutes(10));
    assertThat(a.maxretry()).isEqualTo(3);
    assertThat(a.ignoreip()).containsExactly("192.0.2.0/24", "2001:db8::1");
    assertThat(a.allowtime()).isEqualTo(Duration.ofDays(1));
    assertThat(a.filter().failregex()).hasSize(1);
  }

  @Test
  void badValues_areAllReported_withFileLineAndWhatIsValid() throws IOException {
    setUp(
        "[a]\nenabled = true\nfilter = f\nlogpath = /x\nbantime = 10x\nmaxretry = many\nusedns = maybe\n[b]\nenabled = true\nfilter = nosuch\nlogpath = /x\n[c]\nenabled = true\nfilter = f\nlogpath = /x\n");
    JailsReader.Jails jails = JailsReader.read(dir);
    assertThat(jails.enabled()).extracting(JailDefinition::name).containsExactly("c");
    assertThat(jails.broken().get("a"))
        .extracting(Throwable::getMessage)
        .anySatisfy(m -> assertThat(m).contains("jail.conf:5: bantime: '10x' is not a duration"))
        .anySatisfy(m -> assertThat(m).contains("jail.conf:6: maxretry: 'many'"))
        .anySatisfy(
            m -> assertThat(m).contains("usedns: 'maybe' is not valid (try yes, warn, no, raw)"));
    assertThat(jails.broken().get("b"))
        .extracting(Throwable::getMessage)
        .anySatisfy(m -> assertThat(m).contains("filter 'nosuch' not found"));
  }

  @Test
  void jailOptionsReachTheFilter_andActionsSplitAtTopLevel() throws IOException {
    setUp(
        "[a]\nenabled = true\nfilter = f[mode=x]\nlogpath = /x\naction = log[name=one]\n  log[name=two, text=\"a b\"][more=1]\n");
    JailDefinition a = JailsReader.read(dir).enabled().get(0);
    assertThat(a.actions()).hasSize(2);
    assertThat(a.actions().get(1).options())
        .containsEntry("name", "two")
        .containsEntry("text", "a b")
        .containsEntry("more", "1");
  }

  @Test
  void maxtrackedmemory_isASize_withADefault_andAFloor() throws IOException {
    setUp(
        "[a]\nenabled = true\nfilter = f\nlogpath = /x\nmaxtrackedmemory = 8M\n[b]\nenabled = true\nfilter = f\nlogpath = /x\n[c]\nenabled = true\nfilter = f\nlogpath = /x\nmaxtrackedmemory = 1K\n[d]\nenabled = true\nfilter = f\nlogpath = /x\nmaxtrackedmemory = lots\n");
    JailsReader.Jails jails = JailsReader.read(dir);
    assertThat(jails.enabled())
        .extracting(JailDefinition::maxtrackedmemory)
        .containsExactly(8L << 20, JailDefinition.DEFAULT_MAX_TRACKED_MEMORY);
    assertThat(jails.broken().get("c"))
        .extracting(Throwable::getMessage)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("jail.conf:14: maxtrackedmemory: '1K' is too small (at least 64K)"));
    assertThat(jails.broken().get("d"))
        .extracting(Throwable::getMessage)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("maxtrackedmemory: 'lots' is not a size (try 32M, 512K, 1G)"));
  }

  @Test
  void byteSizes_readPowersOf1024() {
    assertThat(ByteSizes.parse("32M")).isEqualTo(32L << 20);
    assertThat(ByteSizes.parse("512k")).isEqualTo(512L << 10);
    assertThat(ByteSizes.parse("1GiB")).isEqualTo(1L << 30);
    assertThat(ByteSizes.parse("2 MB")).isEqualTo(2L << 20);
    assertThat(ByteSizes.parse("4096")).isEqualTo(4096);
    assertThatThrownBy(() -> ByteSizes.parse("1T"))
        .hasMessage("'1T' is not a size (try 32M, 512K, 1G)");
    assertThat(ByteSizes.format(32L << 20)).isEqualTo("32M");
    assertThat(ByteSizes.format(1536L << 20)).isEqualTo("1.5G");
    assertThat(ByteSizes.format(100)).isEqualTo("100 bytes");
  }
}
