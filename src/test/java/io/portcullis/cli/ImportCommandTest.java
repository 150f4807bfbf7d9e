package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void missingDatabase_failsNamingItAndTheOption_writingNothing() throws Exception {
    Path into = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(
        into.resolve("portcullis.conf"),
        "[Definition]\ndbfile = " + dir.resolve("p.sqlite3") + "\n");

    int code =
        run(
            "import",
            "fail2ban",
            "--db",
            dir.resolve("nope.sqlite3").toString(),
            "--config",
            dir.toString(),
            "--into",
            into.toString());

    assertThat(code).isEqualTo(Main.FAILURE);
    assertThat(err.toString())
        .startsWith("error: no fail2ban database at " + dir.resolve("nope.sqlite3"))
        .contains("--db FILE");
    assertThat(dir.resolve("p.sqlite3")).doesNotExist();
  }

  @Test
  void missingConfigDir_orNoSource_areUsageErrors() {
    assertThat(run("import", "fail2ban", "--config", dir.resolve("nope").toString()))
        .isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("--config " + dir.resolve("nope") + ": no such directory");
    assertThat(run("import")).isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("say what to import from: portcullis import fail2ban");
  }
}
