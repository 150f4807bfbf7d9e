package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpSettingsTest {
  @TempDir Path dir;

  private HttpSettings read(String conf) throws IOException {
    Files.writeString(dir.resolve("portcullis.conf"), conf);
    return HttpSettings.read(dir);
  }

  @Test
  void noHttpSection_orNoListen_meansNoHttp() throws IOException {
    assertThat(HttpSettings.read(dir)).isEqualTo(HttpSettings.OFF);
    assertThat(read("[Definition]\nloglevel = INFO\n").enabled()).isFalse();
    assertThat(read("[http]\ntokenfile = /etc/portcullis/api.token\n").enabled()).isFalse();
    assertThat(read("[http]\nlisten =\n").enabled()).isFalse();
  }

  @Test
  void listen_takesLoopbackAddressesOfBothFamilies_andTheDefaultTokenFile() throws IOException {
    HttpSettings s = read("[http]\nlisten = 127.0.0.1:9180 [::1]:9180\n");
    assertThat(s.listen())
        .extracting(Object::toString)
        .containsExactly("127.0.0.1:9180", "[0:0:0:0:0:0:0:1]:9180");
    assertThat(s.listen()).allMatch(HttpSettings.Listen::loopback);
    assertThat(s.tokenfile()).isEqualTo(HttpSettings.DEFAULT_TOKENFILE);
  }

  @Test
  void aPublicAddress_isBoundOnlyWhenWritten() throws IOException {
    HttpSettings s = read("[http]\nlisten = 0.0.0.0:9180, [2001:db8::1]:80\ntokenfile = /t\n");
    assertThat(s.listen()).noneMatch(HttpSettings.Listen::loopback);
    assertThat(s.listen().get(0).port()).isEqualTo(9180);
    assertThat(s.tokenfile()).isEqualTo(Path.of("/t"));
  }

  @Test
  void aLocalFile_overridesTheListenAddress() throws IOException {
    Files.writeString(dir.resolve("portcullis.local"), "[http]\nlisten = 127.0.0.1:0\n");
    HttpSettings s = read("[http]\nlisten = 127.0.0.1:9180\n");
    assertThat(s.listen()).extracting(HttpSettings.Listen::port).containsExactly(0);
  }

  @Test
  void names_badAddresses_badPorts_andRelativeTokenFiles_areEachReportedWithFileAndLine()
      throws IOException {
    assertThatThrownBy(
            () ->
                read(
                    "[http]\n"
                        + "listen = localhost:9180 127.0.0.1 256.1.1.1:80 [::1]:70000"
                        + " 127.0.0.1:1 127.0.0.1:1 [fe80:::1]:5\n"
                        + "tokenfile = api.token\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            dir.resolve("portcullis.conf")
                + ":2: listen: 'localhost:9180' is not ADDRESS:PORT with an IP address (try"
                + " 127.0.0.1:9180, [::1]:9180, 0.0.0.0:9180 to listen on every address)")
        .hasMessageContaining("listen: '127.0.0.1' is not ADDRESS:PORT")
        .hasMessageContaining("listen: '256.1.1.1' in '256.1.1.1:80' is not an IP address")
        .hasMessageContaining(
            "listen: port 70000 in '[::1]:70000' is out of range (0 to 65535; 0: any free port)")
        .hasMessageContaining("listen: '127.0.0.1:1' is written twice")
        .hasMessageContaining("listen: 'fe80:::1' in '[fe80:::1]:5' is not an IP address")
        .hasMessageContaining(
            dir.resolve("portcullis.conf")
                + ":3: tokenfile: 'api.token' is not an absolute path (try"
                + " /etc/portcullis/api.token)");
  }
}
