package io.portcullis.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OutboxTest {
  private static FleetEvent ban(int i) {
    return FleetEvent.ban(
        "a", "sshd", IpAddress.parse("192.0.2." + i), Instant.EPOCH, null, "by command");
  }

  @Test
  void eventLeaves_onlyOnceDone_soAFailedSendKeepsIt() throws Exception {
    Outbox o = new Outbox(10);
    o.add(ban(1));
    o.add(ban(2));
    FleetEvent first = o.peek(Duration.ZERO);
    assertThat(first).isEqualTo(ban(1));
    // the send failed: nothing is done, the same event comes again
    assertThat(o.peek(Duration.ZERO)).isSameAs(first);
    o.done(first);
    assertThat(o.peek(Duration.ZERO)).isEqualTo(ban(2));
    assertThat(o.size()).isEqualTo(1);
  }

  @Test
  void full_dropsTheOldest_andCountsIt() {
    Outbox o = new Outbox(2);
    assertThat(o.add(ban(1))).isTrue();
    assertThat(o.add(ban(2))).isTrue();
    assertThat(o.add(ban(3))).isFalse();
    assertThat(o.dropped()).isEqualTo(1);
    assertThat(o.size()).isEqualTo(2);
  }

  @Test
  void done_ofAnEventDroppedMeanwhile_takesNothingElse() throws Exception {
    Outbox o = new Outbox(1);
    o.add(ban(1));
    FleetEvent sending = o.peek(Duration.ZERO);
    o.add(ban(2)); // full: 1 goes while it is being sent
    o.done(sending);
    assertThat(o.peek(Duration.ZERO)).isEqualTo(ban(2));
  }

  @Test
  void peek_onAnEmptyOutbox_returnsNullAfterItsLimit() throws Exception {
    assertThat(new Outbox(1).peek(Duration.ofMillis(30))).isNull();
  }
}
