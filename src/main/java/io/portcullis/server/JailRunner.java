package io.portcullis.server;

import io.portcullis.action.FirewallAction;
import io.portcullis.ban.AddressEvent;
import io.portcullis.ban.Evidence;
import io.portcullis.config.ByteSizes;
import io.portcullis.config.Durations;
import io.portcullis.control.JailControl;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import io.portcullis.jail.AccountAlert;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.Explain;
import io.portcullis.jail.Jail;
import io.portcullis.jail.JailSettings;
import io.portcullis.jail.Notice;
import io.portcullis.jail.Outcome;
import io.portcullis.net.IpAddress;
import io.portcullis.plan.JailPlan;
import io.portcullis.plan.SourcePlan;
import io.portcullis.shield.NetworkEscalation;
import io.portcullis.source.FileTailer;
import io.portcullis.source.JournalSource;
import io.portcullis.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A running jail: its filter, decisions and actions. Its state (the {@link Jail}, the {@link
 * Filter}, the live settings) is confined to one worker thread ({@code jail-<name>}) that takes log
 * blocks, journal entries and commands from a bounded queue: a full queue makes the log reader
 * wait. Commands from other threads go through {@link JailControl} and get snapshots; the settings
 * are published for readers after each change. A failing line or command is logged with the jail's
 * name and the loop goes on.
 */
final class JailRunner {
  private static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(1);
  private static final Duration COMMAND_WAIT = Duration.ofSeconds(30);
  private static final int QUEUE = 1024;

  /**
   * Places of the jail's queue the reader leaves to others (commands, ended bans): below this many
   * free places it stops handing over blocks and only follows its files, instead of waiting in the
   * queue while files are rotated away.
   */
  private static final int QUEUE_KEPT_FREE = 16;

  /**
   * Log blocks handed to the jail's thread and not handled yet may take this many KiB: a log
   * appended to faster than the jail reads (a 100 MB burst) makes its reader wait instead of
   * filling the heap with blocks; 8 blocks ahead keep the jail's thread busy.
   */
  private static final int BLOCKS_IN_FLIGHT_KB = 8 << 10;

  /** A file seen for the first time is read from this far before its end (findtime, roughly). */
  private static final long START_BACK_BYTES = 8L << 20;

  private final JailPlan plan;
  private final Jail jail;
  private final Filter filter;
  private final List<ActionSlot> actions;
  private final NetworkEscalation networks;
  private final Shared shared;
  private final Worker<Runnable> worker;
  private final Semaphore blocksInFlight = new Semaphore(BLOCKS_IN_FLIGHT_KB);

  /**
   * Block arrays ({@link FileTailer#BLOCK_MAX} bytes) the jail's thread is done with, read into
   * again by the reader while a burst lasts; emptied once no block is in flight, so an idle jail
   * keeps none. Without them each 1 MiB block of a burst outlived a few young collections in the
   * queue and was promoted: 1M Asterisk lines (bench/daemon.sh (a)) ran 44 full collections.
   */
  private final java.util.concurrent.ArrayBlockingQueue<byte[]> spareBlocks =
      new java.util.concurrent.ArrayBlockingQueue<>(BLOCKS_IN_FLIGHT_KB >> 10);

  /** Reads shorter than this (a daemon's usual appends) get an array of their own size. */
  private static final int SPARE_FROM = 128 << 10;

  private volatile JailSettings settings;
  private volatile FileTailer tailer;
  private final List<RegistrationReader> registrations = new java.util.ArrayList<>();
  private RateLimitWatch rateLimits;
  private int unverifiedBefore = -1;
  private JournalSource journal;
  private final AtomicLong linesRead = new AtomicLong();
  private final AtomicLong failuresTotal = new AtomicLong();
  private final AtomicLong bansTotal = new AtomicLong();
  private final AtomicLong unbansTotal = new AtomicLong();
  private final AtomicLong budgetHits = new AtomicLong();
  private final Map<IpAddress, Instant> allowedView =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final List<String> failRegexes;
  private final List<String> successRegexes;
  private final boolean firewalled;
  private final BudgetWatch budget;
  private long droppedWarned;
  private Instant droppedWarnedAt;

  /** Starts the jail's thread; lines come once {@link #startSource} is called. */
  JailRunner(
      JailPlan plan, Predicate<IpAddress> externalIgnore, List<ActionSlot> actions, Shared shared) {
    this.plan = plan;
    this.settings = plan.settings();
    this.jail = new Jail(plan.settings(), shared.counts(), externalIgnore, new Random());
    this.filter = plan.newFilter();
    this.networks = new NetworkEscalation(plan.netban());
    this.failRegexes = filter.failRegexSources();
    this.successRegexes = filter.successRegexSources();
    this.budget = new BudgetWatch(plan.name(), filter.name(), shared.log()::warning);
    this.actions = List.copyOf(actions);
    this.firewalled =
        actions.stream().anyMatch(a -> a.action() instanceof io.portcullis.action.FirewallAction);
    for (ActionSlot a : actions) {
      if (a.action() instanceof io.portcullis.action.FirewallAction f) {
        // before the firewall's sets are created (JailSet starts the firewalls after the jails)
        f.backend().exempt(plan.name(), plan.settings().ignoreip());
        f.backend().rateLimit(plan.name(), plan.ratelimit());
        f.backend().countries(plan.name(), plan.countries());
      }
    }
    this.shared = shared;
    this.worker =
        Worker.<Runnable>named("jail-" + plan.name())
            .capacity(QUEUE)
            .each(Runnable::run)
            .errors(m -> shared.log().error("[" + plan.name() + "] " + m))
            .warnings(m -> shared.log().warning("[" + plan.name() + "] " + m))
            .start();
  }

  String name() {
    return plan.name();
  }

  private volatile String countryProblem;

  /** The country database's problem for this jail now (status shows it), or null. */
  void countryProblem(String problem) {
    countryProblem = problem;
  }

  String countryProblem() {
    return countryProblem;
  }

  private volatile String restoreProblem;

  /** Whether {@link #warmUp} ran (JailSet runs it beside the restore, before the source starts). */
  private volatile boolean warmed;

  /** Why the bans restored at start are not (all) in the firewall; null once they are. */
  void restoreProblem(String problem) {
    restoreProblem = problem;
  }

