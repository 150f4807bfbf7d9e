package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.control.Replies;
import io.portcullis.testing.Shell;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that cannot be used never leaves the host unprotected: a corrupt file is set aside and a
 * fresh store takes its place, a read-only one is read and the server runs on memory; the bans in
 * the kernel stay in force either way, and the error names the file.
 */
class StoreRecoveryIT {
  @TempDir Path dir;

  private static List<String> addresses(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("203.0.113." + (i + 1));
    }
    return out;
  }

  @Test
  void corruptStore_isSetAside_freshStoreUsed_kernelBansKept_andNoCrashOnTheNextStart()
      throws Exception {
    List<String> ips = addresses(200);
    try (FirewalledServer s = new FirewalledServer(dir, "", "")) {
      s.process.start();
      assertThat(s.client.ban(FirewalledServer.JAIL, ips, false).complete()).isTrue();
      s.process.stop();
      // regression (issue #12): random bytes at 4 KiB made the server exit with SQLITE_CORRUPT,
      // naming no file, and left no protection at all
      byte[] noise = new byte[4096];
      new Random(12).nextBytes(noise);
      try (RandomAccessFile f = new RandomAccessFile(s.db.toFile(), "rw")) {
        f.seek(4096);
        f.write(noise);
      }
      s.process.start();
      Replies.StoreStatus store = s.client.status().store();
      assertThat(store.problems())
          .singleElement()
          .asString()
          .contains("the store " + s.db + " was corrupt")
          .contains("set aside as " + s.db + ".corrupt-");
      assertThat(s.log()).contains("was corrupt").contains(s.db.toString());
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .anyMatch(n -> n.matches("db\\.sqlite3\\.corrupt-\\d{8}T\\d{6}Z"));
      }
      // every ban is still in force: read from what was left of the file, or adopted from the
      // kernel, which kept them all
      assertThat(s.kernel()).containsAll(ips);
      assertThat(s.banned()).containsAll(ips);
      assertThat(s.integrity()).isEqualTo("ok");
      // the fresh store has them: the next start is a plain one
      s.process.stop();
      s.process.start();
      assertThat(s.client.status().store().problems()).isEmpty();
      assertThat(s.banned()).containsAll(ips);
      assertThat(s.stored()).containsAll(ips);
      s.process.stop();
    }
  }

  @Test
  void readOnlyStore_isRead_theServerRunsOnMemory_andSaysSoInEveryAnswer() throws Exception {
    Path disk = Files.createDirectories(dir.resolve("disk"));
    Shell.sh("mount -t tmpfs -o size=4M portcullis-test " + disk);
    List<String> ips = addresses(5);
    try (FirewalledServer s =
        new FirewalledServer(
            dir.resolve("run"),
            FirewalledServer.newNamespace(),
            true,
            disk.resolve("db.sqlite3"),
            "",
            "")) {
      s.process.start();
      assertThat(s.client.ban(FirewalledServer.JAIL, ips, false).complete()).isTrue();
      s.process.stop();
      Shell.sh("mount -o remount,ro " + disk);
      s.process.start();
      Replies.StoreStatus store = s.client.status().store();
      assertThat(store.problems())
          .singleElement()
          .asString()
          .contains("the store " + s.db + " cannot be used (read-only")
          .contains("bans are kept in memory only");
      // what it held is in force
      assertThat(s.banned()).containsAll(ips);
      assertThat(s.kernel()).containsAll(ips);
      // a new ban reaches the kernel, and the answer does not claim the store has it
      Replies.BanResult r = s.client.ban(FirewalledServer.JAIL, List.of("198.51.100.7"), false);
      assertThat(r.stored()).isZero();
      assertThat(r.store()).contains("read-only");
      assertThat(r.actions()).singleElement().satisfies(a -> assertThat(a.applied()).isOne());
      assertThat(s.kernel()).contains("198.51.100.7");
      s.process.stop();
    } finally {
      Shell.sh("umount " + disk);
    }
  }
}
