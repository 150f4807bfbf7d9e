package io.portcullis.feed;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * What a feed asks of the jails: which entries a jail lets it ban, and its kernel sets changed in
 * one transaction. The server implements it ({@code server.FeedLink}).
 */
public interface FeedTarget {
  /**
   * Of {@code entries}, those the jail neither ignores (ignoreip, registered phones ...) nor allows
   * (after a successful login, or by command) now.
   *
   * @throws Exception no such jail runs, or it did not answer
   */
  List<IpAddress> screen(String jail, List<IpAddress> entries) throws Exception;

  /**
   * Changes the feed's elements in the jail's firewall sets in one transaction per backend: {@code
   * remove} leave (unless the jail itself bans them), {@code refresh} get a fresh timeout, {@code
   * add} join with {@code timeout}.
   *
   * @throws Exception the jail has no firewall action, or the kernel refused (nothing applied)
   */
  void apply(
      String jail,
      Collection<IpAddress> remove,
      Collection<IpAddress> refresh,
      Collection<IpAddress> add,
      Duration timeout)
      throws Exception;
}
