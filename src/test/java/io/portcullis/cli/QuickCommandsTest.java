package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain client commands run without picocli; what they do not handle still reaches it. */
class QuickCommandsTest {
  @TempDir Path dir;

  private String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void ping_noServer_failsSayingWhereItLooked() {
    String sock = dir.resolve("none.sock").toString();
    assertThat(QuickCommands.run(new String[] {"ping", "--socket", sock}, sink(), sink()))
        .isEqualTo(Main.FAILURE);
    String[] r = run("ping", "--socket=" + sock);
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2]).contains("no server answers at " + sock);
  }

  @Test
  void helpVersionAndUnknownOptions_areLeftToPicocli() {
    assertThat(QuickCommands.run(new String[] {"ping", "--help"}, sink(), sink())).isNull();
    assertThat(QuickCommands.run(new String[] {"status", "-V"}, sink(), sink())).isNull();
    assertThat(QuickCommands.run(new String[] {"status", "a", "b"}, sink(), sink())).isNull();
    assertThat(QuickCommands.run(new String[] {"ping", "--socket"}, sink(), sink())).isNull();
    assertThat(QuickCommands.run(new String[] {"ping", "--file", "x"}, sink(), sink())).isNull();
    assertThat(QuickCommands.run(new String[] {"ban", "asterisk"}, sink(), sink())).isNull();
    assertThat(QuickCommands.run(new String[] {"banned"}, sink(), sink())).isNull();
    assertThat(run("ping", "--help")[1]).contains("Usage: portcullis ping");
    String[] typo = run("status", "--jsn");
    assertThat(typo[0]).isEqualTo("2");
    assertThat(typo[2]).contains("Unknown option: '--jsn'");
  }

  @Test
  void ban_withoutAddresses_isAUsageError() throws Exception {
    Path empty = Files.writeString(dir.resolve("list.txt"), "# none today\n");
    String sock = dir.resolve("none.sock").toString();
    String[] bare = run("ban", "asterisk", "--socket", sock);
    assertThat(bare[0]).isEqualTo("2");
    assertThat(bare[2]).contains("give addresses to ban");
    String[] none = run("ban", "asterisk", "--file", empty.toString(), "--socket", sock);
    assertThat(none[0]).isEqualTo("2");
    assertThat(none[2]).contains(empty + " holds none");
    String[] missing = run("ban", "asterisk", "--file", dir.resolve("nope").toString());
    assertThat(missing[0]).isEqualTo("1");
    assertThat(missing[2]).contains("cannot read the addresses to ban from " + dir.resolve("nope"));
  }

  private static PrintWriter sink() {
    return new PrintWriter(new StringWriter(), true);
  }
}
