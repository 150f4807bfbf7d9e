package io.portcullis.server;

import io.portcullis.regex.MatchBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Watches a jail's lines whose regex search gave up at its step budget (a line crafted for
 * catastrophic backtracking): the count is shown in {@code status}, and the log says so at most
 * once a minute, with how many since the last message, so that an admin sees a filter being
 * attacked without the log being flooded. Observed on the jail's thread; read from any.
 */
final class BudgetWatch {
  private static final Duration EVERY = Duration.ofMinutes(1);

  private final String jail;
  private final String filter;
  private final Consumer<String> warnings;
  private volatile long total;
  private long reported;
  private Instant lastMessage;

  BudgetWatch(String jail, String filter, Consumer<String> warnings) {
    this.jail = jail;
    this.filter = filter;
    this.warnings = warnings;
  }

  /** The filter's count of such lines since the jail started; on the jail's thread. */
  void observe(long hits, Instant now) {
    total = hits;
    if (hits <= reported || (lastMessage != null && now.isBefore(lastMessage.plus(EVERY)))) {
      return;
    }
    warnings.accept(
        "["
            + jail
            + "] "
            + (hits - reported)
            + " line(s) made a regex of filter "
            + filter
            + " give up after "
            + MatchBudget.DEFAULT_LIMIT
            + " steps "
            + (lastMessage == null ? "since start" : "in the last minute or more")
            + " and were not matched (crafted to backtrack? the filter may be under attack); "
            + hits
            + " since start");
    reported = hits;
    lastMessage = now;
  }

  long total() {
    return total;
  }
}