  String restoreProblem() {
    return restoreProblem;
  }

  JailPlan plan() {
    return plan;
  }

  List<ActionSlot> actionSlots() {
    return actions;
  }

  /** Starts following the jail's files or journal, and reading its registered phones. */
  void startSource() throws InterruptedException {
    if (!warmed) {
      warmUp();
    }
    for (io.portcullis.pbx.RegistrarSpec spec : plan.registrars()) {
      RegistrationReader r = new RegistrationReader(this, spec, shared);
      registrations.add(r);
      r.start();
    }
    // a jail whose firewalls cannot apply its ratelimit or countries was told so once, by the
    // plan's notes (Assembler), when it was built
    if (!plan.ratelimit().isOff()) {
      RateLimitWatch w = new RateLimitWatch(this, plan.ratelimit(), actions, shared);
      if (w.watches()) {
        rateLimits = w;
        w.start();
      }
    }
    if (plan.source() instanceof SourcePlan.Files f) {
      tailer =
          new FileTailer(
              name(),
              f.globs(),
              new StoredPositions(name(), shared.store()),
              new FileTailer.Sink() {
                @Override
                public void block(Path file, byte[] buf, int len) {
                  JailRunner.this.block(file, buf, len);
                }

                @Override
                public byte[] buffer(int size) {
                  if (size < SPARE_FROM) {
                    return new byte[size];
                  }
                  byte[] b = spareBlocks.poll();
                  return b != null ? b : new byte[FileTailer.BLOCK_MAX];
                }

                @Override
                public void unused(byte[] buf) {
                  spare(buf);
                }

                @Override
                public boolean hasRoom() {
                  // room in bytes and in the jail's queue: many small blocks fill its places
                  // before its bytes, and a reader that waits there loses deleted files
                  return blocksInFlight.availablePermits() >= FileTailer.BLOCK_MAX >> 10
                      && worker.stats().queued() <= QUEUE - QUEUE_KEPT_FREE;
                }
              },
              f.poll(),
              f.inotify(),
              START_BACK_BYTES,
              shared.log()::warning);
      tailer.start();
    } else if (plan.source() instanceof SourcePlan.Journal j) {
      String cursor = null;
      try {
        cursor = shared.store().call(s -> s.cursor(name())).get(30, TimeUnit.SECONDS).orElse(null);
      } catch (ExecutionException | TimeoutException e) {
        shared
            .log()
            .error(
                "["
                    + name()
                    + "] cannot read the saved journal cursor ("
                    + e
                    + "): reading from findtime ago");
      }
      journal =
          new JournalSource(
              name(), j.spec(), cursor, settings.findtime(), this::entries, shared.log()::error);
      journal.start();
    }
  }

