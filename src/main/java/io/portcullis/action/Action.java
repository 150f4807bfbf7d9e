package io.portcullis.action;

import io.portcullis.jail.BanDecision;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What carries out a jail's bans: a firewall, a command, a notification. Calls come from one thread
 * per action, in order; an exception is logged with the jail and action name and retried or dropped
 * by the caller, never passed on to the jail.
 */
public interface Action {
  String name();

  /** Prepares (creates chains, sets, connections). Called at server start. */
  default void start() throws Exception {}

  /** Undoes {@link #start}. Called at server stop. */
  default void stop() throws Exception {}

  /** Whether the action is still in place (e.g. the firewall set exists); false asks for repair. */
  default boolean check() throws Exception {
    return true;
  }

  void ban(BanDecision ban) throws Exception;

  /**
   * Puts a ban back in force at server start (restored from the store). By default the same as
   * {@link #ban}; fail2ban's {@code norestored} actions (mail) do nothing here.
   */
  default void restore(BanDecision ban) throws Exception {
    ban(ban);
  }

  /** Restores many bans at once (a start with thousands of stored bans); by default one by one. */
  default void restoreAll(java.util.List<BanDecision> bans) throws Exception {
    for (BanDecision b : bans) {
      restore(b);
    }
  }

  /**
   * {@link #restoreAll}, with a stage that completes when the bans are in force (a firewall: when
   * the kernel took them), or fails saying why not; by default when restoreAll returns.
   */
  default CompletionStage<Void> restoreAllApplied(java.util.List<BanDecision> bans)
      throws Exception {
    restoreAll(bans);
    return CompletableFuture.completedFuture(null);
  }

  void unban(BanDecision ban) throws Exception;

  /**
   * Tells of an account that went under attack (many addresses failing on one account): mail and
   * webhook actions send it, the log action logs it; by default nothing to do.
   */
  default void alert(io.portcullis.jail.AccountAlert alert) throws Exception {}

  /**
   * Lifts all of the jail's bans at once (fail2ban's {@code actionflush}, for {@code unban --all}
   * and at stop); false when the action has no such thing and the bans are lifted one by one.
   */
  default boolean flush() throws Exception {
    return false;
  }

  /**
   * Whether this action keeps a banned address out (a firewall, or an action.d command, which may
   * be one), as opposed to telling somebody (log, mail, webhook): {@code ban} answers that a ban is
   * in force only once every such action has applied it.
   */
  default boolean keepsOut() {
    return true;
  }

  /**
   * Bans, and says when the ban took effect: the stage completes when the kernel accepted it (a
   * firewall, whose changes are applied in batches) or, by default, when {@link #ban} returned.
   */
  default CompletionStage<Void> banApplied(BanDecision ban) throws Exception {
    ban(ban);
    return CompletableFuture.completedFuture(null);
  }

  /** Lifts a ban, and says when that took effect (as {@link #banApplied}). */
  default CompletionStage<Void> unbanApplied(BanDecision ban) throws Exception {
    unban(ban);
    return CompletableFuture.completedFuture(null);
  }

  /** {@link #flush}, saying when it took effect; null when the bans must be lifted one by one. */
  default CompletionStage<Void> flushApplied() throws Exception {
    return flush() ? CompletableFuture.completedFuture(null) : null;
  }
}
