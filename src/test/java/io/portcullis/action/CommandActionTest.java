package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.ActionReader;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandActionTest {
  @TempDir Path dir;

  private CommandAction action(String definition, Map<String, String> options) throws Exception {
    Files.createDirectories(dir.resolve("conf/action.d"));
    Files.writeString(dir.resolve("conf/action.d/t.conf"), definition);
    Map<String, String> props =
        ActionReader.read(
            dir.resolve("conf"), "t", options, Map.of("port", "5060", "protocol", "udp"));
    return new CommandAction("t", "asterisk", props, List.of(), m -> {});
  }

  private static BanDecision ban(String ip, String user, List<String> matches) {
    return new BanDecision(
        "asterisk",
        ip,
        IpAddress.parse(ip),
        Instant.ofEpochSecond(1714557600),
        Duration.ofHours(1),
        2,
        5,
        matches,
        Map.of("user", user));
  }

  @Test
  void logText_inTags_isNeverRunByTheShell_whateverTheQuotes() throws Exception {
    Path out = dir.resolve("out.txt");
    String evil =
        "$(touch "
            + dir.resolve("pwned1")
            + ")`touch "
            + dir.resolve("pwned2")
            + "`;touch "
            + dir.resolve("pwned3");
    CommandAction a =
        action(
            "[Definition]\n"
                + "actionban = echo <ip> <F-USER> >> "
                + out
                + "\n"
                + "            printf '%%s\\n' \"<F-USER>\" >> "
                + out
                + "\n"
                + "            echo '<matches>' >> "
                + out
                + "\n"
                + "            printf '%%s\\n' \"<matches>\" >> "
                + out
                + "\n",
            Map.of());
    a.ban(ban("203.0.113.5", evil, List.of("line with " + evil)));
    assertThat(dir.resolve("pwned1")).doesNotExist();
    assertThat(dir.resolve("pwned2")).doesNotExist();
    assertThat(dir.resolve("pwned3")).doesNotExist();
    String written = Files.readString(out);
    assertThat(written)
        .contains("203.0.113.5 $(touch")
        .contains(evil)
        .contains("line with " + evil);
  }

  @Test
  void staticAndPerBanTags_areFilled_andInet6UsesItsConditionalValues() throws Exception {
    Path out = dir.resolve("out.txt");
    CommandAction a =
        action(
            "[Definition]\nactionstart = echo start <name> <port> >> "
                + out
                + "\n"
                + "actionban = echo ban <ip> <chain> <bantime> <failures> <bancount> <family> >> "
                + out
                + "\n"
                + "actionunban = echo unban <ip> >> "
                + out
                + "\n"
                + "[Init]\nchain = INPUT\n[Init?family=inet6]\nchain = INPUT6\n",
            Map.of());
    a.start();
    a.ban(ban("203.0.113.5", "u", List.of()));
    a.ban(ban("2001:db8::5", "u", List.of()));
    a.unban(ban("203.0.113.5", "u", List.of()));
    assertThat(Files.readAllLines(out))
        .containsExactly(
            "start asterisk 5060",
            "ban 203.0.113.5 INPUT 3600 5 2 inet4",
            "ban 2001:db8::5 INPUT6 3600 5 2 inet6",
            "unban 203.0.113.5");
  }

  @Test
  void norestored_skipsBansRestoredAtStart_andOptionsFromTheJailLineWin() throws Exception {
    Path out = dir.resolve("out.txt");
    CommandAction a =
        action(
            "[Definition]\nnorestored = 1\nactionban = echo <ip> <dest> >> "
                + out
                + "\n[Init]\ndest = root\n",
            Map.of("dest", "admin@example.org"));
    a.restore(ban("203.0.113.5", "u", List.of()));
    assertThat(out).doesNotExist();
    a.ban(ban("203.0.113.6", "u", List.of()));
    assertThat(Files.readString(out).strip()).isEqualTo("203.0.113.6 admin@example.org");
  }

  @Test
  void knownTag_inTheJailsOptions_meansTheActionFilesOwnValue() throws Exception {
    Path out = dir.resolve("out.txt");
    // fail2ban's jail.conf passes chain="<known/chain>" to its actions
    CommandAction a =
        action(
            "[Definition]\nactionban = echo <chain> <ip> >> "
                + out
                + "\n[Init]\nchain = f2b-INPUT\n",
            Map.of("chain", "<known/chain>"));
    a.ban(ban("203.0.113.5", "u", List.of()));
    assertThat(Files.readString(out).strip()).isEqualTo("f2b-INPUT 203.0.113.5");
  }
}
