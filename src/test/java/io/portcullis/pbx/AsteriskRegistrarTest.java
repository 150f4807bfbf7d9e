package io.portcullis.pbx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.jail.Registration;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registered phones read from Asterisk's manager interface, against recorded AMI sessions. */
class AsteriskRegistrarTest {
  private static final Path PBX = Path.of("src/test/resources/pbx");
  private static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;

  private static RegistrarSpec.Asterisk spec(int port, boolean rewrite, Duration timeout) {
    return (RegistrarSpec.Asterisk)
        RegistrarSpec.parse(
            "asterisk",
            Map.of(
                "host",
                "127.0.0.1",
                "port",
                Integer.toString(port),
                "username",
                "portcullis",
                "secret",
                "s3cret",
                "rewritecontact",
                rewrite ? "yes" : "no",
                "timeout",
                timeout.toSeconds() + "s"));
  }

  @Test
  void asterisk20_pjsipContacts_withRewriteContact_areTrustedAtTheirSourceUntilTheyExpire()
      throws Exception {
    try (RecordedAmi ami = new RecordedAmi(PBX.resolve("asterisk-20-ami.txt"))) {
      Registrar.Reading r = spec(ami.port(), true, Duration.ofSeconds(5)).open(CLOCK).read();
      assertThat(ami.failure).isNull();
      assertThat(r.registrations())
          .extracting(Registration::ip, Registration::account, Registration::service)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(IpAddress.parse("203.0.113.70"), "100", "pjsip"),
              org.assertj.core.groups.Tuple.tuple(
                  IpAddress.parse("2001:db8:5::7"), "101", "pjsip"));
      assertThat(r.registrations())
          .allSatisfy(g -> assertThat(g.until()).isEqualTo(Instant.ofEpochSecond(1717203600L)));
      // the phone's own (private) address, which it wrote, is nowhere
      assertThat(r.registrations()).noneMatch(g -> g.ip().toString().startsWith("192.168."));
      assertThat(r.unverified()).isZero();
      // chan_sip is not loaded in 20 here: SIPpeers answered an error, nothing from it
      assertThat(ami.received.get(0))
          .contains("Action: Login", "Username: portcullis", "Secret: s3cret", "Events: off");
      // the Logoff is sent last: the recorded server may take it a moment after the reading ends
      io.portcullis.testing.Await.until(
          "the Logoff at the recorded server",
          Duration.ofSeconds(5),
          () -> ami.received.size() >= 4);
      assertThat(ami.received).hasSize(4);
    }
  }

  @Test
  void withoutRewriteContact_theContactsAreNotTrusted_andSaySo() throws Exception {
    try (RecordedAmi ami = new RecordedAmi(PBX.resolve("asterisk-20-ami.txt"))) {
      Registrar.Reading r = spec(ami.port(), false, Duration.ofSeconds(5)).open(CLOCK).read();
      assertThat(r.registrations()).isEmpty();
      assertThat(r.unverified()).isEqualTo(2);
      assertThat(r.why()).contains("rewrite_contact = yes");
    }
  }

  @Test
  void asterisk18_sipPeers_areTrusted_onlyWithForceRport_dynamic_andRegistered() throws Exception {
    try (RecordedAmi ami = new RecordedAmi(PBX.resolve("asterisk-18-ami.txt"))) {
      Registrar.Reading r = spec(ami.port(), false, Duration.ofSeconds(5)).open(CLOCK).read();
      assertThat(ami.failure).isNull();
      assertThat(r.registrations())
          .singleElement()
          .satisfies(
              g -> {
                assertThat(g.ip()).isEqualTo(IpAddress.parse("198.51.100.20"));
                assertThat(g.account()).isEqualTo("200");
                assertThat(g.service()).isEqualTo("sip");
                // SIPpeers tells no end: three readings from now
                assertThat(g.until()).isEqualTo(NOW.plusSeconds(90));
              });
      // 201 (no force_rport: its address is the Contact it wrote) and the two PJSIP contacts
      assertThat(r.unverified()).isEqualTo(3);
      assertThat(r.why()).contains("force_rport").contains("rewrite_contact");
    }
  }

  @Test
  void aRefusedLogin_isAnError_namingTheUser() throws Exception {
    Path rec = dir.resolve("refused.txt");
    Files.writeString(
        rec,
        "<<<\r\nAsterisk Call Manager/9.0.0\r\n>>> Login\r\nResponse: Error\r\n"
            + "ActionID: portcullis-1\r\nMessage: Authentication failed\r\n\r\n");
    try (RecordedAmi ami = new RecordedAmi(rec)) {
      assertThatThrownBy(() -> spec(ami.port(), true, Duration.ofSeconds(5)).open(CLOCK).read())
          .isInstanceOf(IOException.class)
          .hasMessage("Asterisk refused the manager login of portcullis: Authentication failed");
    }
  }

  @Test
  void aServerThatSaysNothing_isATimeout_withinTheDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = silent.accept()) {
                  // bounded: the client gives up after 1 s, then the socket closes
                  s.getInputStream().read();
                } catch (IOException ignored) {
                  // closed
                }
              });
      t.setDaemon(true);
      t.start();
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> spec(silent.getLocalPort(), true, Duration.ofSeconds(1)).open(CLOCK).read())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("did not answer in time");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void somethingElseThanAsterisk_isRefused() throws Exception {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = other.accept();
                    OutputStream out = s.getOutputStream()) {
                  out.write("SSH-2.0-OpenSSH_9.2p1\r\n".getBytes(StandardCharsets.UTF_8));
                  out.flush();
                  s.getInputStream().read();
                } catch (IOException ignored) {
                  // closed
                }
              });
      t.setDaemon(true);
      t.start();
      assertThatThrownBy(
              () -> spec(other.getLocalPort(), true, Duration.ofSeconds(2)).open(CLOCK).read())
          .hasMessage("not Asterisk's manager interface (it said: SSH-2.0-OpenSSH_9.2p1)");
    }
  }

  @Test
  void badOptions_sayWhatIsValid() {
    assertThatThrownBy(() -> RegistrarSpec.parse("asterisk", Map.of("secret", "x")))
        .hasMessage("asterisk needs username=NAME (a manager.conf user)");
    assertThatThrownBy(
            () ->
                RegistrarSpec.parse(
                    "asterisk", Map.of("username", "u", "secret", "x", "secretfile", "/s")))
        .hasMessageContaining("one of them");
    assertThatThrownBy(
            () ->
                RegistrarSpec.parse("asterisk", Map.of("username", "u", "secret", "x", "pw", "y")))
        .hasMessageStartingWith("unknown option 'pw' (valid: every, host, port,");
    assertThatThrownBy(() -> RegistrarSpec.parse("freeswitch", Map.of()))
        .hasMessage("'freeswitch' is not a registrar (try kamailio[...], asterisk[...])");
    assertThat(List.of(RegistrarSpec.parse("kamailio", Map.of("udp", "[::1]:8090")).describe()))
        .containsExactly("kamailio ul.dump over udp [::1]:8090");
  }
}
