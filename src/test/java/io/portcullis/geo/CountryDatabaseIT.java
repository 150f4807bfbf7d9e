package io.portcullis.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Walks a real .mmdb written by MaxMind's own Perl writer (libmaxmind-db-writer-perl). */
public class CountryDatabaseIT {
  @TempDir Path dir;

  public static Path write(Path out, String... networks) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("perl");
    cmd.add(Path.of("src/test/resources/geo/write-mmdb.pl").toAbsolutePath().toString());
    cmd.add(out.toString());
    cmd.addAll(List.of(networks));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the mmdb writer did not finish in 60 s");
    String said = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.exitValue(), "write-mmdb.pl: " + said);
    return out;
  }

  @Test
  void load_walksBothFamilies_mergesHalves_andCountsIpv4Once() throws Exception {
    Path f =
        write(
            dir.resolve("c.mmdb"),
            "198.51.100.0/25=DE",
            "198.51.100.128/25=DE",
            "203.0.113.0/24=CN",
            "2001:db8:1::/48=FR");
    CountryDatabase db = CountryDatabase.load(f);
    assertEquals(
        List.of("198.51.100.0/24"),
        db.networks(Set.of("DE"), true).stream().map(Cidr::toString).toList());
    assertEquals(List.of(), db.networks(Set.of("DE"), false), "IPv4 aliases counted as IPv6");
    assertEquals(
        List.of("203.0.113.0/24"),
        db.networks(Set.of("CN"), true).stream().map(Cidr::toString).toList());
    assertEquals(
        List.of("2001:db8:1:0:0:0:0:0/48"),
        db.networks(Set.of("FR"), false).stream().map(Cidr::toString).toList());
    assertEquals(2, db.networks(Set.of("DE", "CN"), true).size());
    assertEquals("DE", db.country(InetAddress.getByName("198.51.100.200")));
    assertEquals("CN", db.country(InetAddress.getByName("203.0.113.9")));
    assertEquals("FR", db.country(InetAddress.getByName("2001:db8:1::5")));
    assertNull(db.country(InetAddress.getByName("192.0.2.1")));
  }

  @Test
  void load_notADatabase_namesTheFile() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.mmdb"), "this is not a MaxMind database\n");
    var e = assertThrows(CountryDatabase.DatabaseException.class, () -> CountryDatabase.load(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
  }

  @Test
  void load_missingFile_saysSo() {
    Path f = dir.resolve("none.mmdb");
    var e = assertThrows(CountryDatabase.DatabaseException.class, () -> CountryDatabase.load(f));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void databases_walkTheFileOncePerVersion_andAgainWhenItChanges() throws Exception {
    Path f = write(dir.resolve("c.mmdb"), "203.0.113.0/24=CN");
    CountryDatabases dbs = new CountryDatabases();
    CountryDatabase first = dbs.load(f);
    assertTrue(first == dbs.load(f), "the same file was walked again");
    Path next = write(dir.resolve("next.mmdb"), "203.0.113.0/24=DE", "198.51.100.0/24=FR");
    Files.move(next, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    CountryDatabase second = dbs.load(f);
    assertTrue(first != second, "a changed file was not read again");
    assertEquals("DE", second.country(InetAddress.getByName("203.0.113.1")));
  }
}
