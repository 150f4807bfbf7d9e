package io.portcullis.control;

import io.portcullis.net.IpAddress;
import java.util.List;
import java.util.Optional;

/** What a command may ask of the server as a whole; the jails through {@link JailControl}. */
public interface ServerControl {
  Replies.ServerStatus status();

  /** The running jails, in start order. */
  List<JailControl> jails();

  Optional<JailControl> jail(String name);

  /** Why a jail that is configured could not start, or empty when it runs or is unknown. */
  List<String> problemsOf(String jail);

  /** Whether the config names this jail (running, broken or new since start). */
  boolean configures(String jail);

  List<Replies.BanEntry> banned(IpAddress only);

  /**
   * Bans in force (of one address, or of one jail, when given), newest first, at most {@code
   * limit}, each with the failures that led to it.
   */
  List<Replies.BanDetail> bans(IpAddress only, String jail, int limit) throws Exception;

  /** {@code why IP}: the address's bans in force and its history, newest first. */
  Replies.History why(IpAddress ip) throws Exception;

  /** Events of every address from {@code since} (epoch seconds) on, newest first. */
  List<Replies.Event> history(long since, int limit) throws Exception;

  /** Failures and bans over the last {@code window}, in steps of {@code step}. */
  Replies.Stats stats(java.time.Duration window, java.time.Duration step) throws Exception;

  /**
   * Tells {@code listener} every event from now on, on the thread where it happens (it must not
   * block); closing the handle stops it.
   */
  AutoCloseable subscribe(java.util.function.Consumer<Replies.Event> listener);

  /** How many times the firewalls were found differing from the bans and repaired. */
  long firewallRepairs();

  /**
   * Reads the config again and restarts the jails from it; returns the jails now running.
   *
   * @throws ConfigProblems when the config has problems (then nothing changed)
   */
  List<String> reload() throws Exception;

  void reopenLog();

  /** Stops the server after the answer to this command went out. */
  void requestStop();

  /** A config that cannot be loaded: every problem, one per line. */
  final class ConfigProblems extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigProblems(String message) {
      super(message);
    }
  }
}
