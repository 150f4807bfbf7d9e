package io.portcullis.server;

import io.portcullis.action.FirewallAction;
import io.portcullis.ban.BanStore;
import io.portcullis.config.ByteSizes;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ServerSettings;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.plan.ActionPlan;
import io.portcullis.plan.Assembly;
import io.portcullis.plan.JailPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The jails running from one reading of the config, started and stopped together: a reload replaces
 * the whole set. The server only wires plans ({@link Assembly}) to the runtime here.
 *
 * <p>Start order: actions and jail threads, the firewall's sets and rules, the bans restored from
 * the store (before any line is read, so nothing is banned twice), then the log readers. Stop runs
 * it backwards, each step with a time limit.
 */
final class JailSet {
  private static final Duration ACTION_STOP = Duration.ofSeconds(30);
  private static final Duration WARM_UP_WAIT = Duration.ofSeconds(30);

  private final Map<String, JailRunner> runners = new LinkedHashMap<>();
  private final Map<String, List<String>> broken = new LinkedHashMap<>();
  private final Firewalls firewalls;
  private final Shared shared;

  /** Per jail with restored bans: completes when its firewall actions took them (or failed). */
  private final Map<String, CompletableFuture<Void>> restoring = new LinkedHashMap<>();

  private io.portcullis.worker.Worker<Object> countries;

  /** How often the country database file is looked at (modification time and size). */
  private JailSet(Shared shared, ServerSettings settings, FirewallOwnership owner) {
    this.shared = shared;
    this.firewalls = new Firewalls(settings, shared, this::runners, owner);
  }

  /**
   * Builds and starts the jails of an assembly; {@code stored}: the bans to put back in force,
   * {@code lifted}: unbans the kernel had not confirmed (applied again).
   */
  static JailSet start(
      Assembly assembly,
      List<BanDecision> stored,
      List<BanStore.Lifted> lifted,
      Shared shared,
      ServerSettings settings,
      FirewallOwnership owner)
      throws Exception {
    JailSet set = new JailSet(shared, settings, owner);
    ServerLog log = shared.log();
    assembly
        .broken()
        .forEach(
            (name, problems) -> {
              List<String> messages = problems.stream().map(ConfigException::getMessage).toList();
              set.broken.put(name, messages);
              messages.forEach(m -> log.error("[" + name + "] jail not started: " + m));
            });
    for (JailPlan plan : assembly.plans()) {
      set.runners.put(plan.name(), set.build(plan));
    }
    set.checkTrackedMemory();
    // each jail's line path is warmed up (JailRunner.warmUp) on a thread of its own while this one
    // puts the stored bans back: neither needs the other
    Thread warm =
        new Thread(() -> set.runners.values().forEach(JailRunner::warmUp), "jail-warm-up");
    warm.setDaemon(true);
    warm.start();
    // the firewalls' sets and rules are made (and their batch workers started) beside the restore:
    // the restored bans go into the kernel as they are handed over, not after all of them
    Thread sets = new Thread(set.firewalls::startBackends, "firewall-start");
    sets.setDaemon(true);
    sets.start();
    set.restore(stored, settings);
    set.liftAgain(lifted);
    // after the restore: the kernel's elements are compared with the bans in force (start() is
    // synchronized with startBackends: it waits for the thread above if that is still at it)
    set.firewalls.start();
    set.countries = set.watchCountries(settings);
    // bounded: a jail whose warm-up is not done by then warms up again when its source starts
    warm.join(WARM_UP_WAIT.toMillis());
    for (JailRunner r : set.runners.values()) {
      r.actionSlots().forEach(ActionSlot::start);
      r.startSource();
      log.notice(
          "["
              + r.name()
              + "] Jail started: filter "
              + r.plan().filter().name()
              + ", "
              + r.plan().source().describe());
    }
    return set;
  }

