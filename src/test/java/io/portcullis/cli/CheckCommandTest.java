package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {
  @TempDir Path dir;
  private Path conf;
  private Path log;

  @BeforeEach
  void setUp() throws IOException {
    conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(conf.resolve("filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("filter.d/asterisk.conf"));
    Files.copy(Path.of("config/filter.d/sshd.conf"), conf.resolve("filter.d/sshd.conf"));
    log = Files.createFile(dir.resolve("messages"));
    Files.writeString(conf.resolve("portcullis.conf"), "[Definition]\ndbfile = none\n");
  }

  private String[] check() {
    return io.portcullis.testing.InProcessCli.run("check", "--config", conf.toString());
  }

  @Test
  void badPort_isAConfigError_withFileAndLine_whereverItIsWritten() throws IOException {
    // regression: check never read actions, so a bad port passed it and then kept the shared
    // nftables table from being created at start: no jail got firewall bans
    Files.writeString(
        conf.resolve("jail.conf"),
        "[DEFAULT]\nlogpath = "
            + log
            + "\n"
            + "[asterisk]\nenabled = true\nfilter = asterisk\n"
            + "action = firewall[port=\"5060;5061\"]\n"
            + "[sshd]\nenabled = true\nfilter = sshd\nport = 99999\naction = firewall\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            "jail 'asterisk': "
                + conf.resolve("jail.conf")
                + ":6: action 'firewall': port = 5060;5061: '5060;5061' is not a port, a range"
                + " or a service name (try 5060,5061 or 10000-20000 or a service name such as sip)")
        .contains(
            "jail 'sshd': "
                + conf.resolve("jail.conf")
                + ":10: action 'firewall': port = 99999: 99999 is not a port number (0 to 65535)");
  }

  @Test
  void badNetban_isAConfigError_withFileLineAndWhatWouldBeValid() throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nnetban6 = 64:1\naction = firewall\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            conf.resolve("jail.conf")
                + ":5: netban6: '64:1': the count must be at least 2 (try 64:5 48:3)");
  }

  @Test
  void netbanWithTheIpsetBackend_saysTheExceptionForIgnoredAddressesIsMissing() throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\naction = firewall[backend=ipset]\n"
            + "[sshd]\nenabled = true\nfilter = sshd\nlogpath = "
            + log
            + "\nnetban4 = off\nnetban6 = off\naction = firewall[backend=ipset]\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1].split("netban: the ipset backend drops a banned network whole", -1))
        .as("said once, for asterisk only")
        .hasSize(2);
  }

  @Test
  void badRatelimit_isAConfigError_withFileLineAndWhatWouldBeValid() throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nratelimit = 50/10s drop, 10 per minute\naction = firewall\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            conf.resolve("jail.conf")
                + ":5: ratelimit: '10 per minute' is not COUNT/PERIOD [drop|reject] (try 50/10s"
                + " drop, 10/60s reject, or off)");
  }

  @Test
  void ratelimitWithTheIpsetBackend_saysItIsNotApplied() throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nnetban6 = off\nratelimit = 50/10s drop\naction = firewall[backend=ipset]\n"
            + "[sshd]\nenabled = true\nfilter = sshd\nlogpath = "
            + log
            + "\nratelimit = 50/10s drop\naction = firewall[backend=nftables]\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1].split("ratelimit: the ipset backend does not support rate limits", -1))
        .as("said once, for asterisk only")
        .hasSize(2);
    assertThat(r[1]).contains("'50/10s drop' is not applied");
  }

  @Test
  void goodPorts_namesRangesAndLists_pass_andEachJailSaysWhatItReads() throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nport = 5060, sip 10000-20000\nprotocol = udp,tcp\n"
            + "action = firewall[blocktype=reject]\n");
    String[] r = check();
    assertThat(r[2]).isEmpty();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1])
        .contains("jail asterisk")
        .contains(log + " (backend auto: inotify)")
        .contains("1 jail(s) enabled, 0 disabled, 0 broken");
  }

  @Test
  void fleetTrust_isShown_namedNodesOrNone_withWhatThisNodePublishes() throws IOException {
    // check printed the fleet's redis, share and accept but never whom it trusts
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = " + log + "\n");
    Files.writeString(
        conf.resolve("portcullis.conf"),
        "[Definition]\ndbfile = none\n[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = pbx-1\n"
            + "trust = pbx-3 pbx-2\naddress = 192.0.2.7\nrefresh = 5s\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1])
        .contains(
            "fleet: trusts the addresses of pbx-2 pbx-3: they pass rate limits, country rules and"
                + " network bans, until 15s after a node's last publication; publishes 192.0.2.7"
                + " every 5s");

    Files.writeString(
        conf.resolve("portcullis.conf"),
        "[Definition]\ndbfile = none\n[fleet]\nredis = redis://127.0.0.1:6379/0\nnode = pbx-1\n");
    r = check();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1])
        .contains(
            "fleet: trusts no node's addresses (trust = none); publishes its interfaces' addresses"
                + " every 10s");
  }

  @Test
  void autoBackend_withoutTheLogFile_readsTheJournal_andCheckSaysSo() throws IOException {
    // Debian 12 without rsyslog: sshd writes only to the journal, there is no auth.log
    Path missing = dir.resolve("no-auth.log");
    Files.writeString(
        conf.resolve("jail.conf"),
        "[sshd]\nenabled = true\nfilter = sshd\nlogpath = " + missing + "\nbackend = auto\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1])
        .contains("the journal, entries matching _SYSTEMD_UNIT=ssh.service")
        .contains("backend auto: no file for " + missing + ", so the journal");
  }

  @Test
  void shippedConfig_sshdReadsTheJournalWithoutAuthLog_asteriskWaitsForItsFiles()
      throws IOException {
    Path shipped = dir.resolve("shipped");
    try (var files = Files.walk(Path.of("config"))) {
      for (Path p : files.toList()) {
        Path target = shipped.resolve(Path.of("config").relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    Path authLog = dir.resolve("auth.log");
    Files.writeString(
        shipped.resolve("jail.local"),
        "[sshd]\nlogpath = "
            + authLog
            + "\n[asterisk]\nlogpath = "
            + dir.resolve("asterisk-messages")
            + "\n");
    Files.writeString(shipped.resolve("portcullis.local"), "[Definition]\ndbfile = none\n");
    conf = shipped;
    String[] noAuthLog = check();
    assertThat(noAuthLog[0]).isEqualTo("0");
    assertThat(noAuthLog[1])
        .contains("backend auto: no file for " + authLog + ", so the journal")
        .contains(dir.resolve("asterisk-messages") + " (backend auto: inotify; no file yet");
    Files.createFile(authLog);
    assertThat(check()[1]).contains(authLog + " (backend auto: inotify)");
  }

  @Test
  void journalOptions_areChecked() throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[sshd]\nenabled = true\nfilter = sshd\n"
            + "backend = systemd[journalflags=2, journalpath=/x]\n"
            + "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nbackend = polling[journalpath=/x]\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains("journalflags: '2' is not valid")
        .contains("backend: polling takes no options (got journalpath)");
  }

  private void jails(String text) throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[DEFAULT]\nlogpath = " + log + "\n[asterisk]\nenabled = true\nfilter = asterisk\n" + text);
  }

  @Test
  void unknownAction_isAnError_withFileAndLine() throws IOException {
    // regression (issue #12 probe): check passed 'action = nosuchaction'
    jails("action = nosuchaction\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            "error: jail 'asterisk': "
                + conf.resolve("jail.conf")
                + ":6: action 'nosuchaction': action 'nosuchaction' not found: no "
                + conf.resolve("action.d/nosuchaction.conf")
                + " or .local");
  }

  @Test
  void duplicatedSection_inOneFile_isAnError_namingBothLines() throws IOException {
    // regression (issue #12 probe): check passed a second [asterisk] in jail.conf; configparser,
    // which fail2ban reads with, refuses it too
    jails("\n[asterisk]\nbantime = 2h\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            "error: "
                + conf.resolve("jail.conf")
                + ":7: section [asterisk] appears twice in this file (first at line 3)");
  }

  @Test
  void sameSection_inConfAndLocal_isTheUsualOverride_notAnError() throws IOException {
    jails("");
    Files.writeString(conf.resolve("jail.local"), "[asterisk]\nbantime = 2h\n");
    String[] r = check();
    assertThat(r[2]).doesNotContain("error").doesNotContain("warning");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("bantime 2h");
  }

  @Test
  void unknownOption_isAWarning_withFileLine_andTheOptionMeant() throws IOException {
    // regression (issue #12 probe): a mistyped option was silently ignored
    jails("maxretrys = 3\nenable = false\ncolour = blue\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("0");
    Path f = conf.resolve("jail.conf");
    assertThat(r[2])
        .contains(
            "warning: "
                + f
                + ":6: [asterisk] unknown option 'maxretrys' (did you mean 'maxretry'?)")
        .contains(
            "warning: " + f + ":7: [asterisk] unknown option 'enable' (did you mean 'enabled'?)")
        .contains(
            "warning: "
                + f
                + ":8: [asterisk] unknown option 'colour' (neither a jail option nor used by a"
                + " filter or action; it has no effect)");
  }

  @Test
  void optionUsedAsAVariable_byTheJailOrAnActionFile_isNoWarning() throws IOException {
    Files.createDirectories(conf.resolve("action.d"));
    Files.writeString(
        conf.resolve("action.d/notify.conf"),
        "[Definition]\nactionban = /bin/true <ip> <room>\nactionunban = /bin/true\n");
    jails("room = 42\nmyport = 5060\nport = %(myport)s\naction = notify\n");
    String[] r = check();
    assertThat(r[2]).doesNotContain("warning");
    assertThat(r[0]).isEqualTo("0");
  }

  @Test
  void socketPath_thatIsNotASocket_isAnError_andTheFileIsLeftAlone() throws IOException {
    // regression (issue #12 probe): check passed it, and the server deleted the file
    jails("");
    Path file = Files.writeString(dir.resolve("precious.txt"), "keep me\n");
    Files.writeString(
        conf.resolve("portcullis.conf"), "[Definition]\ndbfile = none\nsocket = " + file + "\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            "error: "
                + conf.resolve("portcullis.conf")
                + ":3: socket: "
                + file
                + " exists and is a regular file, not a socket");
    assertThat(Files.readString(file)).isEqualTo("keep me\n");
  }

  @Test
  void socketGroup_thatDoesNotExist_isAnError() throws IOException {
    jails("");
    Files.writeString(
        conf.resolve("portcullis.conf"),
        "[Definition]\ndbfile = none\nsocket = "
            + dir.resolve("s.sock")
            + "\nsocketgroup = no-such-group-x\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            conf.resolve("portcullis.conf")
                + ":4: socketgroup: there is no group 'no-such-group-x' on this machine");
  }

  @Test
  void unknownServerOption_isAWarning() throws IOException {
    jails("");
    Files.writeString(conf.resolve("portcullis.conf"), "[Definition]\ndbfile = none\nsockt = /x\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[2])
        .contains(
            conf.resolve("portcullis.conf")
                + ":3: unknown option 'sockt' in [Definition] (did you mean 'socket'?)");
  }

  @Test
  void configFile_writableByOthers_isRefused_namingIt() throws IOException {
    // a config file can run commands as root through action.d
    jails("");
    Path local = Files.writeString(conf.resolve("jail.local"), "[asterisk]\nbantime = 2h\n");
    Files.setPosixFilePermissions(local, PosixFilePermissions.fromString("rw-rw-rw-"));
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains(
            "error: "
                + local
                + ": refused: it is writable by everybody (mode 0666): a config file can run"
                + " commands as root through action.d, so Portcullis refuses it (chmod o-w "
                + local.toRealPath()
                + ")");
  }

  @Test
  void filterFile_inAGroupWritableDirectory_breaksItsJail_namingTheDirectory() throws IOException {
    jails("");
    Path filters = conf.resolve("filter.d");
    Files.setPosixFilePermissions(filters, PosixFilePermissions.fromString("rwxrwxr-x"));
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2])
        .contains("refused: its directory " + filters.toRealPath() + " is writable by group");
    assertThat(r[1]).contains("1 broken");
  }

  @Test
  void configFile_ownedByAnotherUser_isRefused() throws IOException {
    assumeTrue(isRoot(), "only root can give a file away");
    jails("");
    Path local = Files.writeString(conf.resolve("jail.local"), "[asterisk]\nbantime = 2h\n");
    Files.setOwner(
        local,
        local.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains(local + ": refused: it is owned by user nobody, not root");
  }

  private static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  @Test
  void trustAndAccountOptions_badValuesAndRegistrations_areReportedWithFileAndLine()
      throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nallowfailures = some\naccountmaxretry = -2\naccountfindtime = 0\n"
            + "accountallowtime = soon\nmaxusers = 3\n"
            + "[sshd]\nenabled = true\nfilter = sshd\nlogpath = "
            + log
            + "\nregistrations = kamailio[fifo=run/kamailio.fifo]\n"
            + "                asterisk[username=portcullis, secret=x, port=70000]\n");
    String[] r = check();
    assertThat(r[0]).isEqualTo("2");
    Path jc = conf.resolve("jail.conf");
    assertThat(r[2])
        .contains(jc + ":5: allowfailures: 'some' is not a whole number of at least 0")
        .contains(jc + ":6: accountmaxretry: '-2' is not a whole number of at least 0")
        .contains(jc + ":7: accountfindtime: '0' must be more than 0 (try 10m, 1h)")
        .contains(jc + ":8: accountallowtime: 'soon' is not a duration")
        .contains(
            "jail 'sshd': "
                + jc
                + ":14: registrations 'kamailio': fifo: 'run/kamailio.fifo' is not an absolute"
                + " path")
        .contains(
            "jail 'sshd': "
                + jc
                + ":14: registrations 'asterisk': port: '70000' is not a port (1 to 65535)");
  }

  @Test
  void registrations_thatCanRun_areListed_andPass() throws IOException {
    Files.writeString(
        conf.resolve("jail.conf"),
        "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
            + log
            + "\nallowfailures = 3\naccountmaxretry = 20\nmaxusers = 3\n"
            + "registrations = kamailio[udp=127.0.0.1:8090, every=10s]\n"
            + "                asterisk[username=portcullis, secretfile=/etc/portcullis/ami.secret,"
            + " rewritecontact=yes]\n");
    String[] r = check();
    assertThat(r[2]).isEmpty();
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1])
        .contains("registrations: kamailio ul.dump over udp 127.0.0.1:8090 every 10s")
        .contains("asterisk manager portcullis@127.0.0.1:5038 every 30s");
  }
}
