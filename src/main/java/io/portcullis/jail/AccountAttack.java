package io.portcullis.jail;

import java.time.Instant;

/**
 * An account under attack: since when, until when (extended by each failure on it), and the
 * failures and distinct addresses that put it there.
 */
public record AccountAttack(
    Account account, Instant since, Instant until, int failures, int addresses) {}
