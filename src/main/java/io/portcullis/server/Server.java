package io.portcullis.server;

import io.portcullis.ban.BanList;
import io.portcullis.ban.BanStore;
import io.portcullis.ban.OwnerLock;
import io.portcullis.ban.StoreOpening;
import io.portcullis.ban.StoreWriter;
import io.portcullis.config.HttpSettings;
import io.portcullis.config.ServerSettings;
import io.portcullis.control.CommandHandler;
import io.portcullis.control.ControlServer;
import io.portcullis.control.ServerControl;
import io.portcullis.feed.FeedSettings;
import io.portcullis.feed.Feeds;
import io.portcullis.feed.RetiredFeeds;
import io.portcullis.fleet.Fleet;
import io.portcullis.fleet.FleetSettings;
import io.portcullis.jail.BanDecision;
import io.portcullis.plan.Assembler;
import io.portcullis.plan.Assembly;
import io.portcullis.web.WebServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The daemon: starts and stops. It wires what the {@link Assembler} planned from the config to the
 * runtime and hands the control socket to {@link ServerControls}.
 *
 * <p>Start order: settings, log, store, the jails ({@link JailSet}: their actions, the firewall,
 * the restored bans, the log readers), the unban timer, the ban history, the control socket, the
 * HTTP side ({@link WebServer}, when {@code [http] listen} says so), the pid file; the fleet
 * ({@link Fleet}, when {@code [fleet] redis} says so) right after the jails. Stop runs it
 * backwards, each step with a time limit.
 */
public final class Server implements AutoCloseable {
  /**
   * How long a start waits for the restored bans to be in the kernel before it says ready anyway
   * (fixed: 60 s, half of the unit's TimeoutStartSec; 100,000 bans take about 2 s).
   */
  static final Duration RESTORE_WAIT = Duration.ofSeconds(60);

  private final Path configDir;
  private final ServerSettings settings;
  private final Assembler assembler;
  // countrydb as the last start or reload read it (why, banned)
  private volatile io.portcullis.geo.CountryLookup countries;
  private final Shared shared;
  private final UnbanTimer unbanTimer;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ServerControls controls;
  private final OwnerLock storeLock;
  private final FirewallOwnership firewallOwner;
  // the heap's growth while a big store is read and restored; put back once ready
  private final StartHeap startHeap;
  private ControlServer control;
  private WebServer web;
  private volatile JailSet jails;
  private boolean running = true;

