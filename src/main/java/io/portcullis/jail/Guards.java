package io.portcullis.jail;

import java.time.Duration;

/**
 * What a jail watches beyond the failures of one address: how long trust lasts against failures,
 * when an account is under attack, and user-name enumeration (README "Trust and accounts").
 *
 * @param allowfailures failures within findtime that withdraw an address's trust (a login or a
 *     registration) and ban it; 0: trust is never withdrawn
 * @param accountmaxretry failures on one account (the filter's {@code <F-USER>}), from any
 *     addresses, within accountfindtime that put it under attack; 0: accounts are not watched
 * @param accountfindtime the window of accountmaxretry
 * @param accountbantime how long an account stays under attack after its last failure
 * @param accountallowtime trust for a login on an account under attack from an address that was not
 *     trusted before; zero: none
 * @param maxusers an address that fails on more than this many user names within findtime is banned
 *     at once; 0: off
 */
public record Guards(
    int allowfailures,
    int accountmaxretry,
    Duration accountfindtime,
    Duration accountbantime,
    Duration accountallowtime,
    int maxusers) {

  /** Nothing watched beyond maxretry: trust never withdrawn, no accounts, no enumeration. */
  public static final Guards OFF =
      new Guards(0, 0, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ZERO, 0);

  public Guards {
    if (allowfailures < 0 || accountmaxretry < 0 || maxusers < 0) {
      throw new IllegalArgumentException(
          "allowfailures, accountmaxretry and maxusers cannot be negative");
    }
    if (accountfindtime.isNegative()
        || accountfindtime.isZero()
        || accountbantime.isNegative()
        || accountbantime.isZero()) {
      throw new IllegalArgumentException("accountfindtime and accountbantime must be positive");
    }
    if (accountallowtime.isNegative()) {
      throw new IllegalArgumentException("accountallowtime cannot be negative");
    }
  }

  /** Whether failures are counted per account. */
  public boolean watchesAccounts() {
    return accountmaxretry > 0;
  }
}
