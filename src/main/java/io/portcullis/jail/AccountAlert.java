package io.portcullis.jail;

import java.time.Duration;
import java.time.Instant;

/**
 * An account just went under attack: the alert the jail's log, mail and webhook actions tell.
 *
 * @param time the line time of the failure that crossed accountmaxretry
 * @param failures failures on the account within {@code findtime} (accountfindtime)
 * @param addresses how many distinct addresses they came from
 * @param until the account is under attack until then at least (each new failure extends it)
 */
public record AccountAlert(
    String jail,
    Account account,
    Instant time,
    int failures,
    int addresses,
    Duration findtime,
    Instant until)
    implements Notice {}
