package io.portcullis.server;

import io.portcullis.action.FirewallBackend;
import io.portcullis.action.FirewallKind;
import io.portcullis.action.IpsetBackend;
import io.portcullis.action.NftablesBackend;
import io.portcullis.config.ServerSettings;
import io.portcullis.control.Replies;
import io.portcullis.jail.BanDecision;
import io.portcullis.plan.ActionRuntime;
import io.portcullis.process.ProcessRunner;
import io.portcullis.worker.Worker;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the server gives the actions it creates ({@link ActionRuntime}), and the kernel firewalls
 * they share: created when the first jail asks, started after every jail has registered its rule,
 * and compared with the bans in force every {@code reconcileinterval} ({@code reconcile} worker).
 */
final class Firewalls implements ActionRuntime {
  private final ServerSettings settings;
  private final Clock clock;
  private final ServerLog log;
  private final Supplier<List<BanDecision>> inForce;
  private final java.util.function.BiConsumer<String, io.portcullis.net.IpAddress> accepted;
  private final java.util.concurrent.atomic.AtomicLong repairs =
      new java.util.concurrent.atomic.AtomicLong();
  private final Map<FirewallKind, FirewallBackend> backends = new LinkedHashMap<>();
  private Worker<Object> reconciler;

  /** {@code accepted}: told each new ban the kernel took (jail, address), on a batch worker. */
  Firewalls(
      ServerSettings settings,
      Clock clock,
      ServerLog log,
      Supplier<List<BanDecision>> inForce,
      java.util.function.BiConsumer<String, io.portcullis.net.IpAddress> accepted) {
    this.settings = settings;
    this.clock = clock;
    this.log = log;
    this.inForce = inForce;
    this.accepted = accepted;
  }

  @Override
  public Clock clock() {
    return clock;
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

  @Override
  public synchronized FirewallBackend firewall(FirewallKind kind) {
    return backends.computeIfAbsent(
        kind,
        k -> {
          ProcessRunner runner = new ProcessRunner(commandPrefix(), Duration.ofSeconds(30));
          FirewallBackend fw =
              switch (k) {
                case NFTABLES -> new NftablesBackend(runner, clock, log::error);
                case IPSET -> new IpsetBackend(runner, clock, log::error);
              };
          fw.onAccepted(accepted);
          return fw;
        });
  }

  /** Creates the sets and rules of every backend in use, and starts the reconcile worker. */
  synchronized void start() {
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
    if (!backends.isEmpty()) {
      reconciler =
          Worker.named("reconcile")
              .every(settings::reconcile, this::reconcile)
              .errors(m -> log.error("Firewall reconcile: " + m))
              .start();
    }
  }

  private void reconcile() {
    for (FirewallBackend fw : List.copyOf(backends.values())) {
      try {
        String drift = fw.reconcile(inForce);
        if (!drift.isEmpty()) {
          repairs.incrementAndGet();
          log.warning("Firewall drift (" + fw.name() + "): " + drift);
        }
      } catch (IOException | RuntimeException e) {
        log.error("Firewall reconcile (" + fw.name() + ") failed: " + e.getMessage());
      }
    }
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
