package io.portcullis.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against a real SMTP server in the test's process (GreenMail). */
class MailActionTest {
  @RegisterExtension static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP);

  private static BanDecision ban(int i) {
    String ip = "203.0.113." + i;
    return new BanDecision(
        "asterisk",
        ip,
        IpAddress.parse(ip),
        Instant.ofEpochSecond(1714557600),
        Duration.ofHours(1),
        1,
        5,
        List.of("failed for '" + ip + "' $(touch /tmp/x) <b>"));
  }

  private MailAction action(String batch, String batchtime, List<String> errors) {
    return new MailAction(
        "asterisk",
        Map.of(
            "dest",
            "admin@example.org",
            "sender",
            "portcullis@example.org",
            "smtp",
            "127.0.0.1:" + smtp.getSmtp().getPort(),
            "batch",
            batch,
            "batchtime",
            batchtime),
        Clock.systemUTC(),
        errors::add);
  }

  @Test
  void anAccountUnderAttack_isMailedAtOnce_notBatched() throws Exception {
    List<String> errors = new ArrayList<>();
    MailAction a = action("10", "1h", errors);
    a.alert(
        new io.portcullis.jail.AccountAlert(
            "asterisk",
            new io.portcullis.jail.Account("100\u001b[2J", "pjsip"),
            Instant.ofEpochSecond(1714557600),
            60,
            30,
            Duration.ofMinutes(10),
            Instant.ofEpochSecond(1714561200)));
    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    MimeMessage m = smtp.getReceivedMessages()[0];
    assertThat(m.getSubject()).isEqualTo("[Portcullis] asterisk: account under attack");
    assertThat(GreenMailUtil.getBody(m))
        .contains("account 100?[2J (pjsip) is under attack: 60 failures from 30 address(es)")
        .contains("within 10m")
        .doesNotContain("\u001b");
    a.stop();
    assertThat(errors).isEmpty();
  }

  @Test
  void aFlood_becomesOneMailPerBatch_withTheMatchedLinesAsText() throws Exception {
    List<String> errors = new ArrayList<>();
    MailAction a = action("3", "10m", errors);
    for (int i = 1; i <= 7; i++) {
      a.ban(ban(i));
    }
    assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
    MimeMessage[] mails = smtp.getReceivedMessages();
    assertThat(mails).hasSize(2);
    assertThat(mails[0].getSubject()).isEqualTo("[Portcullis] asterisk: 3 addresses banned");
    String body = GreenMailUtil.getBody(mails[0]);
    assertThat(body)
        .contains("203.0.113.1  banned")
        .contains("after 5 failures")
        .contains("$(touch /tmp/x) <b>");
    // the last one goes out when the action stops (or when batchtime passes)
    a.stop();
    assertThat(smtp.waitForIncomingEmail(10_000, 3)).isTrue();
    assertThat(smtp.getReceivedMessages()[2].getSubject())
        .isEqualTo("[Portcullis] asterisk: banned 203.0.113.7");
    assertThat(errors).isEmpty();
  }

  @Test
  void batchtime_sendsAPartialBatch_andRestoredBansAreNotMailed() throws Exception {
    MailAction a = action("100", "1s", new ArrayList<>());
    a.restoreAll(List.of(ban(50), ban(51)));
    a.ban(ban(9));
    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    assertThat(smtp.getReceivedMessages()).hasSize(1);
    assertThat(GreenMailUtil.getBody(smtp.getReceivedMessages()[0]))
        .contains("203.0.113.9")
        .doesNotContain("203.0.113.50");
    a.stop();
  }

  @Test
  void countryAndWhois_areShownAsText_andSayWhenTheirProgramIsMissing() throws Exception {
    MailAction a =
        new MailAction(
            "asterisk",
            Map.of(
                "dest",
                "admin@example.org",
                "smtp",
                "127.0.0.1:" + smtp.getSmtp().getPort(),
                "batch",
                "1",
                "country",
                "yes",
                "whois",
                "yes"),
            Clock.systemUTC(),
            e -> {});
    String body = a.body(List.of(ban(3)));
    assertThat(body).contains("country: ").contains("whois:");
    a.stop();
  }
}
