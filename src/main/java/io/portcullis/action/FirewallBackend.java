package io.portcullis.action;

import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Bans in the kernel, shared by every jail: one set per jail and family, each element with its
 * remaining ban time as a kernel timeout, so bans end even while the daemon is down.
 *
 * <p>Design note: changes are queued and applied in batches by one thread (one kernel transaction
 * for a burst; it lingers a few milliseconds while a burst grows); conntrack entries of newly
 * banned addresses are deleted on another thread, off that path; {@link #reconcile} compares the
 * kernel with the bans in force and repairs it. Subclasses speak the kernel's dialect: nftables, or
 * ipset with iptables.
 */
public abstract class FirewallBackend implements AutoCloseable {
  /** A jail's firewall settings: which traffic of a banned address to drop. */
  public record JailRule(String jail, String ports, String protocol, boolean reject) {}

  /** One change to a set; {@code cut}: delete the address's conntrack entries. */
  protected record Change(boolean add, String jail, IpAddress ip, Duration timeout, boolean cut) {}

  private static final Duration LINGER = Duration.ofMillis(25);
  private static final int MAX_BATCH = 50_000;
  private static final Duration CONNTRACK_LINGER = Duration.ofMillis(250);

  protected final ProcessRunner commands;
  protected final Clock clock;
  protected final Consumer<String> log;
  protected final Map<String, JailRule> jails = new LinkedHashMap<>();
  private final BlockingQueue<Change> queue = new LinkedBlockingQueue<>();
  private final BlockingQueue<IpAddress> conntrackQueue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private final Thread conntrackWorker;
  private final boolean conntrack;
  private volatile boolean running = true;
  private volatile String lastError;
  private final java.util.concurrent.atomic.AtomicLong applied =
      new java.util.concurrent.atomic.AtomicLong();

  protected FirewallBackend(
      ProcessRunner commands, Clock clock, Consumer<String> log, String name) {
    this.commands = commands;
    this.clock = clock;
    this.log = log;
    this.conntrack = commands.available("conntrack");
    this.worker = new Thread(this::loop, name + "-batch");
    this.worker.setDaemon(true);
    this.conntrackWorker = new Thread(this::conntrackLoop, "conntrack");
    this.conntrackWorker.setDaemon(true);
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

  /** Registers a jail; call before {@link #start}. */
  public synchronized void addJail(JailRule rule) {
    jails.put(rule.jail(), rule);
  }

  public synchronized void start() throws IOException {
    create();
    worker.start();
    if (conntrack) {
      conntrackWorker.start();
    }
  }

  public void ban(String jail, IpAddress ip, Duration remaining) {
    queue.add(new Change(true, jail, ip, remaining, true));
  }

  /**
   * Puts a stored ban back (at start, or repairing): no connections to cut, they are from before.
   */
  public void restore(String jail, IpAddress ip, Duration remaining) {
    queue.add(new Change(true, jail, ip, remaining, false));
  }

  public void unban(String jail, IpAddress ip) {
    queue.add(new Change(false, jail, ip, null, false));
  }

  /** Waits until every change queued so far has been handed to the kernel. */
  public void awaitQueue(Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!queue.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(2);
    }
  }

  private void loop() {
    List<Change> batch = new ArrayList<>();
    while (running) {
      try {
        Change first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        // a lone ban goes at once; a burst (a flood, a restore) that keeps coming is waited for
        // a little while it grows
        long lingerUntil = System.nanoTime() + LINGER.toNanos();
        int seen = queue.size();
        while (seen > 0 && System.nanoTime() < lingerUntil && batch.size() + seen < MAX_BATCH) {
          Thread.sleep(1);
          int now = queue.size();
          if (now == seen) {
            break;
          }
          seen = now;
        }
        queue.drainTo(batch, MAX_BATCH);
        try {
          apply(batch);
          applied.addAndGet(batch.size());
          lastError = null;
          if (conntrack) {
            for (Change c : batch) {
              if (c.add() && c.cut()) {
                conntrackQueue.add(c.ip());
              }
            }
          }
        } catch (IOException e) {
          lastError = e.getMessage();
          log.accept(
              name() + ": a batch of " + batch.size() + " change(s) failed: " + e.getMessage());
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.accept(name() + ": " + e);
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Deletes the conntrack entries of newly banned addresses: an ongoing UDP flow (SIP) would
   * otherwise keep its entry, and conntrack-based rules elsewhere would keep letting it through.
   */
  private void conntrackLoop() {
    while (running) {
      IpAddress first;
      try {
        first = conntrackQueue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (first == null) {
        continue;
      }
      List<IpAddress> pending = new ArrayList<>(List.of(first));
      conntrackQueue.drainTo(pending);
      if (pending.size() > 3) {
        // a flood: its bans are already in force (the drop comes before conntrack); collect a
        // little longer so that the table is listed a few times a second, not after every batch
        try {
          Thread.sleep(CONNTRACK_LINGER.toMillis());
        } catch (InterruptedException e) {
          return;
        }
        conntrackQueue.drainTo(pending);
      }
      try {
        cutConnections(pending);
      } catch (IOException e) {
        log.accept("conntrack: " + e.getMessage());
      }
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
    Map<String, Set<String>> inKernel = inPlace() ? list() : null;
    if (inKernel == null) {
      create();
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

  /** The ports part of a rule, validated: null for all ports. */
  protected static String ports(JailRule j) {
    String ports = j.ports() == null ? "" : j.ports().strip();
    if (ports.isEmpty() || ports.equals("0:65535") || ports.equals("all")) {
      return null;
    }
    if (!ports.matches("[0-9a-z:,\\- ]+")) {
      throw new IllegalArgumentException(
          "jail "
              + j.jail()
              + ": port '"
              + ports
              + "' is not valid (try port = 5060,5061 or 1000-2000)");
    }
    return ports.replace(" ", "");
  }

  /** The protocols of a rule, validated. */
  protected static List<String> protocols(JailRule j) {
    String p = j.protocol() == null || j.protocol().isBlank() ? "tcp,udp" : j.protocol();
    if (!p.matches("[a-z, ]+")) {
      throw new IllegalArgumentException(
          "jail " + j.jail() + ": protocol '" + p + "' is not valid (try tcp, udp or tcp,udp)");
    }
    return List.of(p.replace(" ", "").split(","));
  }

  @Override
  public void close() {
    try {
      awaitQueue(Duration.ofSeconds(10));
      running = false;
      worker.interrupt();
      worker.join(5_000);
      conntrackWorker.interrupt();
      conntrackWorker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
