package io.portcullis.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerTest {
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @Test
  void items_areHandledInOrder_onTheNamedThread() throws Exception {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    Worker<Integer> w =
        Worker.<Integer>named("jail-test")
            .each(i -> seen.add(Thread.currentThread().getName() + ":" + i))
            .errors(errors::add)
            .start();
    for (int i = 0; i < 100; i++) {
      assertThat(w.submit(i)).isTrue();
    }
    assertThat(w.awaitHandled(LIMIT)).isTrue();
    assertThat(seen).hasSize(100).first().isEqualTo("jail-test:0");
    assertThat(seen.get(99)).isEqualTo("jail-test:99");
    assertThat(w.stop(LIMIT)).isTrue();
    assertThat(errors).isEmpty();
  }

  @Test
  void fullQueue_blocksTheProducer_countsTheWait_andWarns_withoutDroppingAnything()
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    Worker<Integer> w =
        Worker.<Integer>named("slow")
            .capacity(2)
            .each(
                i -> {
                  release.await(10, TimeUnit.SECONDS);
                  seen.add(i);
                })
            .errors(errors::add)
            .warnings(warnings::add)
            .start();
    AtomicInteger submitted = new AtomicInteger();
    Thread producer =
        new Thread(
            () -> {
              for (int i = 0; i < 6; i++) {
                w.submit(i);
                submitted.incrementAndGet();
              }
            });
    producer.start();
    // one item in the handler, two queued: the producer waits for room
    Await.until("the producer to block", LIMIT, () -> w.stats().waits() > 0);
    assertThat(submitted.get()).isLessThan(6);
    release.countDown();
    producer.join(LIMIT.toMillis());
    assertThat(w.awaitHandled(LIMIT)).isTrue();
    assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(w.stats().dropped()).isZero();
    assertThat(warnings).anySatisfy(m -> assertThat(m).contains("queue full (2 items)"));
    w.stop(LIMIT);
  }

  @Test
  void failingItem_isReported_andTheLoopGoesOn() throws Exception {
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    Worker<Integer> w =
        Worker.<Integer>named("jail-x")
            .each(
                i -> {
                  if (i == 1) {
                    throw new IllegalStateException("bad line");
                  }
                  if (i == 2) {
                    throw new StackOverflowError();
                  }
                  seen.add(i);
                })
            .errors(m -> errors.add("[x] " + m))
            .start();
    for (int i = 0; i < 4; i++) {
      w.submit(i);
    }
    assertThat(w.awaitHandled(LIMIT)).isTrue();
    assertThat(seen).containsExactly(0, 3);
    assertThat(errors)
        .hasSize(2)
        .first()
        .satisfies(m -> assertThat(m).startsWith("[x] ").contains("bad line"));
    assertThat(w.stats().failures()).isEqualTo(2);
    w.stop(LIMIT);
  }

  @Test
  void stop_handlesWhatIsQueued_thenRefusesAndCountsNewItems() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    Worker<Integer> w =
        Worker.<Integer>named("store")
            .each(
                i -> {
                  release.await(10, TimeUnit.SECONDS);
                  seen.add(i);
                })
            .errors(errors::add)
            .warnings(warnings::add)
            .start();
    for (int i = 0; i < 5; i++) {
      w.submit(i);
    }
    Thread stopper =
        new Thread(
            () -> {
              try {
                w.stop(LIMIT);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    stopper.start();
    Await.until("stop to begin", LIMIT, w::stopped);
    assertThat(w.submit(99)).isFalse();
    release.countDown();
    stopper.join(LIMIT.toMillis());
    assertThat(seen).containsExactly(0, 1, 2, 3, 4);
    assertThat(w.stats().dropped()).isEqualTo(1);
    assertThat(warnings).anySatisfy(m -> assertThat(m).contains("item dropped"));
  }

  @Test
  void stop_interruptsAHandlerThatHangs_afterItsTimeLimit() throws Exception {
    AtomicBoolean interrupted = new AtomicBoolean();
    List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch running = new CountDownLatch(1);
    Worker<Integer> w =
        Worker.<Integer>named("hang")
            .each(
                i -> {
                  running.countDown();
                  try {
                    new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    interrupted.set(true);
                    throw e;
                  }
                })
            .errors(errors::add)
            .warnings(warnings::add)
            .start();
    w.submit(1);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    long start = System.nanoTime();
    assertThat(w.stop(Duration.ofMillis(200))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(interrupted).isTrue();
    assertThat(warnings).anySatisfy(m -> assertThat(m).contains("did not stop within 200 ms"));
  }

  @Test
  void batches_takeWhatIsQueued_andABurstIsWaitedForWhileItGrows() throws Exception {
    List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch first = new CountDownLatch(1);
    Worker<Integer> w =
        Worker.<Integer>named("batch")
            .capacity(10_000)
            .batches(
                500,
                Duration.ofMillis(25),
                b -> {
                  first.await(10, TimeUnit.SECONDS);
                  sizes.add(b.size());
                })
            .errors(errors::add)
            .start();
    w.submit(0);
    for (int i = 1; i <= 1200; i++) {
      w.submit(i);
    }
    first.countDown();
    assertThat(w.awaitHandled(LIMIT)).isTrue();
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(1201);
    assertThat(sizes).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(500));
    // the 1200 queued behind the first went in full batches, not one by one
    assertThat(sizes.size()).isLessThanOrEqualTo(4);
    w.stop(LIMIT);
  }

  @Test
  void tick_runsOnSchedule_evenWithoutItems_andAFailingTickDoesNotEndTheLoop() throws Exception {
    AtomicInteger ticks = new AtomicInteger();
    Worker<Object> w =
        Worker.named("unban-timer")
            .every(
                () -> Duration.ofMillis(10),
                () -> {
                  if (ticks.incrementAndGet() == 2) {
                    throw new IllegalStateException("tick failed");
                  }
                })
            .errors(errors::add)
            .start();
    Await.until("five ticks", LIMIT, () -> ticks.get() >= 5);
    assertThat(w.stop(LIMIT)).isTrue();
    assertThat(errors).singleElement().satisfies(m -> assertThat(m).contains("tick failed"));
  }

  @Test
  void offer_givesUpAfterItsLimit_whenTheQueueStaysFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Worker<Integer> w =
        Worker.<Integer>named("busy")
            .capacity(1)
            .each(i -> release.await(10, TimeUnit.SECONDS))
            .errors(errors::add)
            .start();
    w.submit(1);
    Await.until("the first item taken", LIMIT, () -> w.stats().queued() == 0);
    w.submit(2);
    assertThat(w.offer(3, Duration.ofMillis(50))).isFalse();
    assertThat(w.stats().dropped()).isZero();
    release.countDown();
    assertThat(w.offer(4, LIMIT)).isTrue();
    w.stop(LIMIT);
  }
}
