package io.portcullis.ban;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.control.Client;
import io.portcullis.net.IpAddress;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sqlite.SQLiteConfig;

/**
 * A {@code portcullis server} process whose firewall (nftables) lives in a network namespace the
 * test creates ({@code pc-st-PID-N}, only loopback in it): one jail, {@code soak}, with the
 * firewall action and any further action lines; its store, socket and log in the test's directory.
 * Reads what the three places say is banned: the server ({@code banned}), the kernel set and the
 * SQLite file. {@link #close} kills the server and removes the namespace.
 */
final class FirewalledServer implements AutoCloseable {
  static final String JAIL = "soak";
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final String ns;
  final Path db;
  final ServerProcess process;
  final Client client;
  private final boolean ownsNamespace;

  /**
   * A server in a namespace of its own.
   *
   * @param settings extra lines for portcullis.conf's [Definition]
   * @param jail extra lines for the jail (e.g. a further {@code action} line)
   */
  FirewalledServer(Path dir, String settings, String jail) throws Exception {
    this(dir, newNamespace(), true, dir.resolve("db.sqlite3"), settings, jail);
  }

  /**
   * @param ns the namespace the firewall runs in
   * @param create whether to create it (and remove it at {@link #close})
   * @param db the store's file
   */
  FirewalledServer(Path dir, String ns, boolean create, Path db, String settings, String jail)
      throws Exception {
    this.dir = Files.createDirectories(dir);
    this.ns = ns;
    this.ownsNamespace = create;
    this.db = db;
    if (create) {
      Shell.sh("ip netns add " + ns);
      Shell.sh("ip -n " + ns + " link set lo up");
    }
    Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
    Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
    Files.writeString(dir.resolve("messages"), "");
    Files.writeString(
        dir.resolve("conf/portcullis.conf"),
        "[Definition]\nlogtarget = "
            + dir.resolve("server.log")
            + "\nsocket = "
            + dir.resolve("s.sock")
            + "\npidfile = "
            + dir.resolve("p.pid")
            + "\ndbfile = "
            + db
            + "\nloglevel = INFO\nnetns = "
            + ns
            + "\nreconcileinterval = 1h\n"
            + settings);
    Files.writeString(
        dir.resolve("conf/jail.conf"),
        "["
            + JAIL
            + "]\nenabled = true\nfilter = asterisk\nlogpath = "
            + dir.resolve("messages")
            + "\nbantime = 1h\nlogtimezone = UTC\nignoreself = false\n"
            + "action = firewall[backend=nftables]\n"
            + jail);
    this.process =
        new ServerProcess(
            List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"));
    this.client = new Client(dir.resolve("s.sock"));
  }

  /** A namespace name of this test run's own (known before it exists). */
  static String newNamespace() {
    return "pc-st-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet();
  }

  /** The addresses the server says are banned (in force) in the jail. */
  Set<String> banned() throws Exception {
    Set<String> out = new HashSet<>();
    client.banned(null).forEach(b -> out.add(b.ip()));
    return out;
  }

  /** The addresses in the jail's kernel sets (both families, addresses and networks). */
  Set<String> kernel() throws IOException, InterruptedException {
    String json =
        Shell.sh("ip netns exec " + ns + " nft -j list table inet portcullis 2>/dev/null || true");
    Set<String> out = new HashSet<>();
    if (json.isBlank()) {
      return out;
    }
    for (JsonNode item : JSON.readTree(json).path("nftables")) {
      JsonNode set = item.get("set");
      if (set == null) {
        continue;
      }
      for (JsonNode e : set.path("elem")) {
        JsonNode v = e.has("elem") ? e.get("elem").get("val") : e;
        String text =
            v.isTextual()
                ? v.asText()
                : v.get("prefix").get("addr").asText() + "/" + v.get("prefix").get("len").asInt();
        out.add(IpAddress.parse(text).toString());
      }
    }
    return out;
  }

  /** The addresses the store holds bans of, read through a read-only connection of our own. */
  Set<String> stored() throws SQLException {
    Set<String> out = new HashSet<>();
    try (Connection c = readOnly();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT fid FROM bans WHERE jail = '" + JAIL + "'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** SQLite's {@code PRAGMA integrity_check} of the store ("ok" when sound). */
  String integrity() throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Connection c = readOnly();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      while (rs.next()) {
        out.append(out.length() == 0 ? "" : "; ").append(rs.getString(1));
      }
    }
    return out.toString();
  }

  private Connection readOnly() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(10_000);
    return DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties());
  }

  /**
   * Runs {@code portcullis ARGS --socket S} in this JVM; returns the exit code, stdout and stderr.
   */
  String[] cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    List<String> full = new java.util.ArrayList<>(List.of(args));
    full.addAll(List.of("--socket", dir.resolve("s.sock").toString()));
    int code =
        io.portcullis.cli.Main.run(
            full.toArray(String[]::new),
            new java.io.PrintWriter(out, true),
            new java.io.PrintWriter(err, true));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  /** The server's log so far. */
  String log() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws Exception {
    process.close();
    if (ownsNamespace) {
      Process p = new ProcessBuilder("ip", "netns", "del", ns).start();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
