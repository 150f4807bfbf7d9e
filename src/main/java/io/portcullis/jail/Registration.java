package io.portcullis.jail;

import io.portcullis.net.IpAddress;
import java.time.Instant;

/**
 * A phone registered on the SIP server now, at the transport source address the server saw.
 *
 * @param account the AoR or endpoint, as the server names it
 * @param service the service key ({@code pjsip}, {@code sip}) its trust covers, or null for all the
 *     jail watches
 * @param until when the registration expires unless renewed
 * @param detail where it was read, in a few words
 */
public record Registration(
    IpAddress ip, String account, String service, Instant until, String detail) {}
