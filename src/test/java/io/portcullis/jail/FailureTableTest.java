package io.portcullis.jail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FailureTableTest {
  private static final long T0 = 1_714_557_600L; // 2024-05-01T10:00:00Z
  private static final long FINDTIME = 600;
  private static final long BIG = 1L << 30;

  private static int add(FailureTable t, String fid, long time) {
    return t.add(fid, time, time - FINDTIME, List.of("line " + time), Map.of(), 3);
  }

  @Test
  void add_countsFailuresOfOneId_withinFindtime() {
    FailureTable t = new FailureTable(BIG);
    assertThat(add(t, "203.0.113.5", T0)).isEqualTo(1);
    assertThat(add(t, "203.0.113.5", T0 + 60)).isEqualTo(2);
    assertThat(add(t, "198.51.100.7", T0 + 61)).isEqualTo(1);
    // the failure at T0 is exactly findtime old at T0 + 600: forgotten, as before
    assertThat(add(t, "203.0.113.5", T0 + 600)).isEqualTo(2);
    assertThat(t.count("203.0.113.5")).isEqualTo(2);
    assertThat(t.count("192.0.2.1")).isZero();
  }

  @Test
  void take_returnsTheLastMaxmatchesLines_andTheLastCapturedFields() {
    FailureTable t = new FailureTable(BIG);
    t.add("2001:db8::1", T0, T0 - FINDTIME, List.of("a"), Map.of("user", "100"), 2);
    t.add("2001:db8::1", T0 + 1, T0 + 1 - FINDTIME, List.of("b", "c"), Map.of(), 2);
    t.add("2001:db8::1", T0 + 2, T0 + 2 - FINDTIME, List.of("dé"), Map.of(), 2);
    FailureTable.Taken taken = t.take("2001:db8::1");
    assertThat(taken.count()).isEqualTo(3);
    assertThat(taken.lines()).containsExactly("c", "dé");
    assertThat(taken.data()).containsExactly(Map.entry("user", "100"));
    assertThat(t.take("2001:db8::1")).isNull();
    assertThat(t.size()).isZero();
  }

  @Test
  void take_linesHoldingTheAddress_comeBackWhole_andCostLessThanOtherLines() {
    String ip = "2001:db8:200:1::7";
    List<String> lines =
        List.of(
            "[2026-11-28 17:40:00] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '"
                + ip
                + "' - Wrong password",
            ip + " then " + ip + ip,
            "no address here: 2001:db8:200:1::",
            "dé " + ip);
    FailureTable t = new FailureTable(BIG);
    t.add(ip, T0, T0 - FINDTIME, lines.subList(0, 2), Map.of(), 5);
    t.add(ip, T0 + 1, T0 + 1 - FINDTIME, lines.subList(2, 4), Map.of(), 5);
    long withAddress = t.bytes();
    assertThat(t.take(ip).lines()).containsExactlyElementsOf(lines);

    // the same lines with another address in them: stored whole, so larger
    FailureTable other = new FailureTable(BIG);
    List<String> foreign = lines.stream().map(l -> l.replace(ip, "2001:db8:999:1::7")).toList();
    other.add(ip, T0, T0 - FINDTIME, foreign.subList(0, 2), Map.of(), 5);
    other.add(ip, T0 + 1, T0 + 1 - FINDTIME, foreign.subList(2, 4), Map.of(), 5);
    assertThat(withAddress).isLessThan(other.bytes());
    assertThat(other.take(ip).lines()).containsExactlyElementsOf(foreign);
  }

  @Test
  void alikeLines_costAFewBytesEach_andComeBackWhole() {
    // 100,000 addresses with one Asterisk line each: stored as their difference from a reference
    FailureTable t = new FailureTable(BIG);
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      String ip = "2001:db8:200:" + Integer.toHexString(i) + "::7";
      long time = T0 + i / 200;
      t.add(ip, time, time - FINDTIME, List.of(asteriskLine(ip, time)), Map.of(), 5);
    }
    // slots ~31 bytes, a record of ~56 (key, time, a line of ~7 bytes); whole lines: ~165
    assertThat(t.bytes() / n).isLessThan(100);
    for (int i = 0; i < n; i += 997) {
      String ip = "2001:db8:200:" + Integer.toHexString(i) + "::7";
      assertThat(t.take(ip).lines()).containsExactly(asteriskLine(ip, T0 + i / 200));
    }
  }

  @Test
  void randomLines_comeBackWhole_whateverTheirReferences() {
    // lines of few shapes and of none, multi-byte characters and the key among them
    Random random = new Random(7);
    String[] pieces = {"é", "2001:db8::1", "[", "] ", "NOTICE", "x", "€", " - ", "'", "1"};
    FailureTable t = new FailureTable(BIG);
    Map<String, List<String>> model = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      String ip = i % 3 == 0 ? "2001:db8::1" : "2001:db8::" + Integer.toHexString(i % 50 + 2);
      StringBuilder line = new StringBuilder();
      int len = random.nextInt(40);
      for (int k = 0; k < len; k++) {
        line.append(pieces[random.nextInt(pieces.length)]);
      }
      t.add(ip, T0, T0 - FINDTIME, List.of(line.toString()), Map.of(), 1_000);
      model.computeIfAbsent(ip, k -> new ArrayList<>()).add(line.toString());
    }
    for (Map.Entry<String, List<String>> e : model.entrySet()) {
      List<String> all = e.getValue();
      assertThat(t.take(e.getKey()).lines())
          .as(e.getKey())
          .isEqualTo(all.subList(Math.max(0, all.size() - 1_000), all.size()));
    }
  }

  private static String asteriskLine(String ip, long time) {
    return "["
        + java.time.Instant.ofEpochSecond(time).toString().replace('T', ' ').replace("Z", "")
        + "] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '"
        + ip
        + "' - Wrong password";
  }

  @Test
  void take_withMaxmatchesZero_keepsNoLines() {
    FailureTable t = new FailureTable(BIG);
    t.add("alice", T0, T0 - FINDTIME, List.of("a"), Map.of("port", "5060", "user", "x"), 0);
    FailureTable.Taken taken = t.take("alice");
    assertThat(taken.lines()).isEmpty();
    assertThat(taken.data()).containsEntry("port", "5060").containsEntry("user", "x");
  }

  @Test
  void pendingAndFailing_forgetIdsWhoseFailuresAreAllOld() {
    FailureTable t = new FailureTable(BIG);
    add(t, "203.0.113.1", T0);
    add(t, "203.0.113.2", T0 + 100);
    add(t, "203.0.113.2", T0 + 200);
    assertThat(t.pending(T0 + 50)).containsExactly(Map.entry("203.0.113.2", 2));
    assertThat(t.pending(T0 + 100)).containsExactly(Map.entry("203.0.113.2", 1));
    assertThat(t.failing(T0 + 200)).isZero();
    assertThat(t.size()).isZero();
  }

  @Test
  void removeIf_forgetsTheIdsItAccepts() {
    FailureTable t = new FailureTable(BIG);
    for (int i = 0; i < 100; i++) {
      add(t, "203.0.113." + i, T0);
    }
    t.removeIf(fid -> fid.endsWith("7"));
    assertThat(t.size()).isEqualTo(90);
    assertThat(t.count("203.0.113.17")).isZero();
    assertThat(t.count("203.0.113.18")).isEqualTo(1);
  }

  @Test
  void randomAddsTakesAndRemoves_agreeWithAPlainMap() {
    // a model of what the table must answer: times per id, oldest first; the table may forget
    // an id early only once all its failures are older than findtime
    Random random = new Random(42);
    FailureTable t = new FailureTable(BIG);
    Map<String, Deque<Long>> model = new HashMap<>();
    Map<String, List<String>> lines = new HashMap<>();
    long now = T0;
    for (int step = 0; step < 50_000; step++) {
      now += random.nextInt(3);
      long limit = now - FINDTIME;
      String fid = "2001:db8::" + Integer.toHexString(random.nextInt(2_000));
      int op = random.nextInt(10);
      if (op < 7) {
        Deque<Long> times = model.computeIfAbsent(fid, k -> new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= limit) {
          times.pollFirst();
        }
        if (times.isEmpty()) {
          lines.remove(fid); // every failure older than findtime: it starts again
        }
        times.addLast(now);
        lines.computeIfAbsent(fid, k -> new ArrayList<>()).add("line " + now);
        assertThat(add(t, fid, now)).isEqualTo(times.size());
      } else if (op < 8) {
        Deque<Long> times = model.remove(fid);
        List<String> last = lines.remove(fid);
        FailureTable.Taken taken = t.take(fid);
        if (taken == null) {
          assertThat(times == null || times.peekLast() <= limit).isTrue();
        } else {
          // the lines: the last maxmatches since its failures started to count
          assertThat(taken.count()).isEqualTo(times.size());
          assertThat(taken.lines())
              .isEqualTo(last.subList(Math.max(0, last.size() - 3), last.size()));
        }
      } else {
        Deque<Long> times = model.remove(fid);
        lines.remove(fid);
        boolean removed = t.remove(fid);
        assertThat(removed || times == null || times.peekLast() <= limit).isTrue();
        assertThat(!removed || times != null).isTrue();
      }
    }
    long limit = now - FINDTIME;
    long live = model.values().stream().filter(d -> d.peekLast() > limit).count();
    assertThat((long) t.failing(limit)).isEqualTo(live);
    for (Map.Entry<String, Deque<Long>> e : model.entrySet()) {
      if (e.getValue().peekLast() > limit) {
        assertThat(t.count(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().size());
      }
    }
    assertThat(t.dropped()).isZero();
  }

  @Test
  void pastTheCap_theOldestAreDropped_andCounted() {
    long cap = 1L << 20;
    FailureTable t = new FailureTable(cap);
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      add(t, "2001:db8:1::" + Integer.toHexString(i), T0 + i / 1000);
      assertThat(t.bytes()).isLessThanOrEqualTo(cap);
    }
    assertThat(t.dropped()).isGreaterThan(0).isEqualTo(n - t.size());
    // the newest are all there, the oldest are gone
    assertThat(t.count("2001:db8:1::" + Integer.toHexString(n - 1))).isEqualTo(1);
    assertThat(t.count("2001:db8:1::" + Integer.toHexString(n - 100))).isEqualTo(1);
    assertThat(t.count("2001:db8:1::0")).isZero();
  }

  @Test
  void longLines_areCountedInTheCap() {
    // an attacker who makes the logged lines long must not make the table grow past its cap
    long cap = 1L << 20;
    FailureTable t = new FailureTable(cap);
    String line = "x".repeat(100_000);
    for (int i = 0; i < 100; i++) {
      t.add("203.0.113." + i, T0 + i, T0 + i - FINDTIME, List.of(line), Map.of(), 5);
      assertThat(t.bytes()).isLessThanOrEqualTo(cap);
    }
    assertThat(t.size()).isBetween(1, 10);
    assertThat(t.count("203.0.113.99")).isEqualTo(1);
  }

  @Test
  void sameSecondFlood_dropsOnlyWhatIsNeeded() {
    // a million lines logged within one second all have the same time: the cap still holds, and
    // the table keeps most of what fits rather than dropping every tie
    long cap = 1L << 20;
    FailureTable t = new FailureTable(cap);
    for (int i = 0; i < 100_000; i++) {
      add(t, "198.51.100." + (i % 256) + "-" + i, T0);
    }
    assertThat(t.bytes()).isLessThanOrEqualTo(cap);
    assertThat(t.bytes()).isGreaterThan(cap / 2);
  }
}
