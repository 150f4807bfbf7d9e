package io.portcullis.action;

import io.portcullis.jail.BanDecision;

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

  void unban(BanDecision ban) throws Exception;

  /**
   * Tells of an account that went under attack (many addresses failing on one account): mail and
   * webhook actions send it, the log action logs it; by default nothing to do.
   */
  default void alert(io.portcullis.jail.AccountAlert alert) throws Exception {}

  /** Lifts all bans at once (for {@code unban --all}); by default nothing to do. */
  default void flush() throws Exception {}
}
