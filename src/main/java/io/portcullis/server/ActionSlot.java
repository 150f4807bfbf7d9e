package io.portcullis.server;

import io.portcullis.action.Action;
import io.portcullis.jail.BanDecision;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One action of one jail on its own thread ({@code action-<jail>-<name>}): calls run one at a time
 * in order, a failure is logged with jail and action name and never reaches the jail.
 */
final class ActionSlot {
  private final String jail;
  private final Action action;
  private final ServerLog log;
  private final ExecutorService executor;
  private volatile String lastError;

  ActionSlot(String jail, Action action, ServerLog log) {
    this.jail = jail;
    this.action = action;
    this.log = log;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "action-" + jail + "-" + action.name());
              t.setDaemon(true);
              return t;
            });
  }

  String name() {
    return action.name();
  }

  String lastError() {
    return lastError;
  }

  /**
   * Asks the action whether its side is in place (e.g. the firewall table exists); null if unknown.
   */
  Boolean inPlace() {
    try {
      return action.check();
    } catch (Exception e) {
      return Boolean.FALSE;
    }
  }

  void start() {
    run("start", action::start);
  }

  void ban(BanDecision b) {
    run("ban " + b.fid(), () -> action.ban(b));
  }

  void restoreAll(java.util.List<BanDecision> bans) {
    run("restore " + bans.size() + " ban(s)", () -> action.restoreAll(bans));
  }

  void unban(BanDecision b) {
    run("unban " + b.fid(), () -> action.unban(b));
  }

  void flush() {
    run("flush", action::flush);
  }

  /** Stops the action after the calls already queued, waiting at most {@code seconds}. */
  void stop(long seconds) throws InterruptedException {
    run("stop", action::stop);
    executor.shutdown();
    if (!executor.awaitTermination(seconds, TimeUnit.SECONDS)) {
      log.warning(
          "[" + jail + "] action '" + action.name() + "' did not stop within " + seconds + "s");
      executor.shutdownNow();
    }
  }

  /** Waits until every call queued so far has run. */
  void await() throws Exception {
    executor.submit(() -> null).get(30, TimeUnit.SECONDS);
  }

  private interface Call {
    void run() throws Exception;
  }

  private static final int ATTEMPTS = 3;

  /**
   * Runs a call on the action's thread; a failure is logged with jail and action name and tried
   * again (up to three times, waiting 1 s then 2 s): only this action's queue waits meanwhile.
   */
  private void run(String what, Call call) {
    executor.execute(
        () -> {
          for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
              call.run();
              lastError = null;
              return;
            } catch (Exception e) {
              lastError = what + ": " + e.getMessage();
              log.error(
                  "["
                      + jail
                      + "] action '"
                      + action.name()
                      + "' failed to "
                      + what
                      + " (attempt "
                      + attempt
                      + " of "
                      + ATTEMPTS
                      + "): "
                      + e.getMessage());
              if (attempt == ATTEMPTS || what.equals("stop")) {
                return;
              }
              try {
                Thread.sleep(1000L << (attempt - 1));
              } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
                return;
              }
            }
          }
        });
  }
}