  /**
   * Runs the jail's line path once on scratch state before its source starts, so that the first
   * line and the first ban after a start do not pay for loading and linking its classes and lambdas
   * (issue #10: the first ban took 46-184 ms, later ones under 10; a trace of the first block of
   * failures after a start found 20-odd classes loaded on the jail's thread, 45-70 ms on a loaded
   * machine): a copy of its filter reads lines dated the ways logs date them, through its prefilter
   * and then line by line; a filter that matches them ({@link WarmUpLines}) turns one into a
   * failure through the same code as a log block; a scratch {@link Jail} with the same settings
   * counts it up to a ban, whose failure and ban events the store writes in a transaction it rolls
   * back. Nothing reaches the jail's state, the ban list, the store, the log or the actions; a
   * failure here only costs the warm-up.
   */
  void warmUp() {
    try {
      Instant now = shared.clock().instant();
      DateContext ctx = new DateContext(plan.zone(), now);
      Filter f = plan.newFilter();
      byte[] block =
          WarmUpLines.dated(now, plan.zone(), "portcullis warm-up " + WarmUpLines.ADDRESS);
      List<FilterMatch> ignored = new ArrayList<>();
      lines(f, block, block.length, ctx, ignored::add);
      for (String line : new String(block, StandardCharsets.UTF_8).split("\n")) {
        f.process(line, ctx); // past the prefilter: the date detector and the regexes
      }
      blockTask(null, block, 0, 0, 0); // made, not run: its lambda is linked
      Filter sample = Filter.builder(WarmUpLines.FILTER).build();
      IpAddress ip = IpAddress.parse(WarmUpLines.ADDRESS);
      Jail scratch = new Jail(plan.settings(), (j, fid) -> 0, x -> false, new Random());
      int tries = Math.max(1, Math.min(100, plan.settings().maxretry()));
      Outcome banned = null;
      AddressEvent.Failure failed = null;
      List<FilterMatch> found = new ArrayList<>();
      for (int i = 0; i < tries && banned == null; i++) {
        found.clear();
        byte[] failure = WarmUpLines.failure(now, plan.zone(), i);
        lines(sample, failure, failure.length, ctx, found::add);
        FilterMatch m =
            found.isEmpty()
                ? new FilterMatch(
                    FilterMatch.Kind.FAILURE,
                    0,
                    ip.toString(),
                    ip,
                    null,
                    now,
                    Map.of(),
                    List.of(),
                    java.util.Set.of())
                : found.get(0);
        Outcome o = scratch.on(m, now);
        if (counts(o.kind())) {
          failed =
              new AddressEvent.Failure(
                  now, name(), o.fid(), m.ip(), o.failures(), evidence(m, failRegexes, null));
          AddressFeed.write(failed); // links the store write's lambda; nothing is written
        }
        banned = o.ban().isPresent() ? o : null;
      }
      // a lookup only: its record key's hashCode/equals are bootstrapped at first use (not the ban
      // counts: they wait for the history the store reads after the jails start)
      shared.bans().get(name(), ip.toString());
      if (banned != null) {
        warmUpBan(banned, failed);
      }
      warmed = true;
    } catch (RuntimeException | java.io.IOException | ExecutionException | TimeoutException e) {
      shared.log().debug("[" + name() + "] warm-up: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The ban's own path past the decision, on scratch objects: its reason, a ban list and its lifted
   * bans, the ban counts, and an action slot with an action that does nothing. Each of these
   * bootstraps record keys, comparators and lambdas at its first use (1.2-1.5 ms each for the ban
   * list and the counts in a class-load trace of the first ban, where the thousandth takes a few
   * microseconds); done here, the first real ban finds them linked.
   */
  private void warmUpBan(Outcome o, AddressEvent.Failure failed)
      throws InterruptedException, ExecutionException, TimeoutException {
    BanDecision b = o.ban().orElseThrow();
    Explain.cause(o.cause(), b, jail.settings());
    io.portcullis.ban.BanList list = new io.portcullis.ban.BanList();
    list.add(b);
    list.get(b.jail(), b.fid());
    new BanCounts().banned(b.jail(), b.fid());
    addBan(b);
    if (firewalled && b.ip() != null) {
      // the kernel's answer is looked up by a record key: nothing waits for this address, so only
      // the key's hashCode is linked (no latency is reported)
      shared.feed().acceptedByKernel(name(), b.ip());
    }
    AddressEvent.Ban event =
        new AddressEvent.Ban(
            b.time(), b.jail(), b.fid(), b.ip(), b.bantime(), b.count(), b.failures());
    // the store's statements and its driver's paths, and the evidence's JSON, on the store's
    // thread: a transaction that is rolled back
    List<AddressEvent> events = failed == null ? List.of(event) : List.of(failed, event);
    shared.store().call(s -> s.rehearse(b, events)).get(5, TimeUnit.SECONDS);
    ActionSlot slot = new ActionSlot(name(), new WarmUpAction(), shared.log());
    try {
      // as ban() makes a ban's effect: its copy of a one-action map is a class of its own
      // (ImmutableCollections.Map1), loaded here rather than on the first ban
      Map<ActionSlot, CompletableFuture<Void>> done = new LinkedHashMap<>();
      done.put(slot, slot.ban(b));
      new Effects.Effect(CompletableFuture.completedFuture(null), done);
      done.get(slot).get(5, TimeUnit.SECONDS);
    } finally {
      slot.stop(Duration.ofSeconds(5));
    }
  }

  /**
   * The store's write of a ban, made here so that the warm-up links its lambda without writing (a
   * lambda is linked where it is created, the first time).
   */
  private static io.portcullis.ban.StoreWriter.Write addBan(BanDecision b) {
    return s -> s.addBan(b);
  }

  /** The action of the warm-up's scratch slot: takes every ban, does nothing. */
  private static final class WarmUpAction implements io.portcullis.action.Action {
    @Override
    public String name() {
      return "warm-up";
    }

    @Override
    public void ban(BanDecision ban) {}

    @Override
    public void unban(BanDecision ban) {}
  }

  // ---- lines, on the jail's thread

  /**
   * Hands a block of whole log lines to the jail's thread; waits while the blocks it holds take
   * {@link #BLOCKS_IN_FLIGHT_KB} (or its queue is full).
   */
  void block(Path file, byte[] buf, int len) {
    long read = System.nanoTime();
    String name = file.toString();
    int kb = Math.min(BLOCKS_IN_FLIGHT_KB, (buf.length + 1023) >> 10);
    try {
      blocksInFlight.acquire(kb);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the reader is being stopped
      return;
    }
    if (!worker.submit(blockTask(name, buf, len, read, kb))) {
      blocksInFlight.release(kb);
    }
  }

  /**
   * The jail thread's work for one block, made here so that the warm-up links its lambda without
   * running it (it was linked on the log reader's thread by the first block after a start).
   */
  private Runnable blockTask(String file, byte[] buf, int len, long read, int kb) {
    return () -> {
      try {
        readBlock(file, buf, len, read);
      } finally {
        spare(buf);
        blocksInFlight.release(kb);
        if (blocksInFlight.availablePermits() == BLOCKS_IN_FLIGHT_KB) {
          spareBlocks.clear(); // caught up: an idle jail holds no block arrays
        }
      }
    };
  }

  /** Keeps a block array for the reader to read into again (while there is room). */
  private void spare(byte[] buf) {
    if (buf.length == FileTailer.BLOCK_MAX) {
      spareBlocks.offer(buf);
    }
  }

  /** {@code file}: where the lines come from; {@code read}: when they were read (nanoTime). */
  private void readBlock(String file, byte[] buf, int len, long read) {
    Instant now = shared.clock().instant();
    DateContext ctx = new DateContext(plan.zone(), now);
    try {
      blockMatches.now = now;
      blockMatches.file = file;
      blockMatches.read = read;
      int lines = lines(filter, buf, len, ctx, blockMatches);
      linesRead.addAndGet(lines);
      budgetHits.set(filter.budgetHits());
      budget.observe(filter.budgetHits(), now);
    } catch (java.io.IOException e) {
      shared.log().error("[" + name() + "] " + e.getMessage());
    }
    warnIfDropped(now);
  }

  /** Takes a filter's matches; the jail's ({@link BlockMatches}) or the warm-up's. */
  private interface Matches {
    void take(FilterMatch m);
  }

  /**
   * The matches of the block being read, handed to the jail: one object set for each block (not a
   * lambda per block), so the warm-up links nothing the first block needs.
   */
  private final class BlockMatches implements Matches {
    private Instant now;
    private String file;
    private long read;

    @Override
    public void take(FilterMatch m) {
      handle(m, now, file, read);
    }
  }

  private final BlockMatches blockMatches = new BlockMatches();

  /**
   * The filter's word scan copies what it is given into one String that lives while its lines are
   * matched: a block is given in pieces of about this many bytes, whole lines each, so that copy
   * dies young (a 1 MiB one outlived young collections and was promoted).
   */
  private static final int PIECE = 128 << 10;

  /** Runs a block's candidate lines through a filter; returns the number of lines in the block. */
  private static int lines(Filter f, byte[] buf, int len, DateContext ctx, Matches out)
      throws java.io.IOException {
    Filter.BlockLines each =
        (i, s, e) -> {
          String line = new String(buf, s, e - s, StandardCharsets.UTF_8);
          for (FilterMatch m : f.process(line, ctx).matches()) {
            out.take(m);
          }
        };
    int lines = 0;
    int from = 0;
    do {
      int to = pieceEnd(buf, from, len);
      lines += f.candidates(buf, from, to, each);
      from = to;
    } while (from < len);
    return lines;
  }

  /** Where the piece of {@code buf[from, len)} that starts at {@code from} ends: after a '\n'. */
  static int pieceEnd(byte[] buf, int from, int len) {
    if (len - from <= PIECE) {
      return len;
    }
    for (int i = from + PIECE - 1; i > from; i--) {
      if (buf[i] == '\n') {
        return i + 1;
      }
    }
    for (int i = from + PIECE; i < len; i++) {
      if (buf[i] == '\n') {
        return i + 1;
      }
    }
    return len;
  }

  /** Whether an outcome counts as a failure (status, the feed). */
  private static boolean counts(Outcome.Kind k) {
    return switch (k) {
      case COUNTED, BANNED -> true;
      default -> false;
    };
  }

  /**
   * Says in the log (at most once a minute) that the jail dropped tracked failures to stay within
   * maxtrackedmemory; status shows the count.
   */
  private void warnIfDropped(Instant now) {
    long dropped = jail.dropped();
    if (dropped == droppedWarned) {
      return;
    }
    if (droppedWarnedAt != null && now.isBefore(droppedWarnedAt.plus(Duration.ofMinutes(1)))) {
      return;
    }
    shared
        .log()
        .warning(
            "["
                + name()
                + "] Dropped the failures of "
                + (dropped - droppedWarned)
                + " address(es), the oldest first ("
                + dropped
                + " since start): tracked failures reached maxtrackedmemory = "
                + ByteSizes.format(jail.settings().maxtrackedmemory()));
    droppedWarned = dropped;
    droppedWarnedAt = now;
  }

  /** Journal entries, each with its own time; the cursor is saved once they are read. */
  private void entries(List<JournalSource.Entry> batch) {
    long read = System.nanoTime();
    worker.submit(
        () -> {
          Instant now = shared.clock().instant();
          for (JournalSource.Entry e : batch) {
            linesRead.incrementAndGet();
            for (FilterMatch m :
                filter.process(e.line(), e.time() == null ? now : e.time()).matches()) {
              handle(m, now, null, read);
            }
          }
          budgetHits.set(filter.budgetHits());
          budget.observe(filter.budgetHits(), now);
          warnIfDropped(now);
          String cursor = batch.get(batch.size() - 1).cursor();
          if (cursor != null) {
            String jailName = name();
            shared.store().write(s -> s.saveCursor(jailName, cursor));
          }
        });
  }

  /** {@code file}: null for the journal; {@code read}: when the line was read (nanoTime). */
  private void handle(FilterMatch m, Instant now, String file, long read) {
    JailSettings s = jail.settings();
    Instant t = m.time();
    if (t == null || t.isAfter(now.plus(FUTURE_TOLERANCE))) {
      t = now; // no date, or a clock/zone problem: treat it as just happened
    }
    if (m.kind() == FilterMatch.Kind.FAILURE && t.isBefore(now.minus(s.findtime()))) {
      return; // older than findtime (read at start): cannot count any more
    }
    Outcome o =
        jail.on(
            new FilterMatch(
                m.kind(),
                m.regex(),
                m.fid(),
                m.ip(),
                m.host(),
                t,
                m.groups(),
                m.lines(),
                m.users()),
            now);
    AddressEvent.Failure failure =
        counts(o.kind())
            ? new AddressEvent.Failure(
                t, name(), o.fid(), m.ip(), o.failures(), evidence(m, failRegexes, file))
            : null;
    if (failure != null && o.ban().isEmpty()) {
      shared.feed().record(failure);
    }
    switch (o.kind()) {
      case COUNTED -> {
        failuresTotal.incrementAndGet();
        shared
            .log()
            .info(
                "["
                    + name()
                    + "] Found "
                    + o.fid()
                    + " - "
                    + t
                    + " ("
                    + o.failures()
                    + " of "
                    + s.maxretry()
                    + ")");
      }
      case BANNED -> failuresTotal.incrementAndGet();
      case SUCCESS -> {}
      case ALLOWED ->
          shared
              .log()
              .info(
                  "["
                      + name()
                      + "] Ignore "
                      + o.fid()
                      + " (trusted"
                      + (o.failures() > 0
                          ? "; failure "
                              + o.failures()
                              + " of "
                              + s.guards().allowfailures()
                              + " that withdraw the trust"
                          : "")
                      + ")");
      case IGNORED ->
          shared.log().info("[" + name() + "] Ignore " + o.fid() + " (on the ignore list)");
      case ALREADY_BANNED -> shared.log().debug("[" + name() + "] " + o.fid() + " already banned");
      case PAIRED ->
          shared
              .log()
              .debug("[" + name() + "] " + o.fid() + " - " + t + " (same attempt, counted once)");
    }
    for (Notice n : o.notices()) {
      notice(n, s, m, t, file);
    }
    // not ifPresent(lambda): a lambda would be linked at the first failure, on the jail's thread
    if (o.ban().isPresent()) {
      BanDecision b = o.ban().get();
      ban(b, read, o.cause(), failure);
      escalate(b);
    }
  }

  /** Tells what the jail decided beyond counting: trust given or refused, an account attacked. */
  private void notice(Notice n, JailSettings s, FilterMatch m, Instant t, String file) {
    if (n instanceof Notice.TrustGranted g) {
      storeAllow(g.ip(), g.until());
      shared
          .feed()
          .record(
              new AddressEvent.Allow(
                  t,
                  name(),
                  g.ip().toString(),
                  g.ip(),
                  g.until(),
                  evidence(m, successRegexes, file)));
    } else if (n instanceof Notice.TrustWithdrawn w) {
      // out of the kernel's allowed set and the store too: a network ban drops it again, and a
      // restart does not give the trust back
      String jailName = name();
      shared.store().write(st -> st.disallow(jailName, w.ip()));
      allowedView.remove(w.ip());
      for (ActionSlot a : actions) {
        a.disallow(w.ip());
      }
    } else if (n instanceof AccountAlert a) {
      for (ActionSlot slot : actions) {
        slot.alert(a);
      }
    }
    String line = Explain.notice(n, s);
    if (n instanceof AccountAlert || n instanceof Notice.TrustWithdrawn) {
      shared.log().warning("[" + name() + "] " + line);
    } else {
      shared.log().notice("[" + name() + "] " + line);
    }
  }

  /** The lines of a match, where they came from and the regex that matched them. */
  private Evidence evidence(FilterMatch m, List<String> regexes, String file) {
    String regex = m.regex() >= 0 && m.regex() < regexes.size() ? regexes.get(m.regex()) : "";
    return Evidence.bounded(file, plan.filter().name(), regex, m.lines());
  }

  private void storeAllow(IpAddress ip, Instant until) {
    String jailName = name();
    shared.store().write(s -> s.allow(jailName, ip, until));
    allowedView.put(ip, until);
    for (ActionSlot a : actions) {
      a.allow(ip, until);
    }
  }

  /**
   * Puts a ban into force: ban list, store, actions, log. On the jail's thread. {@code read}: when
   * the line that caused it was read (nanoTime), or 0 for a ban by command; {@code cause}: why the
   * jail banned (null for a ban by command). Returns what became of it, or null when the id was
   * banned already.
   */
  private Effects.Effect ban(BanDecision b, long read, Outcome.Cause cause) {
    return ban(b, read, cause, null);
  }

  /** As above; {@code failure}: the event of the failure that made the ban, or null. */
  private Effects.Effect ban(
      BanDecision b, long read, Outcome.Cause cause, AddressEvent.Failure failure) {
    return ban(
        b,
        read,
        b.failures() > 0
            ? Explain.cause(cause, b, jail.settings()) + ", ban #" + b.count()
            : "by command, ban #" + b.count(),
        failure);
  }

  /**
   * Bans the networks that the ban {@code b} completes (netban4, netban6); on the jail's thread.
   */
  private void escalate(BanDecision b) {
    if (b.ip() == null) {
      return;
    }
    for (NetworkEscalation.Earned e :
        networks.banned(b.ip(), b.time(), jail.settings().findtime())) {
      BanDecision net = jail.networkBan(e.network(), b.time(), e.by().size());
      ban(
          net,
          0,
          e.by().size()
              + (e.by().get(0).prefix() < 0 ? " addresses" : " networks")
              + " of it banned within "
              + Durations.format(jail.settings().findtime())
              + ": "
              + String.join(", ", e.by().stream().map(IpAddress::toString).toList())
              + "; ban #"
              + net.count(),
          null);
    }
  }

  /**
   * The store's write of the bans of the command running now ({@link #banNow}), queued every {@link
   * BanWrites#CHUNK} bans and at its end; null otherwise (each ban is written on its own). Jail's
   * thread.
   */
  private BanWrites gathering;

  private Effects.Effect ban(
      BanDecision b, long read, String reason, AddressEvent.Failure failure) {
    if (!shared.bans().add(b)) {
      if (failure != null) {
        shared.feed().record(failure);
      }
      return null;
    }
    bansTotal.incrementAndGet();
    shared.counts().banned(b.jail(), b.fid());
    if (read != 0 && firewalled && b.ip() != null) {
      shared.feed().awaitKernel(b.jail(), b.ip(), read);
    }
    shared
        .log()
        .notice(
            "["
                + name()
                + "] Ban "
                + b.fid()
                + " for "
                + Durations.format(b.bantime())
                + " ("
                + reason
                + ")");
    // the actions first, the store after: neither waits for the other (a ban is acknowledged to
    // nobody before the store has it, see Effects), and each write queued here woke the store's
    // thread, which took a core from this one before the action's thread had its ban
    Map<ActionSlot, CompletableFuture<Void>> done = new LinkedHashMap<>();
    for (ActionSlot a : actions) {
      done.put(a, a.ban(b));
    }
    if (failure != null) {
      shared.feed().record(failure);
    }
    AddressEvent.Ban event =
        new AddressEvent.Ban(
            b.time(), b.jail(), b.fid(), b.ip(), b.bantime(), b.count(), b.failures());
    CompletableFuture<Void> stored;
    if (gathering != null) {
      stored = gathering.add(b, event);
      shared.feed().told(event);
      if (gathering.size() >= BanWrites.CHUNK) {
        gathering.submit(shared.store());
        gathering = new BanWrites();
      }
    } else {
      stored = shared.store().write(addBan(b));
      shared.feed().record(event);
    }
    shared.fleet().localBan(b);
    return new Effects.Effect(stored, done);
  }

  /**
   * Puts a ban from another node into force, with its own times: ban list, the jail, the firewall
   * actions (not mail or commands: the node that decided it notified), the log; not the store (a
   * node catches up from Redis on start) nor the ban history. Never for an address the jail ignores
   * or allows, never twice. On the jail's thread.
   */
  io.portcullis.fleet.FleetTarget.Applied banRemote(io.portcullis.fleet.FleetEvent e) {
    Instant now = shared.clock().instant();
    String fid = e.ip().toString();
    if (e.end() != null && !e.end().isAfter(now)) {
      return io.portcullis.fleet.FleetTarget.Applied.ENDED;
    }
    Outcome.Kind screen = jail.screen(e.ip(), now);
    if (screen != null) {
      shared
          .log()
          .info(
              "["
                  + name()
                  + "] Ignore the ban of "
                  + fid
                  + " from node "
                  + e.node()
                  + (screen == Outcome.Kind.IGNORED
                      ? " (on the ignore list)"
                      : " (allowed after a successful login)"));
      return screen == Outcome.Kind.IGNORED
          ? io.portcullis.fleet.FleetTarget.Applied.IGNORED
          : io.portcullis.fleet.FleetTarget.Applied.ALLOWED;
    }
    if (shared.bans().get(name(), fid) != null) {
      return io.portcullis.fleet.FleetTarget.Applied.ALREADY_BANNED;
    }
    Duration bantime =
        e.end() == null ? Duration.ofSeconds(-1) : Duration.between(e.time(), e.end());
    BanDecision b = new BanDecision(name(), fid, e.ip(), e.time(), bantime, 1, 0, List.of());
    shared.fleet().remote(name(), fid, e.node());
    if (!shared.bans().add(b)) {
      shared.fleet().lifted(name(), fid);
      return io.portcullis.fleet.FleetTarget.Applied.ALREADY_BANNED;
    }
    jail.restored(fid, b.end());
    String node = e.node();
    shared.store().write(s -> s.addRemoteBan(b, node));
    shared
        .feed()
        .record(new AddressEvent.Ban(b.time(), name(), fid, e.ip(), bantime, b.count(), 0));
    shared
        .log()
        .notice(
            "["
                + name()
                + "] Ban "
                + fid
                + (b.end() == null ? " for ever" : " until " + b.end())
                + " (from node "
                + e.node()
                + (e.reason().isEmpty() ? "" : ": " + e.reason())
                + ")");
    for (ActionSlot a : actions) {
      if (a.action() instanceof io.portcullis.action.FirewallAction) {
        a.ban(b);
      }
    }
    return io.portcullis.fleet.FleetTarget.Applied.BANNED;
  }

  /**
   * Of a blocklist feed's entries, those this jail lets it ban now (the same screen as a remote
   * ban); a network that holds an ignoreip entry is refused too. On the jail's thread.
   */
  List<IpAddress> screenFeed(List<IpAddress> entries) {
    Instant now = shared.clock().instant();
    List<IpAddress> ignored = settings().ignoreip();
    List<IpAddress> out = new java.util.ArrayList<>(entries.size());
    for (IpAddress ip : entries) {
      if (jail.screen(ip, now) != null) {
        continue;
      }
      if (ip.prefix() >= 0 && ignored.stream().anyMatch(ip::contains)) {
        continue;
      }
      out.add(ip);
    }
    return out;
  }

  /** Lifts a ban because another node lifted it (not published again); on the jail's thread. */
  boolean unbanRemote(String fid) {
    BanDecision b = shared.bans().remove(name(), fid);
    if (b == null) {
      return false;
    }
    lift(b, AddressEvent.Reason.BY_COMMAND, /* fromFleet= */ true);
    return true;
  }

  /** Lifts a ban: ban list, store, actions, jail, log. On the jail's thread. */
  private Effects.Effect unban(String fid, AddressEvent.Reason why) {
    BanDecision b = shared.bans().remove(name(), fid);
    if (b == null) {
      return null;
    }
    return finishLift(b, why);
  }

  private Effects.Effect finishLift(BanDecision b, AddressEvent.Reason why) {
    return lift(b, why, /* fromFleet= */ false);
  }

  /**
   * Lifts a ban already off the ban list, in the store (remembering the unban) and the actions; a
   * ban from another node only in the firewall actions. {@code fromFleet}: lifted because another
   * node lifted it (not published again).
   */
  private Effects.Effect lift(BanDecision b, AddressEvent.Reason why, boolean fromFleet) {
    String origin = shared.fleet().lifted(b.jail(), b.fid());
    Effects.Effect e = record(b, why, fromFleet);
    Map<ActionSlot, CompletableFuture<Void>> done = new LinkedHashMap<>();
    for (ActionSlot a : actions) {
      if (origin == null || a.action() instanceof FirewallAction) {
        done.put(a, a.unban(b));
      }
    }
    confirmWhenApplied(b, done);
    if (why == AddressEvent.Reason.BY_COMMAND && !fromFleet) {
      shared.fleet().localUnban(b);
    }
    return new Effects.Effect(e.stored(), done);
  }

  /**
   * Lifts a ban the jail does not hold, in the store and the actions only: one that ended while the
   * server was down, or an unban the kernel had not confirmed before a stop ({@code firewallsOnly}:
   * then only the native firewalls, whose removal of a missing element is harmless, are told).
   */
  void liftQuietly(BanDecision b, boolean firewallsOnly) {
    shared.bans().lifted().lifted(b.jail(), b.fid());
    Instant at = shared.clock().instant();
    shared.store().write(s -> s.removeBan(b.jail(), b.fid(), at));
    Map<ActionSlot, CompletableFuture<Void>> done = new LinkedHashMap<>();
    for (ActionSlot a : actions) {
      if (!firewallsOnly || a.action() instanceof FirewallAction) {
        done.put(a, a.unban(b));
      }
    }
    confirmWhenApplied(b, done);
  }

  /** The jail, the store and the log learn of a lift; the actions are told by the caller. */
  private Effects.Effect record(BanDecision b, AddressEvent.Reason why, boolean fromFleet) {
    jail.unbanned(b.fid());
    unbansTotal.incrementAndGet();
    Instant at = shared.clock().instant();
    CompletableFuture<Void> stored = shared.store().write(s -> s.removeBan(b.jail(), b.fid(), at));
    shared
        .feed()
        .record(new AddressEvent.Unban(shared.clock().instant(), b.jail(), b.fid(), b.ip(), why));
    shared
        .log()
        .notice(
            "["
                + name()
                + "] Unban "
                + b.fid()
                + (fromFleet
                    ? " (lifted on another node)"
                    : why == AddressEvent.Reason.BY_COMMAND ? " (by command)" : ""));
    return new Effects.Effect(stored, Map.of());
  }

  /**
   * Once every action that keeps addresses out applied the unban, it need not be remembered: a
   * restart can no longer find the element in the kernel.
   */
  private void confirmWhenApplied(BanDecision b, Map<ActionSlot, CompletableFuture<Void>> done) {
    long token = shared.bans().lifted().token(b.jail(), b.fid());
    List<CompletableFuture<Void>> keepOut = new ArrayList<>();
    done.forEach(
        (slot, f) -> {
          if (slot.action().keepsOut()) {
            keepOut.add(f);
          }
        });
    CompletableFuture.allOf(keepOut.toArray(CompletableFuture[]::new))
        .thenRun(
            () -> {
              if (shared.bans().lifted().confirmed(b.jail(), b.fid(), token, System.nanoTime())) {
                shared.store().write(s -> s.forgetLifted(b.jail(), b.fid()));
              }
            });
  }

  // ---- from other threads: through the queue

  /** A ban already taken off the ban list because it ended: lift it on the jail's thread. */
  void ended(BanDecision b) {
    worker.submit(
        () -> {
          // banned again between the timer and now: the new ban stays (the old one is gone)
          if (shared.bans().get(b.jail(), b.fid()) == null) {
            finishLift(b, AddressEvent.Reason.ENDED);
          }
        });
  }

  /**
   * A ban found in the kernel that the store did not know (written after the last commit before a
   * crash, or put there by hand): already on the ban list; the jail learns of it on its thread.
   */
  void adopted(BanDecision b) {
    shared.store().write(s -> s.addBan(b));
    shared
        .log()
        .notice(
            "["
                + name()
                + "] Adopt "
                + b.fid()
                + " from the firewall"
                + (b.end() == null ? "" : " for " + Durations.format(b.bantime()))
                + ": in the kernel but not in the store (a ban not yet written when the server"
                + " stopped, or one added by hand)");
    worker.submit(() -> jail.restored(b.fid(), b.end()));
  }

  /** Bans in force from the store: the jail knows them before it reads a line. */
  void restored(List<BanDecision> list) {
    worker.submit(
        () -> {
          for (BanDecision b : list) {
            jail.restored(b.fid(), b.end());
          }
        });
  }

  /** Addresses allowed before the restart. */
  void allowedBefore(Map<IpAddress, Instant> until) {
    allowedView.putAll(until);
    until.forEach((ip, end) -> actions.forEach(a -> a.allow(ip, end)));
    worker.submit(() -> until.forEach(jail::restoreTrust));
  }

  /** Runs work on the jail's thread and waits for its result (at most 30 s). */
  <T> T await(Callable<T> work) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Runnable task =
        () -> {
          try {
            f.complete(work.call());
          } catch (Exception e) {
            f.completeExceptionally(e);
          }
        };
    if (!worker.offer(task, COMMAND_WAIT)) {
      throw new IllegalStateException(
          worker.stopped()
              ? "jail " + name() + " is stopping (the server stops or reloads)"
              : "jail " + name() + " is too busy to answer (its queue stayed full for 30 s)");
    }
    try {
      return f.get(COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new IllegalStateException("jail " + name() + " did not answer within 30 s");
    }
  }

  // ---- for JailCommands: each runs on the jail's thread (inside await)

  /** The jail's decisions: only on the jail's thread. */
  Jail jail() {
    return jail;
  }

  /**
   * Bans addresses not banned yet, by command; on the jail's thread. Without {@code force}, nothing
   * is banned if one of them covers loopback, an address of this host or the jail's ignore list.
   */
  List<Effects.Effect> banNow(List<IpAddress> ips, boolean force, List<IpAddress> host)
      throws JailControl.Refused {
    if (!force) {
      List<String> refused = new ArrayList<>();
      for (IpAddress ip : ips) {
        String why = BanGuard.refusal(ip, jail.ignoreList(), host);
        if (why != null) {
          refused.add(why);
        }
      }
      if (!refused.isEmpty()) {
        throw new JailControl.Refused(
            "refused, nothing banned: "
                + String.join("; ", refused)
                + " (ban --force bans it anyway)");
      }
    }
    List<Effects.Effect> out = new ArrayList<>();
    gathering = new BanWrites();
    try {
      for (IpAddress ip : ips) {
        if (shared.bans().get(name(), ip.toString()) == null) {
          Effects.Effect e =
              ban(
                  jail.manualBan(ip.toString(), ip, shared.clock().instant()),
                  0,
                  (Outcome.Cause) null);
          if (e != null) {
            out.add(e);
          }
        }
      }
    } finally {
      gathering.submit(shared.store());
      gathering = null;
    }
    return out;
  }

  /**
   * Lifts bans by command; on the jail's thread. Whatever was asked becomes reachable: a network is
   * lifted with the bans of addresses (and narrower networks) inside it; an address is lifted with
   * the network bans that hold it (the other addresses of such a network keep their own bans).
   */
  List<Effects.Effect> unbanNow(List<String> fids) {
    List<Effects.Effect> out = new ArrayList<>();
    for (String fid : fids) {
      Effects.Effect e = unban(fid, AddressEvent.Reason.BY_COMMAND);
      if (e != null) {
        out.add(e);
      }
      IpAddress asked = IpAddress.parseOrNull(fid);
      if (asked == null) {
        continue;
      }
      for (BanDecision b : shared.bans().list(name())) {
        if (b.ip() == null || b.fid().equals(fid)) {
          continue;
        }
        boolean inside = asked.prefix() >= 0 && asked.contains(b.ip());
        boolean holding = b.ip().prefix() >= 0 && b.ip().contains(asked);
        if (inside || holding) {
          Effects.Effect lifted = unban(b.fid(), AddressEvent.Reason.BY_COMMAND);
          if (lifted != null) {
            out.add(lifted);
          }
        }
        if (holding) {
          networks.forget(b.ip());
        }
      }
      if (asked.prefix() >= 0) {
        networks.forget(asked);
      }
    }
    return out;
  }

  /**
   * Lifts every ban of the jail by command ({@code unban --all}); on the jail's thread. Each action
   * flushes once where it can (fail2ban's {@code actionflush}, the firewall's sets) instead of
   * lifting ban by ban.
   */
  List<Effects.Effect> unbanAll() {
    List<BanDecision> all = shared.bans().removeAll(name());
    if (all.isEmpty()) {
      return List.of();
    }
    List<Effects.Effect> recorded = new ArrayList<>();
    for (BanDecision b : all) {
      shared.fleet().lifted(b.jail(), b.fid());
      recorded.add(record(b, AddressEvent.Reason.BY_COMMAND, /* fromFleet= */ false));
      shared.fleet().localUnban(b);
    }
    Map<ActionSlot, CompletableFuture<Void>> flushed = new LinkedHashMap<>();
    for (ActionSlot a : actions) {
      flushed.put(a, a.flush(all));
    }
    List<Effects.Effect> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      confirmWhenApplied(all.get(i), flushed);
      out.add(new Effects.Effect(recorded.get(i).stored(), flushed));
    }
    return out;
  }

  /** Changes the decision settings and publishes them; on the jail's thread. */
  void update(JailSettings next) {
    jail.update(next);
    settings = next;
  }

  /** Allows an address until a time by command and keeps it in the store; on the jail's thread. */
  void allowUntil(IpAddress ip, Instant until) {
    jail.allowUntil(ip, until);
    storeAllow(ip, until);
    shared
        .feed()
        .record(
            new AddressEvent.Allow(
                shared.clock().instant(), name(), ip.toString(), ip, until, null));
  }

  /**
   * The ignore list changed by command: the firewalls' exemption sets (what a network ban lets
   * through) follow before the command answers; at most 10 s. Not on the jail's thread.
   */
  void ignoreChanged(List<IpAddress> now) throws java.io.IOException {
    CompletableFuture<?>[] done =
        actions.stream().map(a -> a.exempt(now)).toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(done).get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.IOException("interrupted while the firewall took the ignore list", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new java.io.IOException(
          "the ignore list changed, but the firewall could not take it yet (a network ban may still"
              + " drop it): "
              + (cause == null ? e : cause).getMessage(),
          e);
    }
  }

  /** Takes an address off the allow list (the store is the caller's); on the jail's thread. */
  boolean disallow(IpAddress ip) {
    allowedView.remove(ip);
    for (ActionSlot a : actions) {
      a.disallow(ip);
    }
    return jail.disallow(ip);
  }

  /** The settings last published by the jail's thread: readable from any thread. */
  JailSettings settings() {
    return settings;
  }

  Shared shared() {
    return shared;
  }

  long linesRead() {
    return linesRead.get();
  }

  long failuresTotal() {
    return failuresTotal.get();
  }

  long bansTotal() {
    return bansTotal.get();
  }

  /** Lines whose regex search gave up at its step budget since the jail started. */
  long regexBudgetHits() {
    return budget.total();
  }

  long unbansTotal() {
    return unbansTotal.get();
  }

  /** Lines whose regex search ran out of its step budget, as of the last block. */
  long budgetHits() {
    return budgetHits.get();
  }

  /** How many addresses are allowed now: readable from any thread. */
  int allowedNow() {
    Instant now = shared.clock().instant();
    allowedView.values().removeIf(until -> !until.isAfter(now));
    return allowedView.size();
  }

  /** The files followed now and the problems reading them (none for the journal). */
  List<String> files() {
    FileTailer t = tailer;
    return t == null ? List.of() : t.files().stream().map(Path::toString).toList();
  }

  /** What reading the log files met, or null when the jail reads the journal. */
  io.portcullis.control.Replies.LogReading logReading() {
    FileTailer t = tailer;
    if (t == null) {
      return null;
    }
    FileTailer.Counters c = t.counters();
    return new io.portcullis.control.Replies.LogReading(
        c.overlongLines(),
        c.cutLines(),
        c.nulBytes(),
        c.rotations(),
        c.truncations(),
        c.tailsFromCopies(),
        c.unreadBytesLost());
  }

  List<String> sourceProblems() {
    FileTailer t = tailer;
    return t == null ? List.of() : t.warnings();
  }

  /** Registrations read from the SIP server: trusted on the jail's thread. */
  void registered(String source, io.portcullis.pbx.Registrar.Reading reading) {
    worker.submit(
        () -> {
          Instant now = shared.clock().instant();
          List<io.portcullis.jail.Registration> added =
              jail.registered(source, reading.registrations(), now);
          // registered phones stay reachable inside a banned network (the firewall's allow set)
          Map<IpAddress, Instant> trusted = jail.allowed(now);
          for (io.portcullis.jail.Registration r : reading.registrations()) {
            Instant until = trusted.get(r.ip());
            if (until != null) {
              for (ActionSlot a : actions) {
                a.allow(r.ip(), until);
              }
            }
          }
          for (io.portcullis.jail.Registration r : added) {
            shared
                .log()
                .notice(
                    "["
                        + name()
                        + "] Trust "
                        + r.ip()
                        + " while registered ("
                        + r.detail()
                        + "), until "
                        + r.until()
                        + " unless renewed");
          }
          if (reading.unverified() != unverifiedBefore && reading.unverified() > 0) {
            shared
                .log()
                .warning(
                    "["
                        + name()
                        + "] "
                        + reading.unverified()
                        + " registration(s) from "
                        + source
                        + " not trusted: "
                        + reading.why());
          }
          unverifiedBefore = reading.unverified();
        });
  }

  /**
   * Sources the firewall found over the jail's rate limit ({@code ratelimitfailure}): one failure
   * each, on the jail's thread, decided like a failure read from the log (ignored and trusted
   * addresses are not counted, maxretry bans). An IPv6 source is its /64, and so is its ban.
   */
  void rateLimited(List<IpAddress> sources) {
    worker.submit(
        () -> {
          Instant now = shared.clock().instant();
          for (IpAddress ip : sources) {
            String line = "over the rate limit " + plan.ratelimit() + " (seen by the firewall)";
            Outcome o = jail.failure(ip.toString(), ip, now, List.of(line));
            if (o.kind() == Outcome.Kind.COUNTED || o.kind() == Outcome.Kind.BANNED) {
              failuresTotal.incrementAndGet();
              shared
                  .feed()
                  .record(
                      new AddressEvent.Failure(
                          now,
                          name(),
                          o.fid(),
                          ip,
                          o.failures(),
                          Evidence.bounded(null, "ratelimit", "", List.of(line))));
              shared
                  .log()
                  .info(
                      "["
                          + name()
                          + "] Found "
                          + o.fid()
                          + " - "
                          + now
                          + " ("
                          + line
                          + "; "
                          + o.failures()
                          + " of "
                          + settings.maxretry()
                          + ")");
            }
            o.ban()
                .ifPresent(
                    b -> {
                      ban(b, 0, o.cause());
                      escalate(b);
                    });
          }
        });
  }

  /** Sources over the rate limit at the last look, and distinct ones since start; null: none. */
  io.portcullis.control.Replies.RateLimited rateLimitedNow() {
    RateLimitWatch w = rateLimits;
    if (w == null) {
      return null;
    }
    return new io.portcullis.control.Replies.RateLimited(
        plan.ratelimit().toString(), w.now().stream().map(IpAddress::toString).toList(), w.total());
  }

  /** Why registrations cannot be read now (one line per source that does not answer). */
  List<String> registrationProblems() {
    return registrations.stream()
        .map(RegistrationReader::problem)
        .filter(java.util.Objects::nonNull)
        .map(p -> "registrations: " + p)
        .toList();
  }

  /** Stops reading, then the jail's thread once what it holds is handled (actions stop later). */
  void stop() throws InterruptedException {
    for (RegistrationReader r : registrations) {
      r.stop(Duration.ofSeconds(10));
    }
    if (rateLimits != null) {
      rateLimits.stop(Duration.ofSeconds(10));
    }
    if (tailer != null) {
      tailer.close();
    }
    if (journal != null) {
      journal.close();
    }
    worker.stop(COMMAND_WAIT);
  }
}
