package io.portcullis.server;

import io.portcullis.action.CommandAction;
import io.portcullis.action.FirewallAction;
import io.portcullis.action.FirewallBackend;
import io.portcullis.action.IpsetBackend;
import io.portcullis.action.LogAction;
import io.portcullis.action.MailAction;
import io.portcullis.action.NftablesBackend;
import io.portcullis.action.WebhookAction;
import io.portcullis.ban.BanList;
import io.portcullis.ban.BanStore;
import io.portcullis.ban.StoreWriter;
import io.portcullis.config.ActionReader;
import io.portcullis.config.ConfigException;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.JailsReader;
import io.portcullis.config.OptionList;
import io.portcullis.config.ServerSettings;
import io.portcullis.control.ControlServer;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterException;
import io.portcullis.filter.FilterSpec;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.Jail;
import io.portcullis.jail.JailSettings;
import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import io.portcullis.source.FileTailer;
import io.portcullis.source.JournalSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The daemon: reads the config, restores bans, runs one thread per jail, lifts bans when they end,
 * and answers the control socket.
 *
 * <p>Start order: settings, log, store, restored bans (before any line is read, so nothing is
 * banned twice), actions, jails with their log readers, the unban timer, the control socket. Stop
 * runs it backwards, each step with a time limit.
 */
public final class Server implements AutoCloseable {
  final Path configDir;
  final ServerSettings settings;
  final ServerLog log;
  final Clock clock;
  final BanList bans = new BanList();
  final BanCounts counts = new BanCounts();
  final StoreWriter store;
  final Map<String, JailRunner> jails = Collections.synchronizedMap(new LinkedHashMap<>());
  final Map<String, List<String>> broken = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Thread unbanTimer;
  private final List<JournalSource> journals = new ArrayList<>();
  private final Map<String, FirewallBackend> firewalls = new LinkedHashMap<>();
  private Thread reconciler;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Instant started;
  private ControlServer control;
  private volatile boolean running = true;

  private Server(Path configDir, ServerSettings settings, Clock clock, Path socketOverride)
      throws IOException, java.sql.SQLException {
    this.configDir = configDir;
    this.settings =
        socketOverride == null
            ? settings
            : new ServerSettings(
                settings.loglevel(),
                settings.logtarget(),
                socketOverride,
                settings.pidfile(),
                settings.dbfile(),
                settings.dbpurgeage(),
                settings.reconcile(),
                settings.netns(),
                settings.origin());
    this.clock = clock;
    this.started = clock.instant();
    this.log = new ServerLog(settings.logtarget(), settings.loglevel(), clock);
    BanStore db =
        BanStore.open(settings.dbfile() == null ? Path.of(":memory:") : settings.dbfile());
    List<BanDecision> stored = db.bans();
    this.store = new StoreWriter(db, log::error);
    this.unbanTimer = new Thread(this::unbanLoop, "unban-timer");
    this.unbanTimer.setDaemon(true);
    startJails(JailsReader.read(configDir), stored);
  }

