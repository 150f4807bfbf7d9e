package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Instant;

/**
 * One reason a jail trusts an address now, for status: until when, for which service (null: all the
 * jail watches) and account, and the failures seen from it since (withdrawn at allowfailures).
 *
 * @param detail where it comes from, in a few words ("kamailio ul.dump, AoR 100@example.org")
 */
public record Trusted(
    IpAddress ip,
    TrustReason reason,
    Instant until,
    String service,
    String account,
    String detail,
    int failures) {}
