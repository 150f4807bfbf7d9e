package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.Durations;
import io.portcullis.config.IniConfig;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.config.ServerSettings;
import io.portcullis.shield.NetworkPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** portcullis.conf(5) is generated from ConfigManual: it must say what the readers do. */
class ConfigManualTest {
  @TempDir Path dir;

  private final Map<String, String> documented =
      new CommandLine(new ConfigManual())
          .getCommandSpec().options().stream()
              .collect(
                  Collectors.toMap(
                      OptionSpec::longestName,
                      o -> o.defaultValue() == null ? "" : o.defaultValue()));

  @Test
  void serverDefaults_areThoseOfServerSettings() {
    ServerSettings s = ServerSettings.read(dir);
    assertThat(documented.get("loglevel")).isEqualTo(s.loglevel());
    assertThat(documented.get("logtarget")).isEqualTo(s.logtarget());
    assertThat(Path.of(documented.get("socket"))).isEqualTo(s.socket());
    assertThat(Path.of(documented.get("pidfile"))).isEqualTo(s.pidfile());
    assertThat(Path.of(documented.get("dbfile"))).isEqualTo(s.dbfile());
    assertThat(Durations.parse(documented.get("dbpurgeage"))).isEqualTo(s.dbpurgeage());
    assertThat(Durations.parse(documented.get("reconcileinterval"))).isEqualTo(s.reconcile());
    assertThat(Durations.parse(documented.get("countrydbcheck"))).isEqualTo(s.countrydbcheck());
    assertThat(documented.get("netns")).isEmpty();
    assertThat(s.netns()).isNull();
  }

  @Test
  void jailDefaults_areThoseOfJailsReader() throws IOException {
    Files.createDirectories(dir.resolve("filter.d"));
    Files.writeString(dir.resolve("filter.d/f.conf"), "[Definition]\nfailregex = ^fail <HOST>$\n");
    Files.writeString(
        dir.resolve("jail.conf"),
        "[plain]\nfilter = f\nlogpath = /x.log\n"
            + "[increasing]\nfilter = f\nlogpath = /x.log\nbantime.increment = true\n");
    JailDefinition j = JailsReader.readJail(dir, "plain");
    assertThat(JailsReader.read(dir).disabled()).contains("plain");
    assertThat(documented.get("enabled")).isEqualTo("false");
    assertThat(Integer.parseInt(documented.get("maxretry"))).isEqualTo(j.maxretry());
    assertThat(Durations.parse(documented.get("findtime"))).isEqualTo(j.findtime());
    assertThat(Durations.parse(documented.get("bantime"))).isEqualTo(j.bantime());
    assertThat(Durations.parse(documented.get("allowtime"))).isEqualTo(j.allowtime());
    assertThat(documented.get("backend")).isEqualTo(j.backend().configName());
    assertThat(documented.get("usedns")).isEqualTo(j.usedns().configName());
    assertThat(Boolean.parseBoolean(documented.get("systemd_if_nologs")))
        .isEqualTo(j.systemdIfNologs());
    assertThat(Boolean.parseBoolean(documented.get("ignoreself"))).isEqualTo(j.ignoreself());
    assertThat(j.maxmatches()).isEqualTo(j.maxretry()); // "default: maxretry"
    assertThat(Integer.parseInt(documented.get("allowfailures")))
        .isEqualTo(j.guards().allowfailures());
    assertThat(Integer.parseInt(documented.get("accountmaxretry")))
        .isEqualTo(j.guards().accountmaxretry());
    assertThat(j.guards().accountfindtime()).isEqualTo(j.findtime()); // "default: findtime"
    assertThat(Durations.parse(documented.get("accountbantime")))
        .isEqualTo(j.guards().accountbantime());
    assertThat(Durations.parse(documented.get("accountallowtime")))
        .isEqualTo(j.guards().accountallowtime());
    assertThat(Integer.parseInt(documented.get("maxusers"))).isEqualTo(j.guards().maxusers());
    assertThat(j.registrations()).isEmpty();
    assertThat(NetworkPolicy.parse(documented.get("netban6"), false))
        .isEqualTo(NetworkPolicy.DEFAULT.v6());
    assertThat(NetworkPolicy.parse(documented.get("netban4"), true))
        .isEqualTo(NetworkPolicy.DEFAULT.v4());
    assertThat(documented.get("bantime.increment")).isEqualTo("false");
    assertThat(j.increment().enabled()).isFalse();

    JailDefinition.Increment inc = JailsReader.readJail(dir, "increasing").increment();
    assertThat(Double.parseDouble(documented.get("bantime.factor"))).isEqualTo(inc.factor());
    assertThat(Boolean.parseBoolean(documented.get("bantime.overalljails")))
        .isEqualTo(inc.overalljails());
  }

  @Test
  void fleetDefaults_areThoseOfFleetSettings() throws IOException {
    java.nio.file.Files.writeString(
        dir.resolve("portcullis.conf"), "[fleet]\nredis = redis://127.0.0.1:6379/0\n");
    io.portcullis.fleet.FleetSettings f = io.portcullis.fleet.FleetSettings.read(dir);
    assertThat(Integer.parseInt(documented.get("queue"))).isEqualTo(f.queue());
    assertThat(Long.parseLong(documented.get("maxlen"))).isEqualTo(f.maxlen());
    assertThat(documented.get("prefix")).isEqualTo(f.prefix());
    assertThat(documented.get("share")).isEqualTo("all");
    assertThat(f.share()).isEmpty();
    assertThat(documented.get("accept")).isEqualTo("all");
    assertThat(f.accept()).isEmpty();
  }

  @Test
  void feedDefaults_areThoseOfFeedSettings() throws IOException {
    java.nio.file.Files.writeString(
        dir.resolve("portcullis.conf"), "[feed-x]\nurl = http://192.0.2.1/l\njail = asterisk\n");
    io.portcullis.feed.FeedSettings f = io.portcullis.feed.FeedSettings.read(dir).get(0);
    assertThat(io.portcullis.config.Durations.parse(documented.get("interval")))
        .isEqualTo(f.interval());
    assertThat(io.portcullis.config.Durations.parse(documented.get("timeout")))
        .isEqualTo(f.timeout());
    assertThat(Integer.parseInt(documented.get("maxentries"))).isEqualTo(f.maxentries());
    assertThat(documented.get("format")).isEqualTo(f.format().describe());
    assertThat(f.bantime()).isEqualTo(f.interval().multipliedBy(3));
  }

  @Test
  void everySettingTheShippedConfigUses_isDocumented() {
    Path shipped = Path.of(System.getProperty("portcullis.config.dir", "config"));
    Set<String> used = new TreeSet<>();
    IniConfig server = IniConfig.load(shipped, "portcullis");
    used.addAll(server.options("Definition", false));
    IniConfig jails = IniConfig.load(shipped, "jail");
    for (String section : jails.sectionNames()) {
      if (!section.equals("INCLUDES")) {
        used.addAll(jails.options(section, true));
      }
    }
    assertThat(used).isNotEmpty();
    assertThat(documented.keySet()).containsAll(used);
  }
}
