package io.portcullis.jail;

import java.util.Locale;

/** Why a jail trusts an address. */
public enum TrustReason {
  /** a successful login (the filter's successregex), for allowtime */
  LOGIN,
  /** a current registration read from the SIP server, while it lasts */
  REGISTERED,
  /** the admin ({@code set JAIL addallow}), or an allow restored after a restart */
  COMMAND;

  /** The word the log, status and the protocol use. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
