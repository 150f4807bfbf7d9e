package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFileTest {
  @TempDir Path dir;
  private final List<String> warnings = new ArrayList<>();

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void newStore_is0600_inANew0700Directory() throws IOException {
    Path db = dir.resolve("lib/portcullis/portcullis.sqlite3");
    PrivateFile.prepare(db, warnings::add);
    assertThat(mode(db)).isEqualTo("rw-------");
    assertThat(mode(db.getParent())).isEqualTo("rwx------");
    assertThat(warnings).isEmpty();
  }

  @Test
  void existingStore_othersMayWrite_losesThoseBits_withAWarning() throws IOException {
    Path db = Files.writeString(dir.resolve("db.sqlite3"), "x");
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-rw-rw-"));
    PrivateFile.prepare(db, warnings::add);
    assertThat(mode(db)).isEqualTo("rw-r--r--");
    assertThat(Files.readString(db)).isEqualTo("x");
    assertThat(warnings)
        .containsExactly(
            "store "
                + db
                + " was writable by everybody (mode rw-rw-rw-): now rw-r--r--; whoever may write"
                + " it may ban or unban anyone");
  }

  @Test
  void existingPrivateStore_isLeftAsItIs() throws IOException {
    Path db = Files.writeString(dir.resolve("db.sqlite3"), "x");
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r-----"));
    PrivateFile.prepare(db, warnings::add);
    assertThat(mode(db)).isEqualTo("rw-r-----");
    assertThat(warnings).isEmpty();
  }
}