  private Server(Path configDir, ServerSettings settings, Clock clock, Assembler assembler)
      throws Exception {
    this.configDir = configDir;
    this.settings = settings;
    this.assembler = assembler;
    this.countries =
        new io.portcullis.geo.CountryLookup(settings.countrydb(), assembler.countryDatabases());
    ServerLog log = new ServerLog(settings.logtarget(), settings.loglevel(), clock);
    StartHeap heap = null;
    try {
      if (settings.dbfile() != null) {
        try {
          PrivateFile.prepare(settings.dbfile(), log::warning);
        } catch (IOException e) {
          // the store's opening says what is wrong with the file and runs on memory if it must
          log.warning("Store: cannot prepare " + settings.dbfile() + ": " + e.getMessage());
        }
      }
      this.storeLock = lockStore(settings.dbfile(), log);
      heap = StartHeap.widen(settings.dbfile(), log::warning);
      io.portcullis.filter.Filter.scanByBytePairs(StartHeap.c1Only());
      // the store is opened and read (100,000 bans: most of a start) on a thread of its own while
      // this one reads the config and builds the jails' plans
      long began = System.nanoTime();
      long[] readCpu = new long[1];
      java.util.concurrent.FutureTask<StoreOpening.Opened> opening =
          new java.util.concurrent.FutureTask<>(
              () -> {
                long cpu = JailSet.threadCpu();
                try {
                  return StoreOpening.open(settings.dbfile(), clock);
                } finally {
                  readCpu[0] = JailSet.threadCpu() - cpu;
                }
              });
      Thread reader = new Thread(opening, "store-read");
      reader.setDaemon(true);
      reader.start();
      Assembly assembly;
      try {
        assembly = assembler.assemble(configDir);
      } catch (Exception | Error e) {
        reader.join(Duration.ofSeconds(30).toMillis());
        if (opening.isDone()) {
          try {
            opening.get().store().close();
          } catch (Exception ignored) {
            // the start failed already: that is what is said
          }
        }
        throw e;
      }
      long planned = System.nanoTime();
      warmProtocol();
      StoreOpening.Opened opened;
      try {
        opened = opening.get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof Exception cause) {
          throw cause;
        }
        throw e;
      }
      long read = System.nanoTime();
      log.info(
          "Start: config read and planned in "
              + (planned - began) / 1_000_000
              + " ms; store opened and read ("
              + opened.bans().size()
              + " ban(s)) in "
              + (read - began) / 1_000_000
              + " ms ("
              + readCpu[0] / 1_000_000
              + " ms of its thread's CPU), both at once");
      opened.problems().forEach(p -> log.error("Store: " + p));
      StoreWriter store =
          new StoreWriter(
              opened.store(), log::error, log::notice, opened.problems(), opened.notDurable());
      BanList bans = new BanList();
      this.shared =
          new Shared(
              bans,
              store,
              new BanCounts(),
              log,
              clock,
              new AddressFeed(store, clock),
              new FleetLink(() -> jails.runners()),
              new FeedLink(() -> jails.runners(), bans));
      try {
        for (BanStore.RemoteOrigin o : opened.store().remoteOrigins()) {
          shared.fleet().remote(o.jail(), o.fid(), o.node());
        }
      } catch (java.sql.SQLException e) {
        log.warning("Store: cannot read which bans came from other nodes: " + e.getMessage());
      }
      this.firewallOwner = new FirewallOwnership(settings.netns());
      settings.allWarnings().forEach(w -> log.warning("config: " + w));
      assembly.warnings().forEach(w -> log.warning("config: " + w));
      List<FeedSettings> feeds = FeedSettings.read(configDir);
      Path cache =
          settings.dbfile() == null
              ? null
              : settings.dbfile().toAbsolutePath().resolveSibling("feeds");
      // before the firewall starts: what feeds removed from the config put into the kernel is
      // removed by the start's reconcile, not adopted as bans
      RetiredFeeds retired = RetiredFeeds.read(cache, feeds, log::warning);
      for (RetiredFeeds.Retired r : retired.retired()) {
        log.notice(
            "[feed "
                + r.name()
                + "] no longer feeds jail "
                + r.jail()
                + ": the "
                + r.entries()
                + " entries it listed are removed from the firewall (those a ban in force holds"
                + " stay)");
      }
      shared.feeds().retire(retired);
      if (!feeds.isEmpty()) {
        // before the firewall starts: the kernel's elements of the feeds are theirs, not strays
        shared
            .feeds()
            .attach(
                new Feeds(
                    feeds, shared.feeds(), clock, cache, new Feeds.Log(log::info, log::warning)));
      }
      this.jails =
          JailSet.start(assembly, opened.bans(), opened.lifted(), shared, settings, firewallOwner);
    } catch (Exception e) {
      if (heap != null) {
        heap.close();
      }
      log.error("Server not started: " + e.getMessage());
      log.close(Duration.ofSeconds(5));
      throw e;
    }
    this.startHeap = heap;
    this.unbanTimer = new UnbanTimer(shared, settings.dbpurgeage(), () -> jails.runners());
    this.controls = new ServerControls(this, shared, clock.instant());
  }

  /**
   * Sets up the control protocol's JSON (Jackson's streaming parser and generator, the reply
   * writer) while the store is still being read, rather than when the first command after ready
   * waits for it.
   */
  private static void warmProtocol() {
    io.portcullis.control.Protocol.warm();
  }

  /**
   * One server per store: a lock file next to it ({@code dbfile.lock}). A directory where it cannot
   * be created is a store that cannot be written either: said, and the start goes on.
   */
  private static OwnerLock lockStore(Path dbfile, ServerLog log) throws IOException {
    if (dbfile == null) {
      return null;
    }
    Path file = dbfile.resolveSibling(dbfile.getFileName() + ".lock");
    try {
      return OwnerLock.acquire(file, "the store " + dbfile);
    } catch (OwnerLock.Held e) {
      throw e;
    } catch (IOException e) {
      log.warning("Store: cannot create the lock file " + file + ": " + e.getMessage());
      return null;
    }
  }

  /** The store's file as configured (":memory:" when none). */
  String storeFile() {
    return settings.dbfile() == null ? ":memory:" : settings.dbfile().toString();
  }

  /**
   * Starts a server on a config dir; {@code socket} overrides the configured socket when not null.
   */
  public static Server start(Path configDir, Clock clock, Path socket) throws Exception {
    return start(configDir, clock, socket, Assembler.forThisHost());
  }

  /** Starts a server whose plans come from the given assembler (its host and action kinds). */
  public static Server start(Path configDir, Clock clock, Path socket, Assembler assembler)
      throws Exception {
    ServerSettings settings = ServerSettings.read(configDir);
    if (socket != null) {
      settings = settings.withSocket(socket);
    }
    HttpSettings http = HttpSettings.read(configDir);
    FleetSettings fleet = FleetSettings.read(configDir);
    Server s = new Server(configDir, settings, clock, assembler);
    if (fleet != null) {
      ServerLog log = s.shared.log();
      s.shared
          .fleet()
          .attach(
              Fleet.start(
                  fleet,
                  s.shared.fleet(),
                  clock,
                  new Fleet.Log(log::info, log::warning, log::error)));
    }
    if (s.shared.feeds().feeds() != null) {
      s.shared.feeds().feeds().start();
    }
    // ready means protected: the socket answers (and systemd hears READY=1) once the restored bans
    // are in the kernel, or their firewall failed, or RESTORE_WAIT passed (said in status)
    s.jails.awaitRestored(RESTORE_WAIT);
    // the ban history only counts for the next increasing ban (a ban before it is read waits for
    // it): read after the restored bans are in force, not beside them. 100,000 history rows took
    // 0.5-0.7 s of the store writer's CPU, on a 2-core machine taken from the restore.
    s.shared.counts().loadFrom(s.shared.store(), s.shared.log());
    s.startHeap.close();
    try {
      s.control =
          new ControlServer(
              settings.socket(),
              settings.socketgroup(),
              new CommandHandler(s.controls),
              s.shared.log()::error);
    } catch (IOException e) {
      s.shared.log().error("control socket: " + e.getMessage());
      s.close();
      throw e;
    }
    if (http.enabled()) {
      ServerLog log = s.shared.log();
      try {
        s.web =
            WebServer.start(
                http, s.controls, new WebServer.Log(log::notice, log::warning, log::error));
      } catch (IOException e) {
        // the jails protect without the dashboard: say so, and go on
        log.error(e.getMessage() + "; the server runs without HTTP");
      }
    }
    s.writePid();
    JailSet j = s.jails;
    s.shared
        .log()
        .notice(
            "Server ready: "
                + j.runners().size()
                + " jail(s) running"
                + (j.broken().isEmpty()
                    ? ""
                    : ", "
                        + j.broken().size()
                        + " broken: "
                        + String.join(", ", j.broken().keySet()))
                + "; control socket "
                + settings.socket());
    // the kernel's strays, now that the restored bans are in (Firewalls.start says why not before)
    j.firewalls().settleNow();
    return s;
  }

  private void writePid() {
    try {
      Path pid = settings.pidfile();
      if (pid != null) {
        if (pid.getParent() != null) {
          Files.createDirectories(pid.getParent());
        }
        Files.writeString(pid, ProcessHandle.current().pid() + "\n");
      }
    } catch (IOException e) {
      shared.log().warning("cannot write pidfile " + settings.pidfile() + ": " + e.getMessage());
    }
  }

  JailSet jails() {
    return jails;
  }

  Path configDir() {
    return configDir;
  }

  Assembler assembler() {
    return assembler;
  }

  /** The country of an address, from countrydb (none configured or readable: none, no error). */
  io.portcullis.geo.CountryLookup countries() {
    return countries;
  }

  /**
   * Replaces the running jails with those of a new assembly: bans in force stay in force (put back
   * with their remaining time), read positions continue.
   */
  synchronized List<String> reload(Assembly assembly) throws Exception {
    if (!running) {
      throw new IllegalStateException("the server is stopping");
    }
    // countrydb and countrydbcheck follow a reload (the rest of [Definition] needs a restart);
    // read before anything stops, so that a bad value refuses the reload and changes nothing
    ServerSettings now;
    try {
      now = settings.withCountries(ServerSettings.read(configDir));
    } catch (io.portcullis.config.ConfigException e) {
      throw new io.portcullis.control.ServerControl.ConfigProblems(e.getMessage());
    }
    assembly.warnings().forEach(w -> shared.log().warning("config: " + w));
    List<BanDecision> inForce = shared.bans().list(null);
    jails.stop();
    for (BanDecision b : inForce) {
      shared.bans().remove(b.jail(), b.fid());
    }
    countries = new io.portcullis.geo.CountryLookup(now.countrydb(), assembler.countryDatabases());
    jails = JailSet.start(assembly, inForce, List.of(), shared, now, firewallOwner);
    if (shared.feeds().feeds() != null) {
      shared.feeds().feeds().reapply();
    }
    jails.firewalls().settleNow();
    shared
        .log()
        .notice(
            "Reloaded: "
                + jails.runners().size()
                + " jail(s) running"
                + (jails.broken().isEmpty() ? "" : ", " + jails.broken().size() + " broken"));
    return List.copyOf(jails.runners().keySet());
  }

  /**
   * Reads the config again, as the {@code reload} command does (SIGHUP); a config with problems is
   * refused, logged, and changes nothing.
   */
  public void reloadFromSignal(String signal) {
    shared.log().notice("Reload requested (" + signal + ")");
    try {
      controls.reload();
    } catch (ServerControl.ConfigProblems e) {
      shared
          .log()
          .error("Reload refused, nothing changed: the config has problems:\n" + e.getMessage());
    } catch (Exception e) {
      shared.log().error("Reload failed: " + e);
    }
  }

  /** Blocks until the server was told to stop. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Stops on another thread, so that the command asking for it gets its answer first. */
  void requestStop() {
    Thread t =
        new Thread(
            () -> {
              try {
                close();
              } catch (Exception e) {
                shared.log().error("stop: " + e);
              }
            },
            "stopper");
    t.start();
  }

  public Path socket() {
    return settings.socket();
  }

  /** What the control commands ask of the server, for a caller in the same process. */
  public io.portcullis.control.ServerControl control() {
    return controls;
  }

  /** The HTTP side, when {@code [http] listen} turned it on (and it could bind). */
  public java.util.Optional<WebServer> web() {
    return java.util.Optional.ofNullable(web);
  }

  @Override
  public synchronized void close() throws IOException {
    if (!running) {
      return;
    }
    running = false;
    ServerLog log = shared.log();
    log.notice("Server stopping");
    try {
      if (web != null) {
        web.close();
      }
      if (control != null) {
        control.close();
      }
      Fleet fleet = shared.fleet().fleet();
      if (fleet != null) {
        fleet.stop(Duration.ofSeconds(3));
      }
      if (shared.feeds().feeds() != null) {
        shared.feeds().feeds().close();
      }
      unbanTimer.stop();
      jails.stop();
      shared.store().close();
      firewallOwner.close();
      if (storeLock != null) {
        storeLock.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      throw new IOException("closing the database: " + e.getMessage(), e);
    } finally {
      try {
        if (settings.pidfile() != null) {
          Files.deleteIfExists(settings.pidfile());
        }
      } catch (IOException ignored) {
        // best effort
      }
      log.notice("Server stopped");
      log.close(Duration.ofSeconds(5));
      stopped.countDown();
    }
  }
}