  /**
   * Follows countrydb when a jail has a country rule a firewall applies: a changed file swaps the
   * jails' country sets (thread {@code countrydb}); null when there is nothing to follow.
   */
  private io.portcullis.worker.Worker<Object> watchCountries(ServerSettings settings) {
    // the file the plans read (at start, or at this reload: countrydb may have changed since the
    // server started, and settings are the start's), not the start's countrydb
    java.nio.file.Path file = null;
    for (JailRunner r : runners.values()) {
      if (!r.plan().countries().isOff() && file == null) {
        file = r.plan().countries().database();
      }
    }
    if (file == null) {
      return null;
    }
    // the version the plans were made from: read just before, a change in between is seen late
    var seen = io.portcullis.geo.CountryDatabases.Version.of(file);
    List<io.portcullis.geo.CountryWatch.Target> targets = new ArrayList<>();
    for (JailRunner r : runners.values()) {
      if (r.plan().countries().isOff()) {
        continue;
      }
      List<io.portcullis.action.FirewallBackend> backends = new ArrayList<>();
      for (ActionSlot a : r.actionSlots()) {
        if (a.action() instanceof FirewallAction f && f.backend().supportsCountries()) {
          backends.add(f.backend());
        }
      }
      if (backends.isEmpty()) {
        continue;
      }
      targets.add(
          new io.portcullis.geo.CountryWatch.Target() {
            @Override
            public String jail() {
              return r.name();
            }

            @Override
            public io.portcullis.geo.CountryRule rule() {
              return r.plan().countries().rule();
            }

            @Override
            public void apply(io.portcullis.geo.CountryShield shield) throws java.io.IOException {
              for (io.portcullis.action.FirewallBackend b : backends) {
                b.countriesNow(r.name(), shield);
              }
            }

            @Override
            public void problem(String problem) {
              r.countryProblem(problem);
            }
          });
    }
    if (targets.isEmpty()) {
      return null;
    }
    ServerLog log = shared.log();
    io.portcullis.geo.CountryWatch watch =
        new io.portcullis.geo.CountryWatch(file, seen, targets, log::notice, log::error);
    return io.portcullis.worker.Worker.named("countrydb")
        .every(settings::countrydbcheck, watch::check)
        .errors(m -> log.error("countrydb: " + m))
        .start();
  }

  /**
   * Warns when what the jails may track together could take more than half of the heap: each jail's
   * failures up to its maxtrackedmemory, and its trust and account guards up to three eighths of it
   * again (an eighth each for pairing, accounts and user names; half is counted, to leave room).
   */
  private void checkTrackedMemory() {
    List<Long> caps = new ArrayList<>();
    for (JailRunner r : runners.values()) {
      caps.add(r.settings().maxtrackedmemory());
    }
    String warning = trackedMemoryWarning(caps, Runtime.getRuntime().maxMemory());
    if (warning != null) {
      shared.log().warning(warning);
    }
  }

  /** The warning for jails with these maxtrackedmemory caps on a heap of {@code heap} bytes. */
  static String trackedMemoryWarning(List<Long> caps, long heap) {
    long most = 0;
    for (long c : caps) {
      most += c + c / 2;
    }
    if (most <= heap / 2) {
      return null;
    }
    return "The jails may keep up to "
        + ByteSizes.format(most)
        + " of failures and trust and account state (maxtrackedmemory of each, and half as much"
        + " again for pairing, accounts and user names), more than half of the heap ("
        + ByteSizes.format(heap)
        + "): lower maxtrackedmemory, or give the server a larger heap"
        + " (PORTCULLIS_JAVA_OPTS=\"... -Xmx512m\")";
  }

  private JailRunner build(JailPlan plan) {
    ServerLog log = shared.log();
    plan.notes().forEach(n -> log.warning("[" + plan.name() + "] " + n));
    plan.actionProblems()
        .forEach(
            p ->
                log.error(
                    "[" + plan.name() + "] " + p.getMessage() + "; the jail runs without it"));
    List<ActionSlot> slots = new ArrayList<>();
    for (ActionPlan a : plan.actions()) {
      slots.add(new ActionSlot(plan.name(), a.create(firewalls), log));
    }
    return new JailRunner(plan, ExternalIgnore.of(plan, log), slots, shared);
  }

