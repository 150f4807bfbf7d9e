package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.Replies;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.Await;
import io.portcullis.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a full disk (a 1 MiB tmpfs the test mounts and fills): bans keep reaching the
 * kernel, the answers, {@code status} and the log say "disk full", and once there is room again
 * every ban is written; a restart then finds them all.
 */
class FullDiskIT {
  private static final int BANS = 400;

  @TempDir Path dir;

  @Test
  void storeOnAFullDisk_bansStillReachTheKernel_saidAsDiskFull_writtenWhenSpaceReturns()
      throws Exception {
    Path disk = Files.createDirectories(dir.resolve("disk"));
    // mode 0700: the server refuses a store in a directory others may write to
    Shell.sh("mount -t tmpfs -o size=1M,mode=0700 portcullis-test " + disk);
    try (FirewalledServer s =
        new FirewalledServer(
            dir.resolve("run"),
            FirewalledServer.newNamespace(),
            true,
            disk.resolve("db.sqlite3"),
            "",
            "")) {
      s.process.start();
      assertThat(s.client.ban(FirewalledServer.JAIL, List.of("203.0.113.1"), false).complete())
          .isTrue();
      // fill the disk to the last block
      Shell.sh("dd if=/dev/zero of=" + disk.resolve("filler") + " bs=4k 2>/dev/null || true");

      // regression (issue #12): on a full disk the log said "cannot commit - no transaction is
      // active", status showed no problem and a restart cut the kernel set to what was stored
      List<String> ips = new ArrayList<>();
      for (int i = 0; i < BANS; i++) {
        ips.add(IpAddress.parse(String.format("2001:db8:f:%x::1", i)).toString());
      }
      int refusedByStore = 0;
      for (int i = 0; i < BANS; i += 50) {
        Replies.BanResult r = s.client.ban(FirewalledServer.JAIL, ips.subList(i, i + 50), false);
        assertThat(r.count()).isEqualTo(50);
        // the firewall took every one of them
        assertThat(r.actions())
            .singleElement()
            .satisfies(a -> assertThat(a.applied()).isEqualTo(50));
        if (r.stored() < r.count()) {
          refusedByStore += r.count() - r.stored();
          assertThat(r.store()).startsWith("disk full");
        }
      }
      assertThat(refusedByStore).as("bans the full disk did not take at once").isPositive();
      assertThat(s.kernel()).containsAll(ips);
      Replies.StoreStatus status = s.client.status().store();
      assertThat(status.problems()).anyMatch(p -> p.startsWith("disk full: cannot write"));
      assertThat(status.kept()).isPositive();
      assertThat(s.log()).contains("disk full").doesNotContain("no transaction is active");

      // room again: everything kept is written, the problem goes
      Files.delete(disk.resolve("filler"));
      Await.until(
          "the kept writes written",
          Duration.ofSeconds(30),
          Await.quietly(() -> s.client.status().store().problems().isEmpty()));
      assertThat(s.client.status().store().kept()).isZero();
      // the server's log is buffered (main): wait for the line rather than read it at once
      Await.until(
          "'resumed' in the server log",
          Duration.ofSeconds(15),
          Await.quietly(() -> s.log().contains("resumed")));
      assertThat(s.stored()).containsAll(ips).contains("203.0.113.1");

      // and a restart, even after kill -9, finds every ban in the store
      s.process.kill9();
      s.process.start();
      assertThat(s.banned()).containsAll(ips);
      assertThat(s.integrity()).isEqualTo("ok");
      s.process.stop();
      System.out.printf(
          "full disk: %d bans on a full 1 MiB tmpfs, %d in the kernel at once, %d not taken by the"
              + " store at once (said 'disk full'); after space returned %d of %d stored, and"
              + " found after kill -9%n",
          BANS, BANS, refusedByStore, BANS, BANS);
    } finally {
      // lazily if still busy, so a failure above is reported rather than the unmount's
      Shell.sh("umount " + disk + " || umount -l " + disk);
    }
  }
}
