package io.portcullis.server;

import io.portcullis.action.Action;
import io.portcullis.jail.BanDecision;
import io.portcullis.worker.Worker;
import java.time.Duration;
import java.util.List;

/**
 * One action of one jail on its own worker ({@code action-<jail>-<name>}): calls run one at a time
 * in order; a failure is logged with jail and action name, tried again, and never reaches the jail.
 * The queue holds 131,072 calls; beyond that the jail waits (a flood against an action slower than
 * the flood).
 */
final class ActionSlot {
  private static final int CAPACITY = 1 << 17;
  private static final int ATTEMPTS = 3;

  private final String jail;
  private final Action action;
  private final ServerLog log;
  private final Worker<Runnable> worker;
  private volatile String lastError;
  private final java.util.concurrent.atomic.AtomicLong errors =
      new java.util.concurrent.atomic.AtomicLong();

  ActionSlot(String jail, Action action, ServerLog log) {
    this.jail = jail;
    this.action = action;
    this.log = log;
    this.worker =
        Worker.<Runnable>named("action-" + jail + "-" + action.name())
            .capacity(CAPACITY)
            .each(Runnable::run)
            .errors(m -> log.error("[" + jail + "] action '" + action.name() + "': " + m))
            .warnings(m -> log.warning("[" + jail + "] action '" + action.name() + "': " + m))
            .start();
  }

  String name() {
    return action.name();
  }

  Action action() {
    return action;
  }

  String lastError() {
    return lastError;
  }

  /** Failed attempts since start (each retry counts). */
  long errors() {
    return errors.get();
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

  void restoreAll(List<BanDecision> bans) {
    run("restore " + bans.size() + " ban(s)", () -> action.restoreAll(bans));
  }

  void alert(io.portcullis.jail.AccountAlert a) {
    run("alert " + a.account().user(), () -> action.alert(a));
  }

  void unban(BanDecision b) {
    run("unban " + b.fid(), () -> action.unban(b));
  }

  /** Stops the action after the calls already queued, waiting at most {@code limit}. */
  void stop(Duration limit) throws InterruptedException {
    run("stop", action::stop);
    if (!worker.stop(limit)) {
      log.warning(
          "["
              + jail
              + "] action '"
              + action.name()
              + "' did not stop within "
              + limit.toSeconds()
              + "s");
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  /**
   * Runs a call on the action's thread; a failure is logged with jail and action name and tried
   * again (up to three times, waiting 1 s then 2 s): only this action's queue waits meanwhile.
   */
  private void run(String what, Call call) {
    boolean once = what.equals("stop");
    worker.submit(
        () -> {
          for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
              call.run();
              lastError = null;
              return;
            } catch (Exception e) {
              errors.incrementAndGet();
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
              if (attempt == ATTEMPTS || once) {
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
