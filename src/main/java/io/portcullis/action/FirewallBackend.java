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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Bans in the kernel, shared by every jail: one set per jail and family, each element with its
 * remaining ban time as a kernel timeout, so bans end even while the daemon is down.
 *
 * <p>Design note: changes are queued and applied in batches by one worker ({@code nft-batch}: one
 * kernel transaction for a burst; it lingers a few milliseconds while a burst grows); each change
 * says when the kernel took it (its future), so that a command can answer honestly. Conntrack
 * entries of newly banned addresses are deleted by another worker, off that path. The batch worker
 * runs whether or not the sets could be created at start: while they are missing it tries to create
 * them before each batch; a batch that fails because somebody removed the sets (a flushed ruleset)
 * re-creates them at once with every ban in force ({@link #inForce}) and is applied again. {@link
 * #reconcile} compares the kernel with the bans in force and repairs it: what is missing is added,
 * and an element no ban explains is removed only if it was unbanned; otherwise it is adopted as a
 * ban ({@link Strays}), since it may be a ban the store had not written when the server died.
 * Creating the sets never empties them. Subclasses speak the kernel's dialect: nftables, or ipset
 * with iptables.
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

  /** What a change does to a jail's sets. */
  protected enum Op {
    ADD,
    DELETE,
    /** Empties the jail's sets ({@code ip} is null). */
    FLUSH
  }

  /**
   * One change to a jail's sets; {@code cut}: delete the address's conntrack entries; {@code done}
   * completes when the kernel took the change, or fails with the reason (null: nobody waits).
   */
  protected record Change(
      Op op,
      String jail,
      IpAddress ip,
      Duration timeout,
      boolean cut,
      CompletableFuture<Void> done) {
    public boolean add() {
      return op == Op.ADD;
    }
  }

  /** An element of a set in the kernel; {@code remaining} null when it has no timeout. */
  protected record Element(IpAddress ip, Duration remaining) {}

  /** What to do with an element of a jail's set that no ban in force explains. */
  public interface Strays {
    /**
     * Returns true to keep the element (it was adopted as a ban in force, or is left alone), false
     * to remove it (it was unbanned).
     *
     * @param remaining the element's kernel timeout left, null for none
     */
    boolean adopt(String jail, IpAddress ip, Duration remaining);

    /** The kernel removed a stray element this reconcile asked to remove. */
    default void removed(String jail, IpAddress ip) {}
  }

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

  /** Jails whose sets hold a blocklist feed's entries ({@link #carriesFeed}). */
  private final Set<String> fed = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final AtomicLong notApplied = new AtomicLong();
  private volatile java.util.function.BiConsumer<String, IpAddress> accepted = (jail, ip) -> {};
  private volatile Supplier<List<BanDecision>> inForce = List::of;

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
   * The elements in the kernel per set key ({@link #setKey}) with their time left, or null when the
   * sets are missing.
   */
  protected abstract Map<String, List<Element>> list() throws IOException;

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

  /**
   * Addresses and networks of a jail (its ignoreip) that a network ban must never drop; call before
   * {@link #start}. Does nothing where {@link #exemptsInsideNetworks} is false.
   */
  public void exempt(String jail, List<IpAddress> always) {}

  /**
   * The jail's ignore list changed at run time ({@code set addignoreip}, {@code delignoreip}):
   * replaces what {@link #exempt} registered and, once the sets exist, puts it in the kernel before
   * returning. Does nothing where {@link #exemptsInsideNetworks} is false. Runs a kernel call: not
   * on a jail thread.
   */
  public void exemptNow(String jail, List<IpAddress> always) throws IOException {}

  /**
   * The addresses of the fleet's trusted nodes ({@code [fleet] trust}): every jail's shields (rate
   * limits, country rules, network bans) let them through, as they do the jail's ignoreip; a ban of
   * the address itself still applies. Call before {@link #start}. Does nothing where {@link
   * #exemptsInsideNetworks} is false.
   */
  public void peers(List<IpAddress> peers) {}

  /**
   * Replaces what {@link #peers} registered and, once the sets exist, puts it in the kernel before
   * returning. Runs a kernel call: not on a jail thread.
   */
  public void peersNow(List<IpAddress> peers) throws IOException {}

  /**
   * A jail's per-source rate limits ({@code ratelimit}); call before {@link #start}. Does nothing
   * where {@link #supportsRateLimits} is false.
   */
  public void rateLimit(String jail, io.portcullis.shield.RateLimit limit) {}

  /**
   * Registers a jail's country rule and its networks, before {@link #start}; does nothing where
   * {@link #supportsCountries} is false.
   */
  public void countries(String jail, io.portcullis.geo.CountryShield shield) {}

  /**
   * Replaces the networks of a jail's country rule in the kernel (a new database) in one
   * transaction. Runs a kernel call: not on a jail thread.
   */
  public void countriesNow(String jail, io.portcullis.geo.CountryShield shield)
      throws IOException {}

  /** Whether {@link #countries} is applied in the kernel; where not, the server says so. */
  public boolean supportsCountries() {
    return false;
  }

  /** Whether {@link #rateLimit} is applied in the kernel; where not, the server says so. */
  public boolean supportsRateLimits() {
    return false;
  }

  /**
   * Sources (IPv4 addresses, IPv6 /64) a jail's rate limits hold back now (over a limit within its
   * period), or an empty list where rate limits are not supported or none is set.
   */
  public List<IpAddress> limitedNow(String jail) throws IOException {
    return List.of();
  }

  /** Whether {@link #start} (or a later try) created the sets. */
  protected boolean created() {
    return created;
  }

  /**
   * An address allowed after a success until {@code until}: a network ban must not drop it. Does
   * nothing where {@link #exemptsInsideNetworks} is false. Runs a kernel call: not on a jail
   * thread.
   */
  public void allow(String jail, IpAddress ip, Instant until) throws IOException {}

  /**
   * An address no longer allowed (the admin's {@code delallow}, or trust withdrawn after failures):
   * a network ban drops it again. Does nothing where {@link #exemptsInsideNetworks} is false. Runs
   * a kernel call: not on a jail thread.
   */
  public void disallow(String jail, IpAddress ip) throws IOException {}

  /**
   * Whether ignored and allowed addresses inside a banned network get through (nftables: an
   * exemption checked before the network's drop); where not, the server says so at start.
   */
  public boolean exemptsInsideNetworks() {
    return false;
  }

  /** Registers a jail; call before {@link #start}. */
  public synchronized void addJail(JailRule rule) {
    jails.put(rule.jail(), rule);
  }

  /** The bans in force, put back at once when a batch finds the sets gone (default: none known). */
  public void inForce(Supplier<List<BanDecision>> bans) {
    this.inForce = bans;
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

  /** Bans an address; the future completes when the kernel took it, or fails saying why not. */
  public CompletableFuture<Void> ban(String jail, IpAddress ip, Duration remaining) {
    return submit(new Change(Op.ADD, jail, ip, remaining, true, new CompletableFuture<>()));
  }

  /**
   * Puts a stored ban back (at start, or repairing): no connections to cut, they are from before.
   */
  public CompletableFuture<Void> restore(String jail, IpAddress ip, Duration remaining) {
    return submit(new Change(Op.ADD, jail, ip, remaining, false, new CompletableFuture<>()));
  }

  /**
   * Puts many stored bans of a jail back (a start): one future for all of them, completed when the
   * kernel took the last, or failed at the first refusal; rather than a future per ban and a tree
   * of 100,000 joined by {@code allOf}.
   *
   * @param remaining each ban's time left (null: no timeout), in the order of {@code ips}
   */
  public CompletableFuture<Void> restoreAll(
      String jail, List<IpAddress> ips, List<Duration> remaining) {
    Countdown all = new Countdown(ips.size());
    for (int i = 0; i < ips.size(); i++) {
      if (!batches.submit(new Change(Op.ADD, jail, ips.get(i), remaining.get(i), false, all))) {
        all.completeExceptionally(new IOException(name() + " is stopped"));
        break;
      }
    }
    return all;
  }

  /**
   * A future shared by many changes: each change's completion counts one down, the last completes
   * it; a failure fails it at once.
   */
  private static final class Countdown extends CompletableFuture<Void> {
    private final java.util.concurrent.atomic.AtomicInteger left;

    Countdown(int count) {
      left = new java.util.concurrent.atomic.AtomicInteger(count);
      if (count == 0) {
        super.complete(null);
      }
    }

    @Override
    public boolean complete(Void value) {
      return left.decrementAndGet() == 0 && super.complete(value);
    }
  }

  public CompletableFuture<Void> unban(String jail, IpAddress ip) {
    return submit(new Change(Op.DELETE, jail, ip, null, false, new CompletableFuture<>()));
  }

  /**
   * Whether a blocklist feed has put entries into the jail's sets: then {@code unban --all} lifts
   * the bans one by one instead of emptying the sets, which would drop the feed's entries too.
   */
  public boolean carriesFeed(String jail) {
    return fed.contains(jail);
  }

  /** Empties a jail's sets ({@code unban --all}): one statement instead of one per ban. */
  public CompletableFuture<Void> flush(String jail) {
    return submit(new Change(Op.FLUSH, jail, null, null, false, new CompletableFuture<>()));
  }

  private CompletableFuture<Void> submit(Change c) {
    if (!batches.submit(c)) {
      c.done().completeExceptionally(new IOException(name() + " is stopped"));
    }
    return c.done();
  }

  /**
   * Replaces a blocklist feed's part of a jail's sets in one kernel transaction, on the caller's
   * thread: {@code remove} leave, {@code refresh} are put back with a fresh {@code timeout}
   * (removed and added, since an add of an element that is there does not renew its timeout on
   * every kernel), {@code add} join. Returns when the kernel took it.
   *
   * @throws IOException the kernel refused the transaction (nothing of it applies) or the sets are
   *     missing
   */
  public void replaceFeed(
      String jail,
      java.util.Collection<IpAddress> remove,
      java.util.Collection<IpAddress> refresh,
      java.util.Collection<IpAddress> add,
      Duration timeout)
      throws IOException {
    if (!created && !createNow()) {
      throw new IOException(lastError);
    }
    if (!refresh.isEmpty() || !add.isEmpty()) {
      fed.add(jail);
    }
    List<Change> batch = new ArrayList<>(remove.size() + 2 * refresh.size() + add.size());
    for (IpAddress ip : remove) {
      batch.add(new Change(Op.DELETE, jail, ip, null, false, null));
    }
    for (IpAddress ip : refresh) {
      batch.add(new Change(Op.DELETE, jail, ip, null, false, null));
    }
    for (IpAddress ip : refresh) {
      batch.add(new Change(Op.ADD, jail, ip, timeout, false, null));
    }
    for (IpAddress ip : add) {
      batch.add(new Change(Op.ADD, jail, ip, timeout, false, null));
    }
    if (batch.isEmpty()) {
      return;
    }
    apply(batch);
    applied.addAndGet(batch.size());
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
      fail(batch, lastError);
      return;
    }
    try {
      apply(batch);
    } catch (IOException e) {
      if (!repairAndApply(batch, e)) {
        return;
      }
    }
    applied.addAndGet(batch.size());
    lastError = null;
    for (Change c : batch) {
      if (c.add() && c.cut()) {
        accepted.accept(c.jail(), c.ip());
      }
      if (c.done() != null) {
        c.done().complete(null);
      }
    }
    if (conntrack) {
      for (Change c : batch) {
        if (c.add() && c.cut()) {
          conntrackWorker.submit(c.ip());
        }
      }
    }
  }

  /**
   * A batch failed. If the sets or rules are gone (a flushed ruleset, a firewall restart), they are
   * created again with every ban in force and the batch is applied once more, rather than leaving
   * the kernel open until the next reconcile. Returns whether the batch is now applied.
   */
  private boolean repairAndApply(List<Change> batch, IOException failure) {
    String why = failure.getMessage();
    if (!inPlace()) {
      try {
        synchronized (this) {
          create();
          apply(restores(inForce.get()));
          apply(batch);
        }
        log.accept(
            name()
                + ": the sets or rules were gone ("
                + why
                + "): created again with every ban in force");
        return true;
      } catch (IOException | RuntimeException e) {
        why = why + "; creating the sets again failed too: " + e.getMessage();
      }
    }
    lastError = why;
    log.accept(name() + ": a batch of " + batch.size() + " change(s) failed: " + why);
    fail(batch, why);
    return false;
  }

  private List<Change> restores(List<BanDecision> bans) {
    Instant now = clock.instant();
    List<Change> out = new ArrayList<>();
    for (BanDecision b : bans) {
      if (b.ip() != null
          && jails.containsKey(b.jail())
          && (b.end() == null || b.end().isAfter(now))) {
        out.add(
            new Change(
                Op.ADD,
                b.jail(),
                b.ip(),
                b.end() == null ? null : Duration.between(now, b.end()),
                false,
                null));
      }
    }
    return out;
  }

  private void fail(List<Change> batch, String why) {
    IOException e = new IOException(why == null ? name() + ": the change failed" : why);
    for (Change c : batch) {
      if (c.done() != null) {
        c.done().completeExceptionally(e);
      }
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
   * Compares the kernel with the bans in force and repairs it: re-creates missing sets and rules
   * and fills them, adds missing elements (unless {@code addMissing} is false: at start the bans
   * are being restored anyway), and asks {@code strays} about each element no ban explains: removed
   * if it was unbanned, else adopted. Returns what was wrong, or "" if nothing.
   */
  public synchronized String reconcile(
      Supplier<List<BanDecision>> active, Strays strays, boolean addMissing) throws IOException {
    Instant now = clock.instant();
    // sets without their rules (somebody flushed iptables' raw table) let traffic through too
    boolean whole = inPlace();
    Map<String, List<Element>> inKernel = created && whole ? list() : null;
    if (inKernel == null) {
      // elements still there (rules gone, sets kept) are not lost: creating never empties a set
      Map<String, List<Element>> before = list();
      create();
      created = true;
      int n = 0;
      for (BanDecision b : active.get()) {
        if (b.ip() != null && jails.containsKey(b.jail())) {
          restore(b.jail(), b.ip(), b.end() == null ? null : Duration.between(now, b.end()));
          n++;
        }
      }
      String kept = before == null ? "" : strays(before, active.get(), strays);
      return name()
          + " sets or rules were missing: re-created with "
          + n
          + " ban(s)"
          + (kept.isEmpty() ? "" : "; " + kept);
    }
    // the bans in force are read after the kernel was listed: a ban decided meanwhile is at worst
    // added twice, and an unban meanwhile is known to the strays, never adopted
    List<BanDecision> bans = active.get();
    int missing = 0;
    if (addMissing) {
      Set<InSet> present = new HashSet<>();
      Map<String, String> keys = new LinkedHashMap<>();
      inKernel.forEach((key, els) -> els.forEach(e -> present.add(new InSet(key, e.ip()))));
      for (BanDecision b : bans) {
        if (b.ip() == null || !jails.containsKey(b.jail())) {
          continue;
        }
        if (b.end() != null && !b.end().isAfter(now)) {
          continue;
        }
        String key =
            keys.computeIfAbsent(
                b.jail() + (b.ip().isV4() ? " 4" : " 6"), k -> setKey(b.jail(), b.ip().isV4()));
        if (!present.contains(new InSet(key, b.ip()))) {
          restore(b.jail(), b.ip(), b.end() == null ? null : Duration.between(now, b.end()));
          missing++;
        }
      }
    }
    String stray = strays(inKernel, bans, strays);
    if (missing == 0 && stray.isEmpty()) {
      return "";
    }
    return (missing > 0 ? missing + " ban(s) missing from the kernel: added" : "")
        + (missing > 0 && !stray.isEmpty() ? "; " : "")
        + stray;
  }

  /** An element of a set (by its key): compared without making a string of each address. */
  private record InSet(String key, IpAddress ip) {}

  /** Adopts or removes the elements no ban explains; says what it did ("" for nothing). */
  private String strays(
      Map<String, List<Element>> inKernel, List<BanDecision> bans, Strays strays) {
    Set<InSet> expected = new HashSet<>();
    Map<String, String> keys = new LinkedHashMap<>();
    for (BanDecision b : bans) {
      if (b.ip() != null && jails.containsKey(b.jail())) {
        String key =
            keys.computeIfAbsent(
                b.jail() + (b.ip().isV4() ? " 4" : " 6"), k -> setKey(b.jail(), b.ip().isV4()));
        expected.add(new InSet(key, b.ip()));
      }
    }
    int adopted = 0;
    int removed = 0;
    for (Map.Entry<String, List<Element>> e : inKernel.entrySet()) {
      String jail = jailOf(e.getKey());
      if (jail == null) {
        continue;
      }
      for (Element el : e.getValue()) {
        if (expected.contains(new InSet(e.getKey(), el.ip()))) {
          continue;
        }
        if (strays.adopt(jail, el.ip(), el.remaining())) {
          adopted++;
        } else {
          IpAddress ip = el.ip();
          unban(jail, ip).thenRun(() -> strays.removed(jail, ip));
          removed++;
        }
      }
    }
    List<String> said = new ArrayList<>();
    if (adopted > 0) {
      said.add(adopted + " element(s) no ban in force explained: adopted as bans");
    }
    if (removed > 0) {
      said.add(removed + " element(s) of lifted bans or of feeds no longer configured: removed");
    }
    return String.join("; ", said);
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
