package io.portcullis.cli;

import io.portcullis.config.ServerSettings;
import io.portcullis.plan.SystemHost;
import io.portcullis.server.Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portcullis server}: runs the daemon in the foreground (systemd runs it as Type=notify).
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description =
        "Runs the server in the foreground until stopped (portcullis stop, SIGTERM or SIGINT); SIGHUP reloads the config.")
final class ServerCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "DIR",
      description =
          "Config dir (default /etc/portcullis; /etc/fail2ban runs a fail2ban setup as it is).")
  Path config;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description =
          "Control socket (default: the config's socket option, else /run/portcullis/portcullis.sock).")
  Path socket;

  @Option(
      names = "-f",
      description = "Stay in the foreground (always the case; accepted for fail2ban's habit).")
  boolean foreground;

  @Option(names = "--test", description = "Only check the configuration, like 'portcullis check'.")
  boolean test;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path dir = config != null ? config : ConfigDirs.defaultDir();
    if (test) {
      CheckCommand check = new CheckCommand();
      check.config = dir;
      check.spec = spec;
      return check.call();
    }
    ServerSettings.fail2banDbfile(dir)
        .ifPresent(
            theirs ->
                System.err.println(
                    "portcullis: fail2ban's config: bans are kept in Portcullis' own store "
                        + ServerSettings.read(dir).dbfile()
                        + ", never in fail2ban's "
                        + theirs
                        + " ('portcullis import fail2ban' carries its bans over)"));
    // the hook is in place before the start opens anything: a SIGTERM or SIGINT while the server
    // starts (systemd's stop during a long restore; the socket already answering) lets the start
    // finish, then stops the server as after it, instead of leaving its socket and pid file behind
    CompletableFuture<Server> started = new CompletableFuture<>();
    Thread hook = new Thread(() -> stopWhenStarted(started), "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Server server;
    try {
      server = Server.start(dir, Clock.systemUTC(), socket);
    } catch (Exception | Error e) {
      started.completeExceptionally(e);
      throw e;
    }
    started.complete(server);
    String notifyProblem = SystemdNotify.ready("ready; control socket " + server.socket());
    if (notifyProblem != null) {
      System.err.println("portcullis: " + notifyProblem);
    }
    if (System.console() != null) {
      // a person started it: say once what runs, then let the log speak
      ServerSettings settings = ServerSettings.read(dir);
      if (socket != null) {
        settings = settings.withSocket(socket);
      }
      StartSummary.lines(
              dir,
              settings,
              server.control(),
              server.web().map(w -> w.addresses()).orElse(List.of()),
              new SystemHost(false))
          .forEach(System.err::println);
    }
    // a reload runs on its own thread, not the JVM's signal thread; while one runs, one more
    // waits and further signals join it (it reads the config as it is when it starts)
    ThreadPoolExecutor reloads =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1),
            r -> {
              Thread t = new Thread(r, "reload-signal");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardPolicy());
    if (!Signals.handle("HUP", () -> reloads.execute(() -> server.reloadFromSignal("SIGHUP")))) {
      System.err.println(
          "portcullis: cannot handle SIGHUP in this JVM: it stops the server; use 'portcullis reload'");
    }
    server.awaitStop();
    reloads.shutdownNow();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // SIGTERM: the hook is running
    }
    return Main.OK;
  }

  /** How long a stop signal during the start waits for the start to finish. */
  static final Duration START_WAIT_ON_STOP = Duration.ofSeconds(120);

  private static void stopWhenStarted(CompletableFuture<Server> started) {
    Server server;
    try {
      server = started.get(START_WAIT_ON_STOP.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException failed) {
      return; // the start failed and closed what it had opened; it says why
    } catch (TimeoutException | InterruptedException e) {
      System.err.println(
          "portcullis: stopped while starting, and the start did not finish within "
              + START_WAIT_ON_STOP.toSeconds()
              + " s: stopping without closing");
      return;
    }
    try {
      server.close();
    } catch (Exception e) {
      System.err.println("portcullis: stop failed: " + e.getMessage());
    }
  }
}
