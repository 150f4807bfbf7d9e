package io.portcullis.control;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.util.List;

/**
 * What a command may ask of a running jail. Every answer is a snapshot taken on the jail's own
 * thread (or published by it); nothing reaches into the jail from another thread. A method that has
 * to wait for the jail's thread gives up after a time limit with an exception.
 */
public interface JailControl {
  String name();

  Replies.JailStatus status() throws Exception;

  /** The jail's counters, read without waiting for its thread. */
  Replies.JailCounters counters();

  /**
   * Bans addresses now ({@code ban JAIL IP...}); answers once the store has them and the actions
   * applied them, or a time limit passed (then the result says what is missing).
   *
   * @param force ban even networks that cover loopback, this host or the jail's ignore list
   * @throws Refused when an address must not be banned without {@code force} (nothing is banned)
   */
  Replies.BanResult ban(List<IpAddress> ips, boolean force) throws Exception;

  /** Lifts the bans of these addresses in this jail (answering as {@link #ban} does). */
  Replies.BanResult unban(List<IpAddress> ips) throws Exception;

  /** Lifts every ban of this jail, with one flush per action where it has one. */
  Replies.BanResult unbanAll() throws Exception;

  /** A ban that would shut out what must never be shut out; the message says what it covers. */
  final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    public Refused(String message) {
      super(message);
    }
  }

  /** The decision settings in force (a snapshot: {@code set} may change them at any time). */
  Values values();

  /** Changes bantime, findtime or maxretry: every reader of the settings sees the new ones. */
  Values change(Change change) throws Exception;

  void addIgnore(IpAddress ip) throws Exception;

  boolean removeIgnore(IpAddress ip) throws Exception;

  List<IpAddress> ignoreList() throws Exception;

  /** Allows an address for a while ({@code null}: the jail's allowtime). */
  void allow(IpAddress ip, Duration forHowLong) throws Exception;

  boolean disallow(IpAddress ip) throws Exception;

  List<Replies.Allowed> allowed() throws Exception;

  List<String> logpaths();

  List<String> actions();

  /** bantime (negative: for ever), findtime, maxretry. */
  record Values(Duration bantime, Duration findtime, int maxretry) {}

  /** One of the changes {@code set} makes to the decision settings. */
  sealed interface Change {
    record Bantime(Duration value) implements Change {}

    record Findtime(Duration value) implements Change {}

    record Maxretry(int value) implements Change {}
  }
}
