package io.portcullis.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {
  @TempDir Path dir;
  private Long leftover;

  @AfterEach
  void killLeftover() {
    if (leftover != null) {
      ProcessHandle.of(leftover).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void run_returnsExitAndOutput_andPassesInputAndEnvironment() throws Exception {
    ProcessRunner r = new ProcessRunner(List.of(), Duration.ofSeconds(10));
    ProcessRunner.Result cat = r.run(List.of("cat"), "hello\n");
    assertThat(cat.ok()).isTrue();
    assertThat(cat.output()).isEqualTo("hello");
    ProcessRunner.Result env =
        r.run(List.of("sh", "-c", "printf %s \"$X\"; exit 3"), null, Map.of("X", "$(id)"));
    assertThat(env.exit()).isEqualTo(3);
    assertThat(env.output()).isEqualTo("$(id)");
  }

  @Test
  void run_largeInputAndOutputTogether_doNotDeadlock() throws Exception {
    String big = "x".repeat(1 << 20) + "\n";
    ProcessRunner.Result r =
        new ProcessRunner(List.of(), Duration.ofSeconds(20)).run(List.of("cat"), big);
    assertThat(r.output()).hasSize(1 << 20);
  }

  @Test
  void timeout_killsAChildThatNeverEnds() {
    ProcessRunner r = new ProcessRunner(List.of(), Duration.ofMillis(500));
    long start = System.nanoTime();
    assertThatThrownBy(() -> r.run(List.of("sleep", "1000"), null))
        .hasMessageContaining("sleep 1000 did not finish within 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @Timeout(30)
  void timeout_fires_whenAGrandchildKeepsTheOutputOpen_andKillsItsProcessGroup() throws Exception {
    // regression: the output was read to its end before the time limit was looked at, so a
    // child that left "sleep 1000" holding stdout hung the caller for 1000 s
    // the child lives half a second: the JDK drains and closes the output of a child that ended
    // before anyone read it (then no grandchild holds anything open for the runner), so the
    // runner's reader must be reading when the child ends (in one CI run the call returned after
    // 59 ms with no timeout)
    Path pidFile = dir.resolve("pid");
    ProcessRunner r = new ProcessRunner(List.of(), Duration.ofSeconds(1));
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                r.run(
                    List.of(
                        "sh", "-c", "sleep 1000 & echo $! > " + pidFile + "; sleep 0.5; exit 0"),
                    null))
        .hasMessageContaining("did not finish within 1000 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    leftover = Long.parseLong(Files.readString(pidFile).strip());
    Await.until(
        "the background sleep to be killed with its group",
        Duration.ofSeconds(5),
        () -> !running(leftover));
  }

  /** Alive and not a zombie (the killed sleep's new parent may not reap it at once). */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void available_findsProgramsOnThePath() {
    ProcessRunner r = new ProcessRunner(List.of(), Duration.ofSeconds(5));
    assertThat(r.available("sh")).isTrue();
    assertThat(r.available("no-such-program-portcullis")).isFalse();
  }
}
