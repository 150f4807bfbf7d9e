package io.portcullis.server;

import io.portcullis.control.Replies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What became of the bans or unbans a command asked for: the store's write and each action's part,
 * as futures; {@link #await} waits for them with a time limit and says what is done, failed or
 * still pending, so that the answer is honest about a store or a firewall that did not take them.
 */
final class Effects {
  private Effects() {}

  /**
   * One ban or unban: its write to the store and each action's call. The map is looked up by slot,
   * never iterated in order: an immutable copy (one object for one action) instead of a linked hash
   * map per ban, which lived as long as a command's 10,000 bans were in flight.
   */
  record Effect(CompletableFuture<Void> stored, Map<ActionSlot, CompletableFuture<Void>> actions) {
    Effect {
      actions = Map.copyOf(actions);
    }
  }

  /**
   * Waits at most {@code limit} for the store and the actions that keep addresses out, then counts
   * what is done; an action that only tells somebody (log, mail, webhook) is not waited for, so a
   * slow mail server never delays the answer (it is counted as it stands).
   */
  static Replies.BanResult await(
      String jail, List<Effect> effects, List<ActionSlot> slots, Duration limit)
      throws InterruptedException {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    CompletableFuture<Void> last = null;
    for (Effect e : effects) {
      // the bans of one command share a few store writes: each future once
      if (e.stored() != last) {
        last = e.stored();
        all.add(last);
      }
      e.actions()
          .forEach(
              (slot, f) -> {
                if (slot.action().keepsOut()) {
                  all.add(f);
                }
              });
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | CancellationException e) {
      // counted below, future by future
    }
    int stored = 0;
    String store = null;
    for (Effect e : effects) {
      if (done(e.stored())) {
        stored++;
      } else if (store == null) {
        store =
            e.stored().isDone()
                ? why(e.stored())
                : "not written within " + limit.toSeconds() + " s";
      }
    }
    List<Replies.ActionResult> actions = new ArrayList<>();
    for (ActionSlot slot : slots) {
      int applied = 0;
      int failed = 0;
      int pending = 0;
      String error = null;
      for (Effect e : effects) {
        CompletableFuture<Void> f = e.actions().get(slot);
        if (f == null || done(f)) {
          applied++;
        } else if (f.isDone()) {
          failed++;
          error = error != null ? error : why(f);
        } else {
          pending++;
        }
      }
      if (pending > 0 && error == null) {
        String stuck = slot.stuck(Duration.ZERO);
        error =
            "not done within "
                + limit.toSeconds()
                + " s"
                + (stuck == null ? "" : " (" + stuck + ")");
      }
      actions.add(
          new Replies.ActionResult(
              jail, slot.name(), slot.action().keepsOut(), applied, failed, pending, error));
    }
    return new Replies.BanResult(effects.size(), stored, store, actions);
  }

  private static boolean done(CompletableFuture<Void> f) {
    return f.isDone() && !f.isCompletedExceptionally();
  }

  private static String why(CompletableFuture<Void> f) {
    try {
      f.join();
      return null;
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
  }
}
