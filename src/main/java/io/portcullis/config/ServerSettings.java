package io.portcullis.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The server's own settings: {@code portcullis.conf} (or fail2ban's {@code fail2ban.conf} when
 * pointed at /etc/fail2ban, except its dbfile: Portcullis keeps its own store), section
 * [Definition], each with its .local and .d overrides.
 *
 * @param socketgroup the group whose members may run read-only commands on the socket, or null
 * @param countrydb the MaxMind-format country database ({@code countrydb}) that jails' {@code
 *     countries} rules and the country shown for an address read, or null
 * @param countrydbcheck how often the server looks whether countrydb changed ({@code
 *     countrydbcheck}, default 60 s, at least 1 s)
 * @param origins where each option was written (for messages)
 * @param warnings options nobody reads (with a guess at the one meant)
 */
public record ServerSettings(
    String loglevel,
    String logtarget,
    Path socket,
    String socketgroup,
    Path pidfile,
    Path dbfile,
    Duration dbpurgeage,
    Duration reconcile,
    String netns,
    Path countrydb,
    Duration countrydbcheck,
    Origin origin,
    java.util.Map<String, Origin> origins,
    List<ConfigWarning> warnings) {
  public static final Path DEFAULT_SOCKET = Path.of("/run/portcullis/portcullis.sock");
  public static final Path DEFAULT_PIDFILE = Path.of("/run/portcullis/portcullis.pid");

  /** How often countrydb is looked at by default. */
  public static final Duration COUNTRYDB_CHECK = Duration.ofSeconds(60);

  public static final Path DEFAULT_DB = Path.of("/var/lib/portcullis/portcullis.sqlite3");
  private static final List<String> LEVELS =
      List.of(
          "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "TRACEDEBUG", "HEAVYDEBUG");
  private static final String SECTION = "Definition";

  /** Options of [Definition]: ours, and those of fail2ban.conf that are accepted and not used. */
  private static final List<String> KNOWN =
      List.of(
          "loglevel",
          "logtarget",
          "socket",
          "socketgroup",
          "pidfile",
          "dbfile",
          "dbpurgeage",
          "reconcileinterval",
          "netns",
          "countrydb",
          "countrydbcheck",
          "syslogsocket",
          "allowipv6",
          "dbmaxmatches");

  public ServerSettings {
    origins = java.util.Map.copyOf(origins);
    warnings = List.copyOf(warnings);
  }

  /** The same settings with another control socket (the server's --socket). */
  public ServerSettings withSocket(Path other) {
    return new ServerSettings(
        loglevel,
        logtarget,
        other,
        socketgroup,
        pidfile,
        dbfile,
        dbpurgeage,
        reconcile,
        netns,
        countrydb,
        countrydbcheck,
        origin,
        origins,
        warnings);
  }

  /** These settings with the country database and its check interval of {@code other}. */
  public ServerSettings withCountries(ServerSettings other) {
    return new ServerSettings(
        loglevel,
        logtarget,
        socket,
        socketgroup,
        pidfile,
        dbfile,
        dbpurgeage,
        reconcile,
        netns,
        other.countrydb,
        other.countrydbcheck,
        origin,
        origins,
        warnings);
  }

  /** Where an option was written, or the settings file when it was not written. */
  public Origin origin(String option) {
    return origins.getOrDefault(option, origin);
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
    IniConfig c = ini;
    Function<String, String> get =
        k ->
            c == null
                ? null
                : c.get(SECTION, k).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
    String level = upper(get.apply("loglevel"), "INFO");
    if (!LEVELS.contains(level)) {
      throw new ConfigException(
          c.origin(SECTION, "loglevel"),
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
    String countrydb = get.apply("countrydb");
    Duration countrydbcheck = duration(c, get, "countrydbcheck", COUNTRYDB_CHECK);
    if (countrydbcheck.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException(
          c.origin(SECTION, "countrydbcheck"),
          "countrydbcheck: '"
              + get.apply("countrydbcheck")
              + "' is shorter than 1s (how often the country database file is looked at; try 60s)");
    }
    java.util.Map<String, Origin> origins = new java.util.LinkedHashMap<>();
    List<ConfigWarning> warnings = new ArrayList<>();
    if (c != null) {
      for (String option : c.options(SECTION, false)) {
        Origin where = c.origin(SECTION, option);
        origins.put(option, where);
        if (!KNOWN.contains(option)) {
          warnings.add(
              new ConfigWarning(
                  where,
                  "unknown option '"
                      + option
                      + "' in [Definition]"
                      + DidYouMean.closest(option, KNOWN)
                          .map(k -> " (did you mean '" + k + "'?)")
                          .orElse(" (nothing reads it)")));
        }
      }
    }
    return new ServerSettings(
        level,
        target == null ? "STDERR" : target,
        path(get.apply("socket"), DEFAULT_SOCKET),
        get.apply("socketgroup"),
        path(get.apply("pidfile"), DEFAULT_PIDFILE),
        db == null ? DEFAULT_DB : db.equalsIgnoreCase("none") ? null : Path.of(db),
        purge,
        reconcile,
        get.apply("netns"),
        countrydb == null || countrydb.equalsIgnoreCase("none") ? null : Path.of(countrydb),
        countrydbcheck,
        c == null ? Origin.NONE : new Origin(configDir.resolve(name + ".conf"), 0),
        origins,
        warnings);
  }

  /**
   * What keeps the server from making its control socket on this machine, each said where it was
   * configured: a socket path taken by something that is not a socket (the server never removes
   * it), a socket group that does not exist.
   */
  public List<ConfigException> socketProblems() {
    List<ConfigException> out = new ArrayList<>();
    String other = notASocket(socket);
    if (other != null) {
      out.add(
          new ConfigException(
              origin("socket"),
              "socket: "
                  + socket
                  + " exists and is "
                  + other
                  + ", not a socket; the server would not start (it never removes such a file): remove it or choose another path"));
    }
    if (socketgroup != null) {
      try {
        java.nio.file.FileSystems.getDefault()
            .getUserPrincipalLookupService()
            .lookupPrincipalByGroupName(socketgroup);
      } catch (UserPrincipalNotFoundException e) {
        out.add(
            new ConfigException(
                origin("socketgroup"),
                "socketgroup: there is no group '" + socketgroup + "' on this machine"));
      } catch (IOException e) {
        out.add(new ConfigException(origin("socketgroup"), "socketgroup: " + e.getMessage()));
      }
    }
    return out;
  }

  /**
   * Options nobody reads, and a socket group whose members cannot reach the socket because a
   * directory on the way keeps them out.
   */
  public List<ConfigWarning> allWarnings() {
    List<ConfigWarning> out = new ArrayList<>(warnings);
    if (socketgroup != null) {
      try {
        String blocked = unreachable(socket.toAbsolutePath().getParent(), socketgroup);
        if (blocked != null) {
          out.add(
              new ConfigWarning(
                  origin("socketgroup"),
                  "socketgroup: members of '"
                      + socketgroup
                      + "' cannot reach "
                      + socket
                      + ": "
                      + blocked
                      + " (give it o+x, or the group '"
                      + socketgroup
                      + "' and g+x; systemd: RuntimeDirectoryMode=0755)"));
        }
      } catch (IOException e) {
        // cannot tell
      }
    }
    return out;
  }

  /** The first existing directory on the way to the socket a group member cannot pass. */
  private static String unreachable(Path dir, String group) throws IOException {
    for (Path d = dir; d != null; d = d.getParent()) {
      if (!Files.isDirectory(d)) {
        continue; // made by the server, with o+x
      }
      PosixFileAttributes a = Files.readAttributes(d, PosixFileAttributes.class);
      Set<PosixFilePermission> p = a.permissions();
      boolean passes =
          p.contains(PosixFilePermission.OTHERS_EXECUTE)
              || (p.contains(PosixFilePermission.GROUP_EXECUTE)
                  && a.group().getName().equals(group));
      if (!passes) {
        return d
            + " is mode "
            + java.nio.file.attribute.PosixFilePermissions.toString(p)
            + " "
            + a.owner().getName()
            + ":"
            + a.group().getName();
      }
    }
    return null;
  }

  /** What a path holds when it is something other than a socket, or null. */
  static String notASocket(Path p) {
    try {
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
      if (Files.isSymbolicLink(p)) {
        return "a symbolic link";
      }
      int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if ((mode & 0170000) == 0140000) {
        return null;
      }
      return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
          ? "a directory"
          : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "a regular file" : "a device";
    } catch (IOException e) {
      return null; // cannot tell: the server will say
    }
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
      IniConfig c, Function<String, String> get, String key, Duration dflt) {
    String v = get.apply(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(c.origin(SECTION, key), key + ": " + e.getMessage());
    }
  }

  private static String upper(String v, String dflt) {
    return v == null ? dflt : v.toUpperCase(Locale.ROOT);
  }

  private static Path path(String v, Path dflt) {
    return v == null ? dflt : Path.of(v);
  }
}