  /** Puts stored bans back in force with their remaining time; lifts those that ended meanwhile. */
  private void restore(List<BanDecision> stored, ServerSettings settings) {
    Instant now = shared.clock().instant();
    long began = System.nanoTime();
    long cpu = threadCpu();
    int restored = 0;
    int lifted = 0;
    Map<JailRunner, Restoring> toRestore = new LinkedHashMap<>();
    for (BanDecision b : stored) {
      JailRunner r = runners.get(b.jail());
      Instant end = b.end(); // a new Instant at each call: once per ban
      if (end != null && !end.isAfter(now)) {
        if (r != null) {
          r.liftQuietly(b, /* firewallsOnly= */ false);
        } else {
          shared.bans().lifted().lifted(b.jail(), b.fid());
          shared.store().write(s -> s.removeBan(b.jail(), b.fid(), now));
        }
        lifted++;
        continue;
      }
      if (r == null) {
        shared
            .log()
            .warning(
                "["
                    + b.jail()
                    + "] stored ban of "
                    + b.fid()
                    + " kept in the database, but the jail is not running");
        continue;
      }
      if (shared.bans().add(b)) {
        Restoring jail = toRestore.computeIfAbsent(r, k -> new Restoring());
        jail.chunk.add(b);
        if (jail.chunk.size() == RESTORE_CHUNK) {
          jail.handOver(r);
        }
        restored++;
      }
    }
    toRestore.forEach(
        (r, jail) -> {
          jail.handOver(r);
          restoring.put(r.name(), watchRestore(r, jail.count, jail.firewalled, jail.started));
        });
    for (JailRunner r : runners.values()) {
      try {
        Map<IpAddress, Instant> allowed = new LinkedHashMap<>();
        for (BanStore.Allowed a :
            shared.store().call(s -> s.allowed(r.name(), now)).get(30, TimeUnit.SECONDS)) {
          allowed.put(a.ip(), a.until());
        }
        r.allowedBefore(allowed);
      } catch (Exception e) {
        shared.log().error("[" + r.name() + "] cannot restore the allow list: " + e.getMessage());
      }
    }
    if (restored + lifted > 0) {
      shared
          .log()
          .notice(
              "Restored "
                  + restored
                  + " ban(s) from "
                  + (settings.dbfile() == null ? "memory" : settings.dbfile())
                  + "; lifted "
                  + lifted
                  + " that ended while the server was down (handed to the actions in "
                  + (System.nanoTime() - began) / 1_000_000
                  + " ms, "
                  + (threadCpu() - cpu) / 1_000_000
                  + " ms of this thread's CPU)");
    }
  }

  /** This thread's CPU time in ns (0 where the JVM does not measure it): for the start's log. */
  static long threadCpu() {
    java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
    return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : 0;
  }

  /**
   * Restored bans are handed to a jail and its actions in chunks of this many while the store's
   * rows are still being gone through: the firewall's batch worker (started beside the restore)
   * puts the first chunks in the kernel meanwhile, rather than waiting for all of them.
   */
  private static final int RESTORE_CHUNK = 10_000;

  /** One jail's restore: the chunk being gathered, and what was handed over so far. */
  private final class Restoring {
    final List<BanDecision> chunk = new ArrayList<>();
    final List<CompletableFuture<Void>> firewalled = new ArrayList<>();
    final long started = System.nanoTime();
    int count;

    /** Hands the gathered chunk to the jail and its actions (the firewall's future is kept). */
    void handOver(JailRunner r) {
      if (chunk.isEmpty()) {
        return;
      }
      List<BanDecision> list = List.copyOf(chunk);
      chunk.clear();
      count += list.size();
      r.restored(list);
      // a ban from another node goes to the firewall actions only: the node that decided it
      // sent the mail and ran the commands
      List<BanDecision> own = new ArrayList<>();
      for (BanDecision b : list) {
        if (shared.fleet().origin(b.jail(), b.fid()) == null) {
          own.add(b);
        }
      }
      for (ActionSlot a : r.actionSlots()) {
        if (a.action() instanceof FirewallAction) {
          firewalled.add(a.restoreAll(list));
        } else if (own.size() == list.size()) {
          a.restoreAll(list);
        } else if (!own.isEmpty()) {
          a.restoreAll(own);
        }
      }
    }
  }

