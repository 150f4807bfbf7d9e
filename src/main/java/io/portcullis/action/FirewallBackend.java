package io.portcullis.action;

import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import io.portcullis.worker.Worker;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Bans in the kernel, shared by every jail: one set per jail and family, each element with its
 * remaining ban time as a kernel timeout, so bans end even while the daemon is down.
 *
 * <p>Design note: changes are queued and applied in batches by one worker ({@code nft-batch}: one
 * kernel transaction for a burst; it lingers a few milliseconds while a burst grows); conntrack
 * entries of newly banned addresses are deleted by another, off that path; {@link #reconcile}
 * compares the kernel with the bans in force and repairs it. The batch worker runs whether or not
 * the sets could be created at start: while they are missing it tries to create them before each
 * batch, and a batch that finds them missing is counted and left to the next reconcile, which
 * creates the sets and puts every ban in force back. Subclasses speak the kernel's dialect:
 * nftables, or ipset with iptables.
 */
public abstract class FirewallBackend implements AutoCloseable {
  /**
   * A jail's firewall rule: which traffic of a banned address to drop.
   *
   * @param ports empty for every port
   */
  public record JailRule(String jail, List<Port> ports, List<Protocol> protocols, boolean reject) {
    public JailRule {
      ports = List.copyOf(ports);
      protocols = List.copyOf(protocols);
      if (protocols.isEmpty()) {
        throw new IllegalArgumentException("a rule needs at least one protocol");
      }
    }
  }

  /** One change to a set; {@code cut}: delete the address's conntrack entries. */
  protected record Change(boolean add, String jail, IpAddress ip, Duration timeout, boolean cut) {}

  private static final Duration LINGER = Duration.ofMillis(25);
  private static final int MAX_BATCH = 50_000;
  private static final int CAPACITY = 1 << 18;
  private static final Duration CONNTRACK_LINGER = Duration.ofMillis(250);

  protected final ProcessRunner commands;
  protected final Clock clock;
  protected final Consumer<String> log;
  protected final Map<String, JailRule> jails = new LinkedHashMap<>();
  private final Worker<Change> batches;
  private final Worker<IpAddress> conntrackWorker;
  private final Set<IpAddress> conntrackPending = new LinkedHashSet<>();
  private final boolean conntrack;
  private volatile boolean created;
  private volatile String lastError;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong notApplied = new AtomicLong();
  private volatile java.util.function.BiConsumer<String, IpAddress> accepted = (jail, ip) -> {};

  protected FirewallBackend(
      ProcessRunner commands, Clock clock, Consumer<String> log, String name) {
    this.commands = commands;
    this.clock = clock;
    this.log = log;
    this.conntrack = commands.available("conntrack");
    this.batches =
        Worker.<Change>named(name + "-batch")
            .capacity(CAPACITY)
            .batches(MAX_BATCH, LINGER, this::applyBatch)
            .errors(m -> log.accept(name() + ": " + m))
            .build();
    this.conntrackWorker =
        Worker.<IpAddress>named("conntrack")
            .capacity(CAPACITY)
            .batches(MAX_BATCH, Duration.ZERO, this::collectConntrack)
            .every(() -> CONNTRACK_LINGER, this::cutPending)
            .errors(m -> log.accept("conntrack: " + m))
            .build();
  }

  /** The backend's name, as in {@code firewall[backend=...]}. */
  public abstract String name();

  /** Creates the sets and rules anew (sets empty). */
  protected abstract void create() throws IOException;

  /** Applies one batch of changes in as few kernel calls as the dialect allows. */
  protected abstract void apply(List<Change> batch) throws IOException;

  /**
   * The elements in the kernel per set key ({@link #setKey}), or null when the sets are missing.
   */
  protected abstract Map<String, Set<String>> list() throws IOException;

  /** Whether the sets and rules exist (for status). */
  public abstract boolean inPlace();

  /** Runs a tool with a script on its input; a failure becomes an IOException with its output. */
  protected void runScript(List<String> command, String script) throws IOException {
    ProcessRunner.Result r = commands.run(command, script);
    if (!r.ok()) {
      throw new IOException(
          String.join(" ", command) + " failed (" + r.exit() + "): " + r.output());
    }
  }

  /** A set's key for a jail and family. */
  protected abstract String setKey(String jail, boolean v4);

  public boolean conntrack() {
    return conntrack;
  }

  public String lastError() {
    return lastError;
  }

  /** How many changes the kernel has accepted since start (a transaction returned success). */
  public long applied() {
    return applied.get();
  }

  /**
   * Tells {@code listener} (on the batch worker; it must not block) each new ban the kernel has
   * accepted: jail and address, once the transaction holding it succeeded.
   */
  public void onAccepted(java.util.function.BiConsumer<String, IpAddress> listener) {
    this.accepted = listener;
  }

  /** Registers a jail; call before {@link #start}. */
  public synchronized void addJail(JailRule rule) {
    jails.put(rule.jail(), rule);
  }

  /**
   * Starts the workers, then creates the sets and rules. When that fails (the exception says why)
   * the workers run anyway: the sets are created as soon as the kernel lets them be.
   */
  public synchronized void start() throws IOException {
    batches.start();
    if (conntrack) {
      conntrackWorker.start();
    }
    create();
    created = true;
  }

  public void ban(String jail, IpAddress ip, Duration remaining) {
    batches.submit(new Change(true, jail, ip, remaining, true));
  }

  /**
   * Puts a stored ban back (at start, or repairing): no connections to cut, they are from before.
   */
  public void restore(String jail, IpAddress ip, Duration remaining) {
    batches.submit(new Change(true, jail, ip, remaining, false));
  }

  public void unban(String jail, IpAddress ip) {
    batches.submit(new Change(false, jail, ip, null, false));
  }

  /** Waits until every change queued so far has been handed to the kernel. */
  public void awaitQueue(Duration limit) throws InterruptedException {
    batches.awaitHandled(limit);
  }

  private void applyBatch(List<Change> batch) {
    if (!created && !createNow()) {
      long n = notApplied.addAndGet(batch.size());
      if (n == batch.size()) {
        log.accept(
            name()
                + ": "
                + batch.size()
                + " change(s) found the sets missing: the next reconcile creates them and puts"
                + " every ban in force back");
      }
      return;
    }
    try {
      apply(batch);
      applied.addAndGet(batch.size());
      lastError = null;
      for (Change c : batch) {
        if (c.add() && c.cut()) {
          accepted.accept(c.jail(), c.ip());
        }
      }
      if (conntrack) {
        for (Change c : batch) {
          if (c.add() && c.cut()) {
            conntrackWorker.submit(c.ip());
          }
        }
      }
    } catch (IOException e) {
      lastError = e.getMessage();
      log.accept(name() + ": a batch of " + batch.size() + " change(s) failed: " + e.getMessage());
    }
  }

  /** Tries to create the sets that could not be created before; true when they now exist. */
  private synchronized boolean createNow() {
    if (created) {
      return true;
    }
    try {
      create();
      created = true;
      notApplied.set(0);
      log.accept(name() + ": sets and rules created");
      return true;
    } catch (IOException | RuntimeException e) {
      lastError = "sets and rules missing: " + e.getMessage();
      return false;
    }
  }

  /**
   * New bans' addresses: one to three go at once; more (a flood, whose bans are in force already:
   * the drop comes before conntrack) are collected for a quarter of a second so that the table is
   * listed a few times a second, not after every batch.
   */
  private void collectConntrack(List<IpAddress> ips) throws IOException {
    if (ips.size() <= 3 && conntrackPending.isEmpty()) {
      cutConnections(ips);
      return;
    }
    conntrackPending.addAll(ips);
  }

  private void cutPending() {
    if (conntrackPending.isEmpty()) {
      return;
    }
    List<IpAddress> pending = new ArrayList<>(conntrackPending);
    conntrackPending.clear();
    try {
      cutConnections(pending);
    } catch (IOException e) {
      log.accept("conntrack: " + e.getMessage());
    }
  }

  /**
   * Deletes the entries of the given addresses. One address: one {@code conntrack -D}. A flood: the
   * table is listed once per family and only addresses that have entries are deleted, rather than
   * ten thousand processes for entries that mostly do not exist.
   */
  private void cutConnections(List<IpAddress> ips) throws IOException {
    if (ips.size() <= 3) {
      for (IpAddress ip : ips) {
        // exit 1 means "no entry": nothing to cut
        commands.run(List.of("conntrack", "-D", "-s", ip.toString()), null);
      }
      return;
    }
    Set<String> wanted = new HashSet<>();
    for (IpAddress ip : ips) {
      wanted.add(ip.toString());
    }
    Set<String> present = new HashSet<>();
    for (String family : List.of("ipv4", "ipv6")) {
      ProcessRunner.Result r = commands.run(List.of("conntrack", "-L", "-f", family), null);
      for (String line : r.output().split("\n")) {
        int at = line.indexOf("src=");
        if (at < 0) {
          continue;
        }
        int end = line.indexOf(' ', at);
        IpAddress src =
            IpAddress.parseOrNull(line.substring(at + 4, end < 0 ? line.length() : end));
        if (src != null && wanted.contains(src.toString())) {
          present.add(src.toString());
        }
      }
    }
    for (String ip : present) {
      commands.run(List.of("conntrack", "-D", "-s", ip), null);
    }
  }

  /**
   * Compares the kernel with the bans in force and repairs it: re-creates missing sets and fills
   * them, adds missing elements, removes stray ones. Returns what was wrong, or "" if nothing.
   */
  public synchronized String reconcile(Supplier<List<BanDecision>> active) throws IOException {
    Instant now = clock.instant();
    // sets without their rules (somebody flushed iptables' raw table) let traffic through too
    Map<String, Set<String>> inKernel = created && inPlace() ? list() : null;
    if (inKernel == null) {
      create();
      created = true;
      int n = 0;
      for (BanDecision b : active.get()) {
        if (b.ip() != null && jails.containsKey(b.jail())) {
          restore(b.jail(), b.ip(), b.end() == null ? null : Duration.between(now, b.end()));
          n++;
        }
      }
      return name() + " sets or rules were missing: re-created with " + n + " ban(s)";
    }
    Set<String> expected = new HashSet<>();
    int missing = 0;
    for (BanDecision b : active.get()) {
      if (b.ip() == null || !jails.containsKey(b.jail())) {
        continue;
      }
      String key = setKey(b.jail(), b.ip().isV4());
      expected.add(key + " " + b.ip());
      if (!inKernel.getOrDefault(key, Set.of()).contains(b.ip().toString())) {
        restore(b.jail(), b.ip(), b.end() == null ? null : Duration.between(now, b.end()));
        missing++;
      }
    }
    int stray = 0;
    for (Map.Entry<String, Set<String>> e : inKernel.entrySet()) {
      String jail = jailOf(e.getKey());
      for (String el : e.getValue()) {
        IpAddress ip = IpAddress.parseOrNull(el);
        if (jail != null && ip != null && !expected.contains(e.getKey() + " " + el)) {
          unban(jail, ip);
          stray++;
        }
      }
    }
    return missing + stray == 0
        ? ""
        : missing + " ban(s) missing from the kernel and " + stray + " stray element(s): repaired";
  }

  private String jailOf(String key) {
    for (String j : jails.keySet()) {
      if (setKey(j, true).equals(key) || setKey(j, false).equals(key)) {
        return j;
      }
    }
    return null;
  }

  /** Applies what is queued (up to 10 s), then stops the workers. */
  @Override
  public void close() {
    try {
      awaitQueue(Duration.ofSeconds(10));
      batches.stop(Duration.ofSeconds(5));
      conntrackWorker.stop(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
