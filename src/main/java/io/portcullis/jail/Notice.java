package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;

/** Something a jail decided that its log (and replay) should tell, beyond count and ban. */
public sealed interface Notice
    permits AccountAlert, Notice.TrustGranted, Notice.TrustRefused, Notice.TrustWithdrawn {

  /**
   * A login earned trust until {@code until}; {@code brief}: a shortened grant, because its account
   * is under attack (accountallowtime).
   *
   * @param service what the trust covers (null: everything the jail watches)
   * @param account the account logged in to, or null
   */
  record TrustGranted(IpAddress ip, Instant until, String service, Account account, boolean brief)
      implements Notice {}

  /** A login earned no trust: its account is under attack and the address was not trusted. */
  record TrustRefused(IpAddress ip, Account account, Instant attackUntil) implements Notice {}

  /** A trusted address failed allowfailures times within findtime: trust withdrawn, banned. */
  record TrustWithdrawn(IpAddress ip, int failures, Duration findtime) implements Notice {}
}
