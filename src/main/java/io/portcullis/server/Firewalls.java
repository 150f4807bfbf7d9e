package io.portcullis.server;

import io.portcullis.action.FirewallBackend;
import io.portcullis.action.FirewallKind;
import io.portcullis.action.IpsetBackend;
import io.portcullis.action.NftablesBackend;
import io.portcullis.config.ServerSettings;
import io.portcullis.control.Replies;
import io.portcullis.feed.RetiredFeeds;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.plan.ActionRuntime;
import io.portcullis.process.ProcessRunner;
import io.portcullis.worker.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the server gives the actions it creates ({@link ActionRuntime}), and the kernel firewalls
 * they share: created when the first jail asks (the server then owns the firewall of its network
 * namespace: {@link FirewallOwnership}), started after every jail has registered its rule, and
 * compared with the bans in force at start and every {@code reconcileinterval} ({@code reconcile}
 * worker). An element of the kernel that no ban in force explains is removed if it was unbanned,
 * and otherwise adopted as a ban with the time the kernel gives it ({@link #adopt}): the store may
 * not have had it when the server died.
 */
final class Firewalls implements ActionRuntime, FirewallBackend.Strays {
  private final ServerSettings settings;
  private final Shared shared;
  private final ServerLog log;
  private final Supplier<Map<String, JailRunner>> runners;
  private final FirewallOwnership owner;
  private final java.util.concurrent.atomic.AtomicLong repairs =
      new java.util.concurrent.atomic.AtomicLong();
  private final Map<FirewallKind, FirewallBackend> backends = new LinkedHashMap<>();
  private Worker<Object> reconciler;

  /**
   * Each new ban the kernel took (jail, address) is told to the server's feed ({@link
   * AddressFeed#acceptedByKernel}), on a batch worker.
   */
  Firewalls(
      ServerSettings settings,
      Shared shared,
      Supplier<Map<String, JailRunner>> runners,
      FirewallOwnership owner) {
    this.settings = settings;
    this.shared = shared;
    this.log = shared.log();
    this.runners = runners;
    this.owner = owner;
    shared.fleet().firewalls(this);
  }

  @Override
  public Clock clock() {
    return shared.clock();
  }

  @Override
  public Consumer<String> errors() {
    return log::error;
  }

  @Override
  public Consumer<String> info() {
    return log::info;
  }

  @Override
  public List<String> commandPrefix() {
    return settings.netns() == null ? List.of() : List.of("ip", "netns", "exec", settings.netns());
  }

  /**
   * @throws UncheckedIOException when another server owns this namespace's firewall (its pid is in
   *     the message): the server does not start
   */
  @Override
  public synchronized FirewallBackend firewall(FirewallKind kind) {
    try {
      owner.claim();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
    return backends.computeIfAbsent(
        kind,
        k -> {
          ProcessRunner runner = new ProcessRunner(commandPrefix(), Duration.ofSeconds(30));
          FirewallBackend fw =
              switch (k) {
                case NFTABLES -> new NftablesBackend(runner, shared.clock(), log::error);
                case IPSET -> new IpsetBackend(runner, shared.clock(), log::error);
              };
          fw.onAccepted(shared.feed()::acceptedByKernel);
          fw.inForce(this::inForce);
          fw.peers(shared.fleet().peerAddresses());
          return fw;
        });
  }

  /**
   * The trusted fleet nodes' addresses changed: every backend's shields let them through (a kernel
   * call; on the fleet's thread).
   */
  void fleetPeers(List<IpAddress> peers) throws IOException {
    List<FirewallBackend> all;
    synchronized (this) {
      all = List.copyOf(backends.values());
    }
    for (FirewallBackend fw : all) {
      fw.peersNow(peers);
    }
  }

  /** The bans in force and the blocklist feeds' entries: what the kernel's sets should hold. */
  private List<BanDecision> inForce() {
    List<BanDecision> feeds = shared.feeds().inForce();
    if (feeds.isEmpty()) {
      return shared.bans().list(null);
    }
    List<BanDecision> all = new ArrayList<>(shared.bans().list(null));
    all.addAll(feeds);
    return all;
  }

  /** The backends whose sets and rules were made by {@link #startBackends}. */
  private final List<FirewallBackend> started = new ArrayList<>();

  private boolean backendsStarted;

  /**
   * Starts every backend in use once: its batch worker, then its sets and rules (keeping what they
   * hold). Safe beside the restore (changes queued before the sets exist wait for them); {@link
   * #start} runs it if nobody did.
   */
  synchronized void startBackends() {
    if (backendsStarted) {
      return;
    }
    backendsStarted = true;
    for (FirewallBackend fw : backends.values()) {
      try {
        fw.start();
        started.add(fw);
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
                + " (bans are applied once they can be: tried again before each change and every "
                + settings.reconcile().toSeconds()
                + "s)");
      }
    }
  }

  /**
   * Creates the sets and rules of every backend in use (keeping what they hold) and starts the
   * reconcile worker. What the kernel holds is listed here only when a feed removed from the config
   * left entries to take out before the server answers ({@link RetiredFeeds}), or when the store
   * had a problem at opening (set aside as corrupt, read-only: the kernel may hold bans the store
   * lost, adopted before the server answers, so that {@code banned} lists them); otherwise the
   * restored bans are added whether or not the kernel still holds them (adding an element that is
   * there costs nft no more than adding it to an empty set), and the strays (elements no ban in
   * force explains: adopted, or removed when they were unbanned) are settled by {@link #settleNow}
   * on the reconcile worker once the server is ready: listing 100,000 elements and comparing them
   * with the bans took seconds of a start while protecting nothing more (a stray is in the kernel,
   * dropping, either way). Call after the stored bans are on the ban list.
   */
  synchronized void start() {
    startBackends();
    boolean retiredFeeds = !shared.feeds().retired().retired().isEmpty();
    boolean listFirst = retiredFeeds || !shared.store().status().problems().isEmpty();
    boolean settled = started.size() == backends.size();
    for (FirewallBackend fw : started) {
      try {
        if (listFirst) {
          // what is missing is being restored by the actions: only the strays are settled here
          String drift = fw.reconcile(this::inForce, this, /* addMissing= */ false);
          if (!drift.isEmpty()) {
            log.warning("Firewall (" + fw.name() + ") at start: " + drift);
          }
        }
      } catch (IOException | RuntimeException e) {
        settled = false;
        log.error("Firewall (" + fw.name() + ") at start: " + e.getMessage());
      }
    }
    if (retiredFeeds && settled && !backends.isEmpty()) {
      shared.feeds().retired().forget(log::warning);
    }
    if (!backends.isEmpty()) {
      reconciler =
          Worker.named("reconcile")
              .each(first -> settle())
              .every(settings::reconcile, this::reconcile)
              .errors(m -> log.error("Firewall reconcile: " + m))
              .start();
    }
  }

  /**
   * Settles the kernel against the bans in force now, on the reconcile worker (call once the server
   * is ready: the start's restore is in by then and this does not compete with it).
   */
  void settleNow() {
    if (reconciler != null) {
      reconciler.submit(Boolean.TRUE);
    }
  }

  /** The settle after a start: the strays and anything missing, said as found at start. */
  private void settle() {
    long began = System.nanoTime();
    reconcile("at start");
    log.info(
        "Firewall: kernel settled against the bans in force in "
            + (System.nanoTime() - began) / 1_000_000
            + " ms (after ready)");
  }

  private void reconcile() {
    reconcile("drift");
  }

  private void reconcile(String what) {
    long began = System.nanoTime();
    boolean settled = true;
    for (FirewallBackend fw : List.copyOf(backends.values())) {
      try {
        String drift = fw.reconcile(this::inForce, this, /* addMissing= */ true);
        if (!drift.isEmpty()) {
          repairs.incrementAndGet();
          log.warning(
              what.equals("drift")
                  ? "Firewall drift (" + fw.name() + "): " + drift
                  : "Firewall (" + fw.name() + ") " + what + ": " + drift);
        }
      } catch (IOException | RuntimeException e) {
        settled = false;
        log.error("Firewall reconcile (" + fw.name() + ") failed: " + e.getMessage());
      }
    }
    if (settled) {
      shared.feeds().retired().forget(log::warning);
      clearRestoreProblems();
    }
    shared.bans().lifted().forgetConfirmedBefore(began);
  }

  /**
   * A firewall that failed at start (or took longer than the start waited) has every ban in force
   * once a reconcile went through and what it queued was applied without error: the jails' "did not
   * take the restored bans" problem is then no longer true.
   */
  private void clearRestoreProblems() {
    List<JailRunner> waiting = new ArrayList<>();
    for (JailRunner r : runners.get().values()) {
      if (r.restoreProblem() != null) {
        waiting.add(r);
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    try {
      for (FirewallBackend fw : List.copyOf(backends.values())) {
        fw.awaitQueue(Duration.ofSeconds(30));
        if (fw.lastError() != null || !fw.inPlace()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    for (JailRunner r : waiting) {
      r.restoreProblem(null);
      log.notice("[" + r.name() + "] the bans restored at start are in the firewall now");
    }
  }

  /**
   * An element no ban in force explains: removed when it was unbanned or a feed no longer
   * configured put it there, else adopted as a ban of its jail for the time the kernel gives it
   * (left alone when its jail is not running).
   */
  @Override
  public boolean adopt(String jail, IpAddress ip, Duration remaining) {
    String fid = ip.toString();
    if (shared.bans().lifted().contains(jail, fid) || shared.feeds().retired().listed(jail, ip)) {
      return false;
    }
    JailRunner r = runners.get().get(jail);
    if (r == null) {
      return true;
    }
    BanDecision b =
        new BanDecision(
            jail,
            fid,
            ip,
            shared.clock().instant(),
            remaining == null ? Duration.ofSeconds(-1) : remaining,
            1,
            0,
            List.of());
    if (shared.bans().add(b)) {
      r.adopted(b);
    }
    return true;
  }

  /** A lifted ban's element is gone from the kernel: the unban need not be remembered. */
  @Override
  public void removed(String jail, IpAddress ip) {
    String fid = ip.toString();
    long token = shared.bans().lifted().token(jail, fid);
    if (token != 0 && shared.bans().lifted().confirmed(jail, fid, token, System.nanoTime())) {
      shared.store().write(s -> s.forgetLifted(jail, fid));
    }
  }

  /**
   * The addresses of this host as the firewall sees them (its network namespace's when it runs in
   * one), for the guard of {@code ban}.
   */
  List<IpAddress> hostAddresses() {
    List<IpAddress> out = new ArrayList<>();
    if (settings.netns() == null) {
      try {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            IpAddress ip = IpAddress.parseOrNull(a.getHostAddress().replaceFirst("%.*$", ""));
            if (ip != null) {
              out.add(ip);
            }
          }
        }
      } catch (IOException e) {
        log.warning("cannot list this host's addresses: " + e.getMessage());
      }
      return out;
    }
    try {
      ProcessRunner.Result r =
          new ProcessRunner(commandPrefix(), Duration.ofSeconds(10))
              .run(List.of("ip", "-o", "addr", "show"), null);
      for (String line : r.output().split("\n")) {
        String[] f = line.trim().split("\\s+");
        for (int i = 0; i + 1 < f.length; i++) {
          if (f[i].equals("inet") || f[i].equals("inet6")) {
            IpAddress ip = IpAddress.parseOrNull(f[i + 1].replaceFirst("/.*$", ""));
            if (ip != null) {
              out.add(ip);
            }
          }
        }
      }
    } catch (IOException e) {
      log.warning(
          "cannot list the addresses of network namespace "
              + settings.netns()
              + ": "
              + e.getMessage());
    }
    return out;
  }

  /** For status: per backend, changes applied since start and what is wrong now. */
  synchronized Map<String, Replies.FirewallStatus> status() {
    Map<String, Replies.FirewallStatus> out = new LinkedHashMap<>();
    backends
        .values()
        .forEach(
            fw -> out.put(fw.name(), new Replies.FirewallStatus(fw.applied(), fw.lastError())));
    return out;
  }

  /** How many times a reconcile found the kernel differing from the bans and repaired it. */
  long repairs() {
    return repairs.get();
  }

  /** Stops reconciling. */
  void stopReconciling() throws InterruptedException {
    if (reconciler != null) {
      reconciler.stop(Duration.ofSeconds(30));
    }
  }

  /** Applies what is queued and stops; the kernel keeps the sets and their timeouts. */
  synchronized void close() {
    backends.values().forEach(FirewallBackend::close);
  }
}
