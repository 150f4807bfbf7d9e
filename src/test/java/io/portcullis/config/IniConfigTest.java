package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IniConfigTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void multiLineValues_comments_andInlineComments_followConfigparser() throws IOException {
    Path f =
        write(
            "a.conf",
            "[Definition]\n"
                + "Failregex = ^one$\n"
                + "            ^two$   ; inline comment\n"
                + "# a comment inside the value\n"
                + "            ^three$\n"
                + "empty =\n");
    IniConfig c = IniConfig.loadFiles(List.of(f));
    assertThat(c.get("Definition", "failregex")).contains("^one$\n^two$\n^three$");
    assertThat(c.get("Definition", "empty")).contains("");
  }

  @Test
  void duplicateOption_isAnErrorWithFileAndLine() throws IOException {
    Path f = write("dup.conf", "[x]\na = 1\nb = 2\na = 3\n");
    assertThatThrownBy(() -> IniConfig.loadFiles(List.of(f)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dup.conf:4")
        .hasMessageContaining("'a' appears twice");
  }

  @Test
  void interpolation_readsSectionDefaultsAndOtherSections() throws IOException {
    Path f =
        write(
            "i.conf",
            "[DEFAULT]\nbase = /var/log\n[paths]\nlog = %(base)s/x.log\n"
                + "[jail]\nlogpath = %(paths/log)s\npct = 100%%\n");
    IniConfig c = IniConfig.loadFiles(List.of(f));
    assertThat(c.get("jail", "logpath")).contains("/var/log/x.log");
    assertThat(c.get("jail", "pct")).contains("100%");
  }

  @Test
  void missingInterpolation_namesTheOptionAndFile() throws IOException {
    Path f = write("m.conf", "[jail]\nlogpath = %(nowhere)s\n");
    IniConfig c = IniConfig.loadFiles(List.of(f));
    assertThatThrownBy(() -> c.get("jail", "logpath"))
        .hasMessageContaining("m.conf:2")
        .hasMessageContaining("%(nowhere)s");
  }

  @Test
  void includes_localOverrides_andKnownValues() throws IOException {
    write("filter.d/common.conf", "[DEFAULT]\nprefix = common\n");
    write(
        "filter.d/f.conf",
        "[INCLUDES]\nbefore = common.conf\n[Definition]\nfailregex = %(prefix)s one\nmode = a\n");
    write("filter.d/f.local", "[Definition]\nfailregex = %(known/failregex)s|two\n");
    IniConfig c = IniConfig.load(dir.resolve("filter.d"), "f");
    assertThat(c.get("Definition", "failregex")).contains("common one|two");
  }

  @Test
  void missingIncludedFile_isAnError() throws IOException {
    write("filter.d/g.conf", "[INCLUDES]\nbefore = nothere.conf\n[Definition]\nx = 1\n");
    assertThatThrownBy(() -> IniConfig.load(dir.resolve("filter.d"), "g"))
        .hasMessageContaining("nothere.conf");
  }

  @Test
  void conditionalSection_becomesConditionalOptions() throws IOException {
    Path f = write("c.conf", "[Init]\nchain = INPUT\n[Init?family=inet6]\nchain = INPUT6\n");
    IniConfig c = IniConfig.loadFiles(List.of(f));
    assertThat(c.get("Init", "chain?family=inet6")).contains("INPUT6");
    assertThat(c.get("Init", "chain")).contains("INPUT");
  }

  @Test
  void tagSubstitution_resolvesNestedTags_andLeavesUnknownTags() {
    Map<String, String> out =
        TagSubstitution.resolve(
            Map.of("failregex", "<mdre-<mode>> <HOST>", "mode", "ddos", "mdre-ddos", "scan"),
            java.util.Set.of(),
            null);
    assertThat(out.get("failregex")).isEqualTo("scan <HOST>");
  }

  @Test
  void tagSubstitution_selfReference_isAnError() {
    assertThatThrownBy(() -> TagSubstitution.resolve(Map.of("a", "x<a>"), java.util.Set.of(), null))
        .hasMessageContaining("refers to itself");
  }

  @Test
  void optionList_parsesQuotedAndNestedValues() {
    OptionList o = OptionList.parse("asterisk[mode=aggressive, port=\"5060,5061\", name=a[b]]");
    assertThat(o.name()).isEqualTo("asterisk");
    assertThat(o.options())
        .containsEntry("mode", "aggressive")
        .containsEntry("port", "5060,5061")
        .containsEntry("name", "a[b]");
    assertThatThrownBy(() -> OptionList.parse("x[mode]")).hasMessageContaining("no '=value'");
  }

  @Test
  void sectionTwiceInOneFile_isAnError_andTheRestOfTheFileIsStillChecked() throws IOException {
    // regression (issue #12 probe): a second [asterisk] was merged into the first silently
    Path f =
        write(
            "jail.conf",
            "[asterisk]\nenabled = true\n[sshd]\nenabled = true\n[asterisk]\nbantime = 1h\nbad line\n");
    assertThatThrownBy(() -> IniConfig.loadFiles(List.of(f)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            f + ":5: section [asterisk] appears twice in this file (first at line 1)")
        .hasMessageNotContaining("bad line");
  }

  @Test
  void aFileOthersMayWrite_isRefused_beforeItIsRead() throws IOException {
    Path f = write("jail.conf", "[asterisk]\nenabled = true\n");
    java.nio.file.Files.setPosixFilePermissions(
        f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
    assertThatThrownBy(() -> IniConfig.loadFiles(List.of(f)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(f + ": refused: it is writable by group ");
  }

  @Test
  void interpolation_thatGrowsPastTheLimit_isAnError_notAnOutOfMemoryError() throws IOException {
    // regression (seen while writing IniFileFuzzTest): 9 levels of 8 references: 8^9 copies, out of
    // memory
    StringBuilder text = new StringBuilder("[DEFAULT]\n");
    for (int i = 0; i < 9; i++) {
      text.append("v").append(i).append(" = ").append(("%(v" + (i + 1) + ")s").repeat(8));
      text.append('\n');
    }
    text.append("v9 = ").append("x".repeat(64)).append("\n[sip]\n");
    IniConfig ini =
        IniConfig.of(IniFile.parse(Path.of("/etc/portcullis/jail.local"), text.toString()));
    assertThatThrownBy(() -> ini.get("sip", "v0"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("/etc/portcullis/jail.local:")
        .hasMessageContaining("grows past 1048576 characters");
    assertThat(ini.get("sip", "v8")).contains(("x".repeat(64)).repeat(8));
  }

  @Test
  void tagSubstitution_thatGrowsPastTheLimit_isAnError_notAnOutOfMemoryError() {
    // regression (as for %(name)s): <tags> repeating each other, 8^9 copies
    Map<String, String> values = new java.util.HashMap<>();
    for (int i = 0; i < 9; i++) {
      values.put("v" + i, ("<v" + (i + 1) + ">").repeat(8));
    }
    values.put("v9", "x".repeat(64));
    assertThatThrownBy(() -> TagSubstitution.resolve(values, java.util.Set.of(), null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("grows past 1048576 characters");
  }
}
