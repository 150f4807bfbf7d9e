package io.portcullis.geo;

import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A MaxMind-format country database (GeoLite2-Country, DB-IP lite) read once: the networks of each
 * country, per family, merged. Built by walking every network of the file a single time; the file
 * is not kept open.
 */
public final class CountryDatabase {
  private final Path file;
  private final Map<String, List<Cidr>> v4;
  private final Map<String, List<Cidr>> v6;
  private final int records;
  // every network by its first address, with its country: a lookup is one floorEntry
  private final java.util.NavigableMap<BigInteger, Map.Entry<Cidr, String>> byStart4 =
      new java.util.TreeMap<>();
  private final java.util.NavigableMap<BigInteger, Map.Entry<Cidr, String>> byStart6 =
      new java.util.TreeMap<>();

  private CountryDatabase(
      Path file, Map<String, List<Cidr>> v4, Map<String, List<Cidr>> v6, int records) {
    this.file = file;
    this.v4 = v4;
    this.v6 = v6;
    this.records = records;
    index(v4, byStart4);
    index(v6, byStart6);
  }

  private static void index(
      Map<String, List<Cidr>> family,
      java.util.NavigableMap<BigInteger, Map.Entry<Cidr, String>> into) {
    family.forEach((code, list) -> list.forEach(c -> into.put(c.start(), Map.entry(c, code))));
  }

  /** A problem with the database file, naming the file and what is wrong. */
  public static final class DatabaseException extends Exception {
    private static final long serialVersionUID = 1L;

    public DatabaseException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public Path file() {
    return file;
  }

  /** How many networks the file holds (before merging). */
  public int records() {
    return records;
  }

  /**
   * Reads {@code file} and walks its networks once.
   *
   * @throws DatabaseException when the file is missing, unreadable, or not a MaxMind database
   */
  public static CountryDatabase load(Path file) throws DatabaseException {
    if (!Files.isReadable(file)) {
      throw new DatabaseException(
          file + ": " + (Files.exists(file) ? "not readable" : "no such file"), null);
    }
    Map<String, List<Cidr>> v4 = new HashMap<>();
    Map<String, List<Cidr>> v6 = new HashMap<>();
    int records = 0;
    try (Reader reader = new Reader(file.toFile())) {
      @SuppressWarnings("rawtypes")
      var networks = reader.networks(false, Map.class);
      while (networks.hasNext()) {
        @SuppressWarnings("rawtypes")
        DatabaseRecord<Map> r = networks.next();
        records++;
        String code = isoCode(r.getData());
        if (code == null) {
          continue;
        }
        Cidr c =
            unalias(Cidr.of(r.getNetwork().getNetworkAddress(), r.getNetwork().getPrefixLength()));
        if (c == null) {
          continue;
        }
        (c.ipv4() ? v4 : v6).computeIfAbsent(code, k -> new ArrayList<>()).add(c);
      }
    } catch (IOException | com.maxmind.db.InvalidNetworkException | RuntimeException e) {
      throw new DatabaseException(
          file + ": not a readable MaxMind country database (" + e.getMessage() + ")", e);
    }
    v4.replaceAll((k, l) -> Cidr.merge(l));
    v6.replaceAll((k, l) -> Cidr.merge(l));
    return new CountryDatabase(file, Map.copyOf(v4), Map.copyOf(v6), records);
  }

  /**
   * IPv4 networks stored under ::/96 of an IPv6 tree come back as IPv4; the aliases of the IPv4
   * space (::ffff:0:0/96, 2002::/16 6to4, 2001::/32 Teredo) are dropped so nothing counts twice.
   */
  static Cidr unalias(Cidr c) {
    if (c.ipv4()) {
      return c;
    }
    BigInteger top96 = c.start().shiftRight(32);
    if (c.prefix() >= 96 && top96.signum() == 0) {
      return new Cidr(true, c.start(), c.prefix() - 96);
    }
    if (c.prefix() >= 96 && top96.equals(BigInteger.valueOf(0xffff))) {
      return null;
    }
    BigInteger top16 = c.start().shiftRight(112);
    if (c.prefix() >= 16 && top16.intValue() == 0x2002) {
      return null;
    }
    if (c.prefix() >= 32 && c.start().shiftRight(96).equals(BigInteger.valueOf(0x20010000L))) {
      return null;
    }
    return c;
  }

  @SuppressWarnings("rawtypes")
  private static String isoCode(Map data) {
    if (data == null) {
      return null;
    }
    for (String key : new String[] {"country", "registered_country"}) {
      if (data.get(key) instanceof Map m && m.get("iso_code") instanceof String s) {
        return s.toUpperCase(java.util.Locale.ROOT);
      }
    }
    return null;
  }

  /** The merged networks of {@code codes}, one family. */
  public List<Cidr> networks(Set<String> codes, boolean ipv4) {
    Map<String, List<Cidr>> family = ipv4 ? v4 : v6;
    List<Cidr> all = new ArrayList<>();
    for (String code : codes) {
      all.addAll(family.getOrDefault(code, List.of()));
    }
    return Cidr.merge(all);
  }

  /** The country of {@code address}, or null when the database has none for it. */
  public String country(InetAddress address) {
    boolean v4 = address.getAddress().length == 4;
    BigInteger a = new BigInteger(1, address.getAddress());
    var hit = (v4 ? byStart4 : byStart6).floorEntry(a);
    if (hit != null && a.compareTo(hit.getValue().getKey().end()) <= 0) {
      return hit.getValue().getValue();
    }
    return null;
  }
}