  /**
   * Says when a jail's restored bans are in force: "restored N bans for JAIL in X ms" once every
   * firewall action took them, or the failure (logged, and in the jail's status problems).
   */
  private CompletableFuture<Void> watchRestore(
      JailRunner r, int count, List<CompletableFuture<Void>> firewalled, long started) {
    if (firewalled.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(firewalled.toArray(CompletableFuture[]::new))
        .handle(
            (ok, failure) -> {
              long ms = (System.nanoTime() - started) / 1_000_000;
              if (failure == null) {
                r.restoreProblem(null);
                shared
                    .log()
                    .notice("restored " + count + " bans for " + r.name() + " in " + ms + " ms");
              } else {
                Throwable cause =
                    failure instanceof java.util.concurrent.CompletionException
                            && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                String problem =
                    "the firewall did not take the "
                        + count
                        + " restored ban(s) (after "
                        + ms
                        + " ms): "
                        + cause.getMessage();
                r.restoreProblem(problem);
                shared.log().error("[" + r.name() + "] " + problem);
              }
              return null;
            });
  }

  /**
   * Waits until the restored bans of every jail are in the kernel (or their firewall failed), at
   * most {@code limit}: a jail still waiting then is logged and has it in its status problems, and
   * the start goes on (its bans keep going in as the firewall takes them).
   */
  void awaitRestored(Duration limit) throws InterruptedException {
    CompletableFuture<Void> all =
        CompletableFuture.allOf(restoring.values().toArray(CompletableFuture[]::new));
    try {
      all.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      // each jail's failure is logged and in its problems (watchRestore)
    } catch (java.util.concurrent.TimeoutException late) {
      for (Map.Entry<String, CompletableFuture<Void>> e : restoring.entrySet()) {
        JailRunner r = runners.get(e.getKey());
        if (!e.getValue().isDone()) {
          String problem =
              "the restored bans were not all in the kernel after "
                  + limit.toSeconds()
                  + " s; the server is ready without waiting longer";
          r.restoreProblem(problem);
          shared.log().error("[" + r.name() + "] " + problem);
        }
      }
    }
  }

  /**
   * Unbans the kernel had not confirmed when the server stopped: known to the start reconcile (an
   * element still there is removed, not adopted) and sent to the firewalls once more.
   */
  private void liftAgain(List<BanStore.Lifted> lifted) {
    for (BanStore.Lifted l : lifted) {
      JailRunner r = runners.get(l.jail());
      if (shared.bans().get(l.jail(), l.fid()) != null) {
        continue; // banned again since: the store says so
      }
      if (r == null) {
        shared.bans().lifted().lifted(l.jail(), l.fid());
        continue;
      }
      r.liftQuietly(
          new BanDecision(
              l.jail(),
              l.fid(),
              IpAddress.parseOrNull(l.fid()),
              l.time(),
              Duration.ZERO,
              1,
              0,
              List.of()),
          /* firewallsOnly= */ true);
    }
  }

  Map<String, JailRunner> runners() {
    return Collections.unmodifiableMap(runners);
  }

  Map<String, List<String>> broken() {
    return Collections.unmodifiableMap(broken);
  }

  Firewalls firewalls() {
    return firewalls;
  }

  /**
   * Stops reading and deciding, then the actions after what they were given, then the firewalls
   * (the kernel keeps the sets and their timeouts: bans go on while the server is down).
   */
  void stop() throws InterruptedException {
    for (JailRunner r : runners.values()) {
      r.stop();
    }
    if (countries != null) {
      countries.stop(Duration.ofSeconds(30));
    }
    firewalls.stopReconciling();
    for (JailRunner r : runners.values()) {
      for (ActionSlot a : r.actionSlots()) {
        a.stop(ACTION_STOP);
      }
    }
    firewalls.close();
  }
}
