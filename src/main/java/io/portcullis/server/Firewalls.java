package io.portcullis.server;

import io.portcullis.action.FirewallBackend;
import io.portcullis.action.FirewallKind;
import io.portcullis.action.IpsetBackend;
import io.portcullis.action.NftablesBackend;
import io.portcullis.config.ServerSettings;
import io.portcullis.control.Replies;
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

  /**
   * Creates the sets and rules of every backend in use (keeping what they hold), settles what the
   * kernel holds against the bans in force (adopting or removing what they do not explain), and
   * starts the reconcile worker. Call after the stored bans are on the ban list.
   */
  synchronized void start() {
    boolean settled = true;
    for (FirewallBackend fw : backends.values()) {
      try {
        fw.start();
        log.notice(
            "Firewall ("
                + fw.name()
                + "): sets and rules in place"
                + (fw.conntrack()
                    ? ""
                    : "; conntrack tool missing: ongoing UDP flows of banned addresses are not cut"));
        // what is missing is being restored by the actions: only the strays are settled here
        String drift = fw.reconcile(this::inForce, this, /* addMissing= */ false);
        if (!drift.isEmpty()) {
          log.warning("Firewall (" + fw.name() + ") at start: " + drift);
        }
      } catch (IOException | RuntimeException e) {
        settled = false;
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
    if (settled && !backends.isEmpty()) {
      shared.feeds().retired().forget(log::warning);
    }
    if (!backends.isEmpty()) {
      reconciler =
          Worker.named("reconcile")
              .every(settings::reconcile, this::reconcile)
              .errors(m -> log.error("Firewall reconcile: " + m))
              .start();
    }
  }

  private void reconcile() {
    long began = System.nanoTime();
    boolean settled = true;
    for (FirewallBackend fw : List.copyOf(backends.values())) {
      try {
        String drift = fw.reconcile(this::inForce, this, /* addMissing= */ true);
        if (!drift.isEmpty()) {
          repairs.incrementAndGet();
          log.warning("Firewall drift (" + fw.name() + "): " + drift);
        }
      } catch (IOException | RuntimeException e) {
        settled = false;
        log.error("Firewall reconcile (" + fw.name() + ") failed: " + e.getMessage());
      }
    }
    if (settled) {
      shared.feeds().retired().forget(log::warning);
    }
    shared.bans().lifted().forgetConfirmedBefore(began);
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
