package io.portcullis.jail;

import io.portcullis.config.Durations;

/**
 * The words the server log and {@code replay} use for what a jail decided, so both say the same:
 * why a ban, what trust a login earned, an account under attack.
 */
public final class Explain {
  private Explain() {}

  /** Why a ban was decided, e.g. "5 failures in 10m" or "failed on account 100, under attack". */
  public static String cause(Outcome.Cause cause, BanDecision b, JailSettings s) {
    if (cause == null || cause == Outcome.Cause.MAXRETRY) {
      return b.failures() + " failures in " + Durations.format(s.findtime());
    }
    return switch (cause) {
      case ACCOUNT_UNDER_ATTACK -> "failed on an account under attack";
      case ENUMERATION ->
          "failed on more than "
              + s.guards().maxusers()
              + " user names in "
              + Durations.format(s.findtime());
      case TRUST_WITHDRAWN ->
          "trusted, then "
              + s.guards().allowfailures()
              + " failures in "
              + Durations.format(s.findtime());
      default -> throw new IllegalStateException(cause.toString());
    };
  }

  /** One notice as a sentence with its values. */
  public static String notice(Notice n, JailSettings s) {
    if (n instanceof Notice.TrustGranted g) {
      return "Trust "
          + g.ip()
          + " until "
          + g.until()
          + " (login"
          + (g.account() != null ? " as " + g.account().user() : "")
          + (g.service() != null ? ", for " + g.service() + " only" : "")
          + (g.brief() ? ", briefly: the account is under attack" : "")
          + ")";
    }
    if (n instanceof Notice.TrustRefused r) {
      return "No trust for "
          + r.ip()
          + ": it logged in as "
          + r.account().user()
          + ", an account under attack until "
          + r.attackUntil()
          + ", and was not trusted before";
    }
    if (n instanceof Notice.TrustWithdrawn w) {
      return "Trust of "
          + w.ip()
          + " withdrawn: "
          + w.failures()
          + " failures in "
          + Durations.format(w.findtime())
          + " while trusted";
    }
    AccountAlert a = (AccountAlert) n;
    return "Account "
        + a.account()
        + " under attack: "
        + a.failures()
        + " failures from "
        + a.addresses()
        + " address(es) in "
        + Durations.format(a.findtime())
        + "; until "
        + a.until()
        + " every untrusted address failing on it is banned at once";
  }
}
