package io.portcullis.jail;

/** How often an address was banned before (from the store), for bantime.increment. */
@FunctionalInterface
public interface BanHistory {
  BanHistory NONE = (jail, fid) -> 0;

  /**
   * @param jail the jail, or null for all jails
   */
  int previousBans(String jail, String fid);
}
