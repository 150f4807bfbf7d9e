package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.Replies;
import io.portcullis.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The actions next to the firewall: one that hangs never delays the firewall and is shown stuck in
 * {@code status}; {@code unban --all} and a stop use fail2ban's {@code actionflush}.
 */
class ActionsOfBansIT {
  @TempDir Path dir;

  private void actionFile(String name, String definition) throws Exception {
    Path d = Files.createDirectories(dir.resolve("conf/action.d"));
    Files.writeString(d.resolve(name + ".conf"), "[Definition]\n" + definition);
  }

  @Test
  void actionThatHangs_neverDelaysTheFirewall_andIsShownStuckInStatus() throws Exception {
    // an action.d command that never returns (a whois to a dead server), with a long timeout
    actionFile("hang", "actionban = sleep 600\n");
    try (FirewalledServer s = new FirewalledServer(dir, "", "           hang[timeout=15m]\n")) {
      s.process.start();
      long t0 = System.nanoTime();
      CompletableFuture<Replies.BanResult> answer =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return s.client.ban(FirewalledServer.JAIL, List.of("203.0.113.5"), false);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Await.until(
          "the ban in the kernel",
          Duration.ofSeconds(5),
          Await.quietly(() -> s.kernel().contains("203.0.113.5")));
      long toKernel = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      // the answer waits for the actions (10 s), and says the hanging one has not finished
      Replies.BanResult r = answer.get(60, TimeUnit.SECONDS);
      assertThat(r.complete()).isFalse();
      assertThat(r.actions())
          .anySatisfy(
              a -> {
                assertThat(a.action()).isEqualTo("firewall");
                assertThat(a.applied()).isOne();
              })
          .anySatisfy(
              a -> {
                assertThat(a.action()).isEqualTo("hang");
                assertThat(a.pending()).isOne();
                assertThat(a.error()).contains("not done within 10 s").contains("stuck for");
              });
      // more bans while it hangs: the firewall has its own queue
      long t1 = System.nanoTime();
      CompletableFuture.runAsync(
          () -> {
            try {
              s.client.ban(FirewalledServer.JAIL, List.of("203.0.113.6", "203.0.113.7"), false);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      Await.until(
          "the later bans in the kernel",
          Duration.ofSeconds(5),
          Await.quietly(() -> s.kernel().containsAll(List.of("203.0.113.6", "203.0.113.7"))));
      long later = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
      // status answers, and shows the action stuck
      long t2 = System.nanoTime();
      Replies.JailStatus status = s.client.status(FirewalledServer.JAIL);
      long statusMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t2);
      assertThat(status.actions())
          .anySatisfy(
              a -> {
                assertThat(a.name()).isEqualTo("hang");
                assertThat(a.ok()).isFalse();
                assertThat(a.error())
                    .startsWith("stuck for ")
                    .contains("on 'ban 203.0.113.5'")
                    .contains("2 call(s) waiting behind it");
              })
          .anySatisfy(a -> assertThat(a.name()).isEqualTo("firewall"));
      assertThat(s.cli("status", FirewalledServer.JAIL)[1]).contains("hang (FAILING: stuck for");
      System.out.printf(
          "stuck action: ban in the kernel %d ms after the command (later bans %d ms) while an"
              + " action.d command hung; status answered in %d ms%n",
          toKernel, later, statusMillis);
    }
  }

  @Test
  void webhookThatNeverAnswers_doesNotDelayTheBanAnswer_whichIsCompleteOnceTheFirewallHasIt()
      throws Exception {
    // regression: the ban answer waited the whole 10 s for a webhook that never answered, although
    // only the store and the actions that keep addresses out decide whether a ban is in force
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FirewalledServer s =
            new FirewalledServer(
                dir,
                "",
                "           webhook[url=http://127.0.0.1:"
                    + silent.getLocalPort()
                    + "/, timeout=10m, retries=0]\n")) {
      s.process.start();
      long t0 = System.nanoTime();
      Replies.BanResult r = s.client.ban(FirewalledServer.JAIL, List.of("203.0.113.9"), false);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(r.complete()).isTrue();
      assertThat(millis).as("answer time, ms").isLessThan(5_000);
      assertThat(r.actions())
          .anySatisfy(
              a -> {
                assertThat(a.action()).isEqualTo("webhook");
                assertThat(a.keepsOut()).isFalse();
                assertThat(a.pending()).isOne();
              });
      assertThat(s.kernel()).contains("203.0.113.9");
    }
  }

  @Test
  void unbanAll_flushesOncePerActionThatCan_andAStopFlushesBeforeActionstop() throws Exception {
    // regression: Action.flush was never called: 'unban --all' lifted bans one by one although
    // the README says fail2ban's actionflush works
    Path record = dir.resolve("record.txt");
    Path plain = dir.resolve("plain.txt");
    actionFile(
        "record",
        "actionban = echo ban <ip> >> "
            + record
            + "\nactionunban = echo unban <ip> >> "
            + record
            + "\nactionflush = echo flush >> "
            + record
            + "\nactionstop = echo stop >> "
            + record
            + "\n");
    actionFile(
        "plain",
        "actionban = echo ban <ip> >> "
            + plain
            + "\nactionunban = echo unban <ip> >> "
            + plain
            + "\nactionstop = echo stop >> "
            + plain
            + "\n");
    try (FirewalledServer s =
        new FirewalledServer(dir, "", "           record\n           plain\n")) {
      s.process.start();
      List<String> ips = List.of("203.0.113.5", "203.0.113.6", "2001:db8:66::1");
      assertThat(s.client.ban(FirewalledServer.JAIL, ips, false).complete()).isTrue();
      assertThat(s.kernel()).containsAll(ips);
      String[] r = s.cli("unban", "--all");
      assertThat(r[0]).isEqualTo("0");
      assertThat(r[1]).contains("lifted 3 ban(s)");
      assertThat(Files.readAllLines(record))
          .containsExactly("ban 203.0.113.5", "ban 203.0.113.6", "ban 2001:db8:66::1", "flush");
      // an action without actionflush lifts them one by one, as fail2ban does
      assertThat(Files.readAllLines(plain))
          .hasSize(6)
          .contains("unban 203.0.113.5", "unban 203.0.113.6", "unban 2001:db8:66::1");
      // the firewall emptied the jail's sets in one statement
      assertThat(s.kernel()).isEmpty();
      assertThat(s.banned()).isEmpty();
      assertThat(s.stored()).isEmpty();

      assertThat(s.client.ban(FirewalledServer.JAIL, List.of("198.51.100.9"), false).complete())
          .isTrue();
      s.process.stop();
      List<String> lines = Files.readAllLines(record);
      assertThat(lines.subList(4, lines.size()))
          .containsExactly("ban 198.51.100.9", "flush", "stop");
      // the kernel keeps the native firewall's bans while the server is down
      assertThat(s.kernel()).containsExactly("198.51.100.9");
    }
  }
}
