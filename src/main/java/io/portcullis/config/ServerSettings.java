package io.portcullis.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The server's own settings: {@code portcullis.conf} (or fail2ban's {@code fail2ban.conf} when
 * pointed at /etc/fail2ban, except its dbfile: Portcullis keeps its own store), section
 * [Definition], each with its .local and .d overrides.
 */
public record ServerSettings(
    String loglevel,
    String logtarget,
    Path socket,
    Path pidfile,
    Path dbfile,
    Duration dbpurgeage,
    Duration reconcile,
    String netns,
    Origin origin) {
  public static final Path DEFAULT_SOCKET = Path.of("/run/portcullis/portcullis.sock");
  public static final Path DEFAULT_PIDFILE = Path.of("/run/portcullis/portcullis.pid");
  public static final Path DEFAULT_DB = Path.of("/var/lib/portcullis/portcullis.sqlite3");
  private static final List<String> LEVELS =
      List.of(
          "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "TRACEDEBUG", "HEAVYDEBUG");

  /** The same settings with another control socket (the server's --socket). */
  public ServerSettings withSocket(Path other) {
    return new ServerSettings(
        loglevel, logtarget, other, pidfile, dbfile, dbpurgeage, reconcile, netns, origin);
  }

  /** Reads the settings of a config dir; defaults for everything not said. */
  public static ServerSettings read(Path configDir) {
    String name =
        Files.isRegularFile(configDir.resolve("portcullis.conf"))
                || !Files.isRegularFile(configDir.resolve("fail2ban.conf"))
            ? "portcullis"
            : "fail2ban";
    IniConfig ini = null;
    if (Files.isRegularFile(configDir.resolve(name + ".conf"))
        || Files.isRegularFile(configDir.resolve(name + ".local"))) {
      ini = IniConfig.load(configDir, name);
    }
    String section = "Definition";
    IniConfig c = ini;
    java.util.function.Function<String, String> get =
        k ->
            c == null
                ? null
                : c.get(section, k).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
    String level = upper(get.apply("loglevel"), "INFO");
    if (!LEVELS.contains(level)) {
      throw new ConfigException(
          c.origin(section, "loglevel"),
          "loglevel: '"
              + level
              + "' is not a level (try "
              + String.join(", ", LEVELS.subList(0, 6))
              + ")");
    }
    String target = get.apply("logtarget");
    Duration purge = duration(c, get, "dbpurgeage", Duration.ofDays(1));
    Duration reconcile = duration(c, get, "reconcileinterval", Duration.ofMinutes(1));
    // with fail2ban's own config Portcullis keeps its own store: fail2ban's dbfile is fail2ban's
    String db = name.equals("fail2ban") ? null : get.apply("dbfile");
    return new ServerSettings(
        level,
        target == null ? "STDERR" : target,
        path(get.apply("socket"), DEFAULT_SOCKET),
        path(get.apply("pidfile"), DEFAULT_PIDFILE),
        db == null ? DEFAULT_DB : db.equalsIgnoreCase("none") ? null : Path.of(db),
        purge,
        reconcile,
        get.apply("netns"),
        c == null ? Origin.NONE : new Origin(configDir.resolve(name + ".conf"), 0));
  }

  /**
   * The dbfile that fail2ban.conf names when {@code configDir} is fail2ban's own config (no
   * portcullis.conf): Portcullis never uses it (see {@link #read}); the server and the import say
   * so.
   */
  public static java.util.Optional<Path> fail2banDbfile(Path configDir) {
    if (Files.isRegularFile(configDir.resolve("portcullis.conf"))
        || !Files.isRegularFile(configDir.resolve("fail2ban.conf"))) {
      return java.util.Optional.empty();
    }
    return IniConfig.load(configDir, "fail2ban")
        .get("Definition", "dbfile")
        .map(String::strip)
        .filter(v -> !v.isEmpty() && !v.equalsIgnoreCase("none") && !v.equals(":memory:"))
        .map(Path::of);
  }

  private static Duration duration(
      IniConfig c, java.util.function.Function<String, String> get, String key, Duration dflt) {
    String v = get.apply(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(c.origin("Definition", key), key + ": " + e.getMessage());
    }
  }

  private static String upper(String v, String dflt) {
    return v == null ? dflt : v.toUpperCase(Locale.ROOT);
  }

  private static Path path(String v, Path dflt) {
    return v == null ? dflt : Path.of(v);
  }
}
