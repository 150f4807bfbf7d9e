package io.portcullis.geo;

import io.portcullis.net.IpAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * The country of an address for what people read ({@code why}, {@code banned}): the database of
 * {@code countrydb}, walked once per version of the file (shared with the jails' rules through
 * {@link CountryDatabases}), then one index lookup per address. No database configured, or one that
 * cannot be read: no country, and no error (the jails' rules report their own problems).
 */
public final class CountryLookup {
  private final Path file;
  private final CountryDatabases databases;

  /**
   * @param file countrydb, or null for none
   */
  public CountryLookup(Path file, CountryDatabases databases) {
    this.file = file;
    this.databases = databases;
  }

  /** The ISO 3166 code of {@code ip} (a network: of its first address), or null. */
  public String of(IpAddress ip) {
    if (file == null || ip == null) {
      return null;
    }
    CountryDatabase db;
    try {
      db = databases.load(file);
    } catch (CountryDatabase.DatabaseException e) {
      return null;
    }
    try {
      String text = ip.toString();
      int slash = text.indexOf('/');
      // a literal address: no name is looked up
      return db.country(InetAddress.getByName(slash < 0 ? text : text.substring(0, slash)));
    } catch (UnknownHostException | RuntimeException e) {
      return null;
    }
  }
}
