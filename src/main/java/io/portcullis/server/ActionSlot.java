package io.portcullis.server;

import io.portcullis.action.Action;
import io.portcullis.action.CommandAction;
import io.portcullis.jail.BanDecision;
import io.portcullis.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One action of one jail on its own worker ({@code action-<jail>-<name>}): calls run one at a time
 * in order; a failure is logged with jail and action name, tried again, and never reaches the jail.
 * The queue holds 131,072 calls; beyond that the jail waits (a flood against an action slower than
 * the flood). Each ban, unban and flush says when it took effect (a future), and a call that runs
 * for long (a hanging command) is reported by {@link #stuck}: it holds up this action only, never
 * the firewall, which is an action of its own with its own queue.
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
  private volatile long busySince;
  private volatile String busyWith;

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
   * Asks the action whether its side is in place (e.g. the firewall table exists); null if unknown:
   * also while a call is running, or for an action.d command (its check is a command that may hang,
   * and status must answer).
   */
  Boolean inPlace() {
    if (busySince != 0 || action instanceof CommandAction) {
      return null;
    }
    try {
      return action.check();
    } catch (Exception e) {
      return Boolean.FALSE;
    }
  }

  /**
   * When the call running now has run for at least {@code limit}: what it is, for how long, and how
   * many calls wait behind it.
   */
  String stuck(Duration limit) {
    long since = busySince;
    if (since == 0) {
      return null;
    }
    long ran = System.nanoTime() - since;
    if (ran < limit.toNanos()) {
      return null;
    }
    return "stuck for "
        + Duration.ofNanos(ran).toSeconds()
        + " s on '"
        + busyWith
        + "' ("
        + worker.stats().queued()
        + " call(s) waiting behind it)";
  }

  void start() {
    run("start", () -> done(action::start));
  }

  CompletableFuture<Void> ban(BanDecision b) {
    return run("ban " + b.fid(), () -> action.banApplied(b));
  }

  CompletableFuture<Void> restoreAll(List<BanDecision> bans) {
    return run("restore " + bans.size() + " ban(s)", () -> action.restoreAllApplied(bans));
  }

  CompletableFuture<Void> alert(io.portcullis.jail.AccountAlert a) {
    return run("alert " + a.account().user(), () -> done(() -> action.alert(a)));
  }

  CompletableFuture<Void> unban(BanDecision b) {
    return run("unban " + b.fid(), () -> action.unbanApplied(b));
  }

  /**
   * Lifts these bans, all of the jail's: one flush where the action has one (fail2ban's {@code
   * actionflush}, the firewall's sets), else one by one.
   */
  CompletableFuture<Void> flush(List<BanDecision> bans) {
    return run(
        "flush " + bans.size() + " ban(s)",
        () -> {
          CompletionStage<Void> flushed = action.flushApplied();
          if (flushed != null) {
            return flushed;
          }
          List<CompletableFuture<Void>> each = new ArrayList<>();
          for (BanDecision b : bans) {
            each.add(action.unbanApplied(b).toCompletableFuture());
          }
          return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
        });
  }

  /**
   * An address allowed until a time: a firewall keeps it reachable inside a banned network (see
   * {@code FirewallBackend.allow}); other actions have nothing to do.
   */
  void allow(io.portcullis.net.IpAddress ip, java.time.Instant until) {
    if (action instanceof io.portcullis.action.FirewallAction f) {
      run("allow " + ip, () -> done(() -> f.backend().allow(jail, ip, until)));
    }
  }

  /** An address no longer allowed: a firewall takes it out of its allowed set. */
  void disallow(io.portcullis.net.IpAddress ip) {
    if (action instanceof io.portcullis.action.FirewallAction f) {
      run("disallow " + ip, () -> done(() -> f.backend().disallow(jail, ip)));
    }
  }

  /**
   * The jail's ignore list changed at run time: a firewall puts it in its exemption set (see {@code
   * FirewallBackend.exemptNow}); other actions have nothing to do.
   */
  CompletableFuture<Void> exempt(List<io.portcullis.net.IpAddress> always) {
    if (action instanceof io.portcullis.action.FirewallAction f) {
      return run("ignore list", () -> done(() -> f.backend().exemptNow(jail, always)));
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Stops the action after the calls already queued, waiting at most {@code limit}. */
  void stop(Duration limit) throws InterruptedException {
    run("stop", () -> done(action::stop));
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
    CompletionStage<Void> run() throws Exception;
  }

  private interface Plain {
    void run() throws Exception;
  }

  private static CompletionStage<Void> done(Plain p) throws Exception {
    p.run();
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Runs a call on the action's thread; a failure is logged with jail and action name and tried
   * again (up to three times, waiting 1 s then 2 s): only this action's queue waits meanwhile. The
   * future completes when the call's stage does, or fails after the last attempt.
   */
  private CompletableFuture<Void> run(String what, Call call) {
    boolean once = what.equals("stop");
    CompletableFuture<Void> result = new CompletableFuture<>();
    boolean queued =
        worker.submit(
            () -> {
              busyWith = what;
              busySince = System.nanoTime();
              try {
                attempts(what, call, once, result);
              } finally {
                busySince = 0;
              }
            });
    if (!queued) {
      result.completeExceptionally(new IllegalStateException("the action is stopped"));
    }
    return result;
  }

  private void attempts(String what, Call call, boolean once, CompletableFuture<Void> result) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        call.run()
            .whenComplete(
                (ok, failure) -> {
                  if (failure == null) {
                    result.complete(null);
                  } else {
                    result.completeExceptionally(failure);
                  }
                });
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
          result.completeExceptionally(e);
          return;
        }
        try {
          Thread.sleep(1000L << (attempt - 1));
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          result.completeExceptionally(e);
          return;
        }
      }
    }
  }
}