  /**
   * Starts a server on a config dir; {@code socket} overrides the configured socket when not null.
   */
  public static Server start(Path configDir, Clock clock, Path socket) throws Exception {
    ServerSettings settings = ServerSettings.read(configDir);
    Server s = new Server(configDir, settings, clock, socket);
    s.unbanTimer.start();
    // the ban history only matters for the next increasing ban: read it after start
    s.store
        .call(BanStore::banCounts)
        .whenComplete(
            (rows, error) -> {
              if (error != null) {
                s.log.error(
                    "cannot read the ban history (repeat bans start from #1): "
                        + error.getMessage());
                s.counts.failed();
              } else {
                s.counts.load(rows);
              }
            });
    s.control = new ControlServer(s.settings.socket(), new Commands(s), s.log::error);
    s.writePid();
    s.log.notice(
        "Server ready: "
            + s.jails.size()
            + " jail(s) running"
            + (s.broken.isEmpty()
                ? ""
                : ", " + s.broken.size() + " broken: " + String.join(", ", s.broken.keySet()))
            + "; control socket "
            + s.settings.socket());
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
      log.warning("cannot write pidfile " + settings.pidfile() + ": " + e.getMessage());
    }
  }

  Instant startedAt() {
    return started;
  }

  private void startJails(JailsReader.Jails config, List<BanDecision> stored) throws IOException {
    config
        .broken()
        .forEach(
            (name, problems) -> {
              List<String> messages = problems.stream().map(Throwable::getMessage).toList();
              broken.put(name, messages);
              messages.forEach(m -> log.error("[" + name + "] jail not started: " + m));
            });
    for (JailDefinition d : config.enabled()) {
      try {
        jails.put(d.name(), build(d));
      } catch (FilterException | ConfigException | IllegalArgumentException e) {
        broken.put(d.name(), List.of(e.getMessage()));
        log.error("[" + d.name() + "] jail not started: " + e.getMessage());
      }
    }
    for (FirewallBackend fw : firewalls.values()) {
      try {
        fw.start();
        log.notice(
            "Firewall ("
                + fw.name()
                + "): sets and rules in place"
                + (fw.conntrack()
                    ? ""
                    : "; conntrack tool missing: ongoing UDP flows of banned addresses are not cut"));
      } catch (IOException | RuntimeException e) {
        log.error(
            "Firewall ("
                + fw.name()
                + "): cannot create the sets and rules: "
                + e.getMessage()
                + " (will retry every "
                + settings.reconcile().toSeconds()
                + "s)");
      }
    }
    restore(stored);
    if (!firewalls.isEmpty()) {
      reconciler = new Thread(this::reconcileLoop, "reconcile");
      reconciler.setDaemon(true);
      reconciler.start();
    }
    for (JailRunner r : jails.values()) {
      r.actions.forEach(ActionSlot::start);
      FileTailer tailer = null;
      if (!r.def.backend().startsWith("systemd")) {
        long back = 8L << 20;
        tailer =
            new FileTailer(
                r.name(),
                r.def.logpaths().stream().map(p -> p.replaceFirst("\\s+(head|tail)$", "")).toList(),
                new StoredPositions(r.name(), store),
                r::block,
                r.def.backend().equals("polling") ? Duration.ofSeconds(1) : Duration.ofMillis(500),
                !r.def.backend().equals("polling"),
                back);
      } else {
        log.warning(
            "["
                + r.name()
                + "] backend systemd: reading the journal is not available in this version; the jail only takes commands");
      }
      r.start(tailer);
      log.notice(
          "["
              + r.name()
              + "] Jail started: filter "
              + r.def.filter().name()
              + ", "
              + (tailer == null ? "journal" : String.join(" ", r.def.logpaths())));
    }
  }

  private JailRunner build(JailDefinition d) {
    Filter filter = Filter.builder(FilterSpec.of(d.filter(), !d.usedns().equals("no"))).build();
    List<IpAddress> ignore = new ArrayList<>();
    for (String entry : d.ignoreip()) {
      IpAddress a = IpAddress.parseOrNull(entry);
      if (a != null) {
        ignore.add(a);
      } else {
        ignore.addAll(resolve(d.name(), entry));
      }
    }
    JailSettings settings = settingsOf(d, ignore);
    Predicate<IpAddress> external = ignoreChecks(d);
    Jail jail = new Jail(settings, counts, external, new Random());
    List<ActionSlot> actions = new ArrayList<>();
    for (OptionList a : d.actions()) {
      if (a.name().equals("log")) {
        String file = a.options().get("file");
        boolean stamp =
            List.of("yes", "true", "1").contains(a.options().getOrDefault("stamp", "no"));
        actions.add(
            new ActionSlot(
                d.name(),
                new LogAction(d.name(), file == null ? null : Path.of(file), log::info, stamp),
                log));
      } else if (a.name().equals("mail")) {
        try {
          actions.add(
              new ActionSlot(
                  d.name(), new MailAction(d.name(), a.options(), clock, log::error), log));
        } catch (IllegalArgumentException e) {
          actionCannotRun(d.name(), "mail", e.getMessage());
        }
      } else if (a.name().equals("webhook")) {
        try {
          actions.add(
              new ActionSlot(d.name(), new WebhookAction(d.name(), a.options(), log::error), log));
        } catch (IllegalArgumentException e) {
          actionCannotRun(d.name(), "webhook", e.getMessage());
        }
      } else if (a.name().equals("firewall")) {
        String kind = a.options().getOrDefault("backend", "nftables");
        FirewallBackend fw = firewall(kind);
        String blocktype = a.options().getOrDefault("blocktype", "drop");
        fw.addJail(
            new FirewallBackend.JailRule(
                d.name(),
                a.options().getOrDefault("port", d.options().get("port")),
                a.options().getOrDefault("protocol", d.options().get("protocol")),
                blocktype.equalsIgnoreCase("reject")));
        actions.add(new ActionSlot(d.name(), new FirewallAction(d.name(), fw, clock), log));
      } else {
        try {
          Map<String, String> props =
              ActionReader.read(configDir, a.name(), a.options(), d.options(), d.name());
          List<String> prefix =
              this.settings.netns() == null
                  ? List.of()
                  : List.of("ip", "netns", "exec", this.settings.netns());
          actions.add(
              new ActionSlot(
                  d.name(), new CommandAction(a.name(), d.name(), props, prefix, log::error), log));
        } catch (ConfigException e) {
          actionCannotRun(d.name(), a.name(), e.getMessage());
        }
      }
    }
    if (d.actions().isEmpty()) {
      log.warning("[" + d.name() + "] no action: bans are recorded and logged only");
    }
    return new JailRunner(d, jail, filter, actions, bans, store, counts, log, clock);
  }

  /** An action of a jail that cannot run: shown by status and logged; the jail runs without it. */
  private void actionCannotRun(String jail, String action, String why) {
    List<String> list = new ArrayList<>(broken.getOrDefault(jail + " (actions)", List.of()));
    list.add("action '" + action + "': " + why);
    broken.put(jail + " (actions)", list);
    log.error(
        "[" + jail + "] action '" + action + "' cannot run: " + why + "; the jail runs without it");
  }

  /** The firewall backend of a kind ("nftables" or "ipset"), shared by the jails that use it. */
  private FirewallBackend firewall(String kind) {
    return firewalls.computeIfAbsent(
        kind,
        k -> {
          List<String> prefix =
              this.settings.netns() == null
                  ? List.of()
                  : List.of("ip", "netns", "exec", this.settings.netns());
          ProcessRunner runner = new ProcessRunner(prefix, Duration.ofSeconds(30));
          return switch (k) {
            case "nftables" -> new NftablesBackend(runner, clock, log::error);
            case "ipset" -> new IpsetBackend(runner, clock, log::error);
            default ->
                throw new IllegalArgumentException(
                    "firewall backend '" + k + "' is not known (try nftables, ipset)");
          };
        });
  }

  /** Every firewall backend in use. */
  java.util.Collection<FirewallBackend> firewallBackends() {
    return firewalls.values();
  }

  /** A firewall backend in use, for status (conntrack), or null. */
  FirewallBackend firewallBackend() {
    return firewalls.isEmpty() ? null : firewalls.values().iterator().next();
  }

  static JailSettings settingsOf(JailDefinition d, List<IpAddress> ignore) {
    JailDefinition.Increment i = d.increment();
    return new JailSettings(
        d.name(),
        d.maxretry(),
        d.findtime(),
        d.bantime(),
        d.maxmatches(),
        i.enabled()
            ? new JailSettings.Increment(
                true, i.factor(), i.multipliers(), i.maxtime(), i.rndtime(), i.overalljails())
            : JailSettings.Increment.OFF,
        d.allowtime(),
        ignore);
  }

  private List<IpAddress> resolve(String jail, String name) {
    try {
      List<IpAddress> out = new ArrayList<>();
      for (InetAddress a : InetAddress.getAllByName(name)) {
        out.add(IpAddress.parse(a.getHostAddress()));
      }
      return out;
    } catch (UnknownHostException e) {
      log.warning("[" + jail + "] ignoreip: cannot resolve '" + name + "'; it is not ignored");
      return List.of();
    }
  }

  /** ignoreself (this machine's addresses) and ignorecommand (exit 0 means ignore). */
  private Predicate<IpAddress> ignoreChecks(JailDefinition d) {
    List<IpAddress> self = new ArrayList<>();
    if (d.ignoreself()) {
      try {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            IpAddress ip = IpAddress.parseOrNull(a.getHostAddress());
            if (ip != null) {
              self.add(ip);
            }
          }
        }
      } catch (IOException e) {
        log.warning(
            "["
                + d.name()
                + "] ignoreself: cannot list this machine's addresses: "
                + e.getMessage());
      }
    }
    String command = d.ignorecommand();
    return ip -> {
      if (self.contains(ip)) {
        return true;
      }
      if (command == null) {
        return false;
      }
      // the address's canonical form holds only hex digits, dots and colons: safe in a shell word
      String cmd = command.replace("<ip>", ip.toString()).replace("<name>", d.name());
      try {
        Process p = new ProcessBuilder("/bin/sh", "-c", cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          log.warning("[" + d.name() + "] ignorecommand timed out for " + ip);
          return false;
        }
        return p.exitValue() == 0;
      } catch (IOException e) {
        log.warning("[" + d.name() + "] ignorecommand failed: " + e.getMessage());
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    };
  }

  /** Puts stored bans back in force with their remaining time; lifts those that ended meanwhile. */
  private void restore(List<BanDecision> stored) {
    Instant now = clock.instant();
    int restored = 0;
    int lifted = 0;
    Map<JailRunner, List<BanDecision>> toRestore = new LinkedHashMap<>();
    for (BanDecision b : stored) {
      JailRunner r = jails.get(b.jail());
      if (b.end() != null && !b.end().isAfter(now)) {
        store.write(s -> s.removeBan(b.jail(), b.fid()));
        if (r != null) {
          r.actions.forEach(a -> a.unban(b));
        }
        lifted++;
        continue;
      }
      if (r == null) {
        log.warning(
            "["
                + b.jail()
                + "] stored ban of "
                + b.fid()
                + " kept in the database, but the jail is not running");
        continue;
      }
      if (bans.add(b)) {
        r.jail.restored(b.fid(), b.end());
        toRestore.computeIfAbsent(r, k -> new ArrayList<>()).add(b);
        restored++;
      }
    }
    toRestore.forEach((r, list) -> r.actions.forEach(a -> a.restoreAll(list)));
    for (JailRunner r : jails.values()) {
      try {
        for (Object[] a : store.call(s -> s.allowed(r.name(), now)).get(30, TimeUnit.SECONDS)) {
          r.jail.allowUntil((IpAddress) a[0], (Instant) a[1]);
        }
      } catch (Exception e) {
        log.error("[" + r.name() + "] cannot restore the allow list: " + e.getMessage());
      }
    }
    if (restored + lifted > 0) {
      log.notice(
          "Restored "
              + restored
              + " ban(s) from "
              + (settings.dbfile() == null ? "memory" : settings.dbfile())
              + "; lifted "
              + lifted
              + " that ended while the server was down");
    }
  }

  private void unbanLoop() {
    Instant lastPurge = clock.instant();
    while (running) {
      try {
        Instant now = clock.instant();
        for (BanDecision b : bans.takeDue(now)) {
          JailRunner r = jails.get(b.jail());
          if (r != null) {
            r.call(
                () -> {
                  r.lifted(b, null);
                  return null;
                });
          } else {
            store.write(s -> s.removeBan(b.jail(), b.fid()));
          }
        }
        if (Duration.between(lastPurge, now).compareTo(Duration.ofHours(1)) > 0) {
          lastPurge = now;
          Instant before = now.minus(settings.dbpurgeage());
          store.write(s -> s.purgeHistory(before));
        }
        Instant next = bans.nextEnd();
        long wait =
            next == null
                ? 1000
                : Math.max(1, Math.min(1000, Duration.between(clock.instant(), next).toMillis()));
        TimeUnit.MILLISECONDS.sleep(wait);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("unban timer: " + e);
      }
    }
  }

  private void reconcileLoop() {
    while (running) {
      try {
        TimeUnit.MILLISECONDS.sleep(settings.reconcile().toMillis());
        for (FirewallBackend fw : firewalls.values()) {
          String drift = fw.reconcile(() -> bans.list(null));
          if (!drift.isEmpty()) {
            log.warning("Firewall drift (" + fw.name() + "): " + drift);
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        log.error("Firewall reconcile failed: " + e.getMessage());
      }
    }
  }

  /**
   * Re-reads the configuration and restarts the jails from it: added jails start, removed ones
   * stop, changed ones take their new settings. Bans in force stay in force (they are put back with
   * their remaining time); read positions continue. A config with problems is refused and nothing
   * changes.
   */
  synchronized List<String> reload() throws Exception {
    JailsReader.Jails config = JailsReader.read(configDir);
    if (!config.problems().isEmpty()) {
      throw new ConfigException(
          String.join("\n", config.problems().stream().map(Throwable::getMessage).toList()));
    }
    List<BanDecision> inForce = bans.list(null);
    for (JournalSource j : journals) {
      j.close();
    }
    journals.clear();
    if (reconciler != null) {
      reconciler.interrupt();
      reconciler.join(5_000);
      reconciler = null;
    }
    for (JailRunner r : jails.values()) {
      r.stop();
      for (ActionSlot a : r.actions) {
        a.stop(30);
      }
    }
    for (FirewallBackend fw : firewalls.values()) {
      fw.close();
    }
    firewalls.clear();
    for (BanDecision b : inForce) {
      bans.remove(b.jail(), b.fid());
    }
    jails.clear();
    broken.clear();
    startJails(config, inForce);
    log.notice(
        "Reloaded: "
            + jails.size()
            + " jail(s) running"
            + (broken.isEmpty() ? "" : ", " + broken.size() + " broken"));
    return List.copyOf(jails.keySet());
  }

  /** Blocks until the server was told to stop. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  void requestStop() {
    Thread t =
        new Thread(
            () -> {
              try {
                close();
              } catch (Exception e) {
                log.error("stop: " + e);
              }
            },
            "stopper");
    t.start();
  }

  public Path socket() {
    return settings.socket();
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      if (!running) {
        return;
      }
      running = false;
      log.notice("Server stopping");
      if (control != null) {
        control.close();
      }
      for (JournalSource j : journals) {
        j.close();
      }
      for (JailRunner r : jails.values()) {
        r.stop();
      }
      unbanTimer.interrupt();
      unbanTimer.join(5_000);
      if (reconciler != null) {
        reconciler.interrupt();
        reconciler.join(5_000);
      }
      for (JailRunner r : jails.values()) {
        for (ActionSlot a : r.actions) {
          a.stop(30);
        }
      }
      // the kernel keeps the sets and their timeouts: bans go on while the server is down
      for (FirewallBackend fw : firewalls.values()) {
        fw.close();
      }
      store.close();
      try {
        if (settings.pidfile() != null) {
          Files.deleteIfExists(settings.pidfile());
        }
      } catch (IOException ignored) {
        // best effort
      }
      log.notice("Server stopped");
      log.flush();
      stopped.countDown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.sql.SQLException e) {
      throw new IOException("closing the database: " + e.getMessage(), e);
    }
  }

  /** Read positions of one jail, kept in the store. */
  private static final class StoredPositions implements FileTailer.Positions {
    private final String jail;
    private final StoreWriter store;

    StoredPositions(String jail, StoreWriter store) {
      this.jail = jail;
      this.store = store;
    }

    @Override
    public FileTailer.Position load(Path file) {
      try {
        return store
            .call(s -> s.position(jail, file.toString()))
            .get(30, TimeUnit.SECONDS)
            .map(p -> new FileTailer.Position(p.inode(), p.fingerprint(), p.offset()))
            .orElse(null);
      } catch (Exception e) {
        return null;
      }
    }

    @Override
    public void save(Path file, FileTailer.Position p) {
      store.write(
          s ->
              s.savePosition(
                  jail,
                  file.toString(),
                  new BanStore.Position(p.inode(), p.fingerprint(), p.offset())));
    }
  }
}
