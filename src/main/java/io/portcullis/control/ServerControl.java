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
