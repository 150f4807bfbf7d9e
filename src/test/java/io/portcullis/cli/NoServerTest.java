package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoServerTest {
  @TempDir Path dir;

  @Test
  void status_withNoServer_saysHowToStartOne() throws Exception {
    Path sock = dir.resolve("p.sock");
    Files.writeString(dir.resolve("portcullis.conf"), "[Definition]\nsocket = " + sock + "\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code =
        Main.run(
            new String[] {"status", "--config", dir.toString()},
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    assertThat(code).isEqualTo(Main.FAILURE);
    assertThat(err.toString())
        .startsWith("error: no server answers at " + sock + " (")
        .contains("Start one:")
        .containsPattern(
            "  sudo portcullis server --config "
                + java.util.regex.Pattern.quote(dir.toString())
                + " +\\(in the foreground")
        .contains("check its configuration first with: portcullis check --config " + dir)
        // the installed service runs /etc/portcullis, not this dir
        .doesNotContain("systemctl");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void message_forTheSystemConfig_offersTheServiceWhenItIsInstalled() {
    String m = NoServer.message(Path.of("/run/portcullis/portcullis.sock"), ConfigDirs.SYSTEM, "x");
    assertThat(m.contains("sudo systemctl start portcullis"))
        .isEqualTo(Files.isRegularFile(NoServer.UNIT));
    assertThat(m).contains("sudo portcullis server --config /etc/portcullis");
  }
}
