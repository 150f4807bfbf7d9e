package io.portcullis.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small config in fail2ban's layout, written here, with one of each difference. */
class Fail2banConfigCheckTest {
  @TempDir Path dir;

  @Test
  void check_listsJailsNotStarted_actionsNotRunOrRunDifferently_andServerSettings()
      throws Exception {
    Path log = Files.createFile(dir.resolve("x.log"));
    Files.createDirectories(dir.resolve("filter.d"));
    Files.createDirectories(dir.resolve("action.d"));
    Files.writeString(
        dir.resolve("fail2ban.conf"),
        "[Definition]\nsocket = /run/f2b.sock\ndbfile = /var/lib/f2b.sqlite3\nallowipv6 = auto\n");
    Files.writeString(
        dir.resolve("filter.d/good.conf"), "[Definition]\nfailregex = ^bad <HOST>$\n");
    Files.writeString(
        dir.resolve("filter.d/broken.conf"), "[Definition]\nfailregex = ^bad (<HOST>$\n");
    Files.writeString(
        dir.resolve("action.d/mail.conf"), "[Definition]\nactionban = mail -s x root\n");
    Files.writeString(
        dir.resolve("action.d/nftables.conf"),
        "[Definition]\nactionban = nft add element x <ip>\n");
    Files.writeString(
        dir.resolve("jail.conf"),
        String.join(
            "\n",
            "[plain]",
            "enabled = true",
            "filter = good",
            "logpath = " + log,
            "action = nftables",
            "[mailing]",
            "enabled = true",
            "filter = good",
            "logpath = " + log,
            "action = mail[dest=root]",
            "         smtp.py[host=localhost]",
            "         nosuch",
            "[regexless]",
            "enabled = true",
            "filter = broken",
            "logpath = " + log,
            "[off]",
            "filter = good",
            ""));

    Fail2banConfigCheck.Report r = Fail2banConfigCheck.check(dir);

    assertThat(r.started())
        .containsExactly(
            new Fail2banConfigCheck.Started("plain", log + " (backend auto: inotify)"),
            new Fail2banConfigCheck.Started("mailing", log + " (backend auto: inotify)"));
    assertThat(r.disabled()).containsExactly("off");
    assertThat(r.differences())
        .extracting(d -> d.kind() + " " + d.jail() + " " + d.detail())
        .anySatisfy(
            d ->
                assertThat(d)
                    .startsWith(
                        "SERVER_SETTING null dbfile /var/lib/f2b.sqlite3: Portcullis keeps its own store"))
        .anySatisfy(d -> assertThat(d).startsWith("SERVER_SETTING null socket /run/f2b.sock"))
        .anySatisfy(
            d -> assertThat(d).isEqualTo("SERVER_SETTING null allowipv6: not used by Portcullis"))
        .anySatisfy(
            d -> assertThat(d).startsWith("HINT plain action 'nftables' runs as in fail2ban"))
        .anySatisfy(
            d ->
                assertThat(d)
                    .startsWith(
                        "ACTION_RUN_DIFFERENTLY mailing action 'mail': fail2ban runs action.d/mail.conf"))
        .anySatisfy(
            d -> assertThat(d).startsWith("ACTION_NOT_RUN mailing ").contains("action 'smtp.py'"))
        .anySatisfy(d -> assertThat(d).startsWith("HINT mailing action 'smtp.py' is Python code"))
        .anySatisfy(
            d -> assertThat(d).startsWith("ACTION_NOT_RUN mailing ").contains("action 'nosuch'"))
        .anySatisfy(
            d -> assertThat(d).startsWith("JAIL_NOT_STARTED regexless ").contains("filter broken"));
  }
}
