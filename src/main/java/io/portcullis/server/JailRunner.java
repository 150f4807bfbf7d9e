package io.portcullis.server;

import io.portcullis.ban.BanList;
import io.portcullis.ban.StoreWriter;
import io.portcullis.config.Durations;
import io.portcullis.config.JailDefinition;
import io.portcullis.date.DateContext;
import io.portcullis.date.TimeZones;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.Jail;
import io.portcullis.jail.Outcome;
import io.portcullis.net.IpAddress;
import io.portcullis.source.FileTailer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running jail: its filter, decisions and actions, confined to one thread ({@code jail-<name>})
 * that takes log blocks and commands from a queue. A failing line or command is logged with the
 * jail's name and the loop goes on.
 */
final class JailRunner {
  private static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(1);

  final JailDefinition def;
  final Jail jail;
  final Filter filter;
  final List<ActionSlot> actions;
  private final BanList bans;
  private final StoreWriter store;
  private final BanCounts counts;
  private final ServerLog log;
  private final Clock clock;
  private final ZoneId zone;
  private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private FileTailer tailer;
  final AtomicLong linesRead = new AtomicLong();
  final AtomicLong failuresTotal = new AtomicLong();
  final AtomicLong bansTotal = new AtomicLong();

  JailRunner(
      JailDefinition def,
      Jail jail,
      Filter filter,
      List<ActionSlot> actions,
      BanList bans,
      StoreWriter store,
      BanCounts counts,
      ServerLog log,
      Clock clock) {
    this.def = def;
    this.jail = jail;
    this.filter = filter;
    this.actions = List.copyOf(actions);
    this.bans = bans;
    this.store = store;
    this.counts = counts;
    this.log = log;
    this.clock = clock;
    this.zone =
        def.logtimezone() != null
            ? TimeZones.parse(def.logtimezone())
            : def.filter().logtimezone() != null
                ? TimeZones.parse(def.filter().logtimezone())
                : ZoneId.systemDefault();
    this.thread = new Thread(this::loop, "jail-" + def.name());
    this.thread.setDaemon(true);
  }

  String name() {
    return def.name();
  }

  void start(FileTailer tailer) {
    this.tailer = tailer;
    thread.start();
    if (tailer != null) {
      tailer.start();
    }
  }

  FileTailer tailer() {
    return tailer;
  }

  /** Hands a block of whole log lines to the jail's thread. */
  void block(Path file, byte[] buf, int len) {
    tasks.add(() -> readBlock(buf, len));
  }

  /** Runs work on the jail's thread and returns its result. */
  <T> CompletableFuture<T> call(Callable<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    tasks.add(
        () -> {
          try {
            f.complete(work.call());
          } catch (Exception e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  <T> T await(Callable<T> work) throws Exception {
    try {
      return call(work).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  private void loop() {
    while (running || !tasks.isEmpty()) {
      Runnable task;
      try {
        task = tasks.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        if (!running) {
          drain();
          return;
        }
        continue;
      }
      if (task == null) {
        continue;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("[" + name() + "] " + e);
      }
    }
  }

  private void drain() {
    Runnable t;
    while ((t = tasks.poll()) != null) {
      try {
        t.run();
      } catch (RuntimeException e) {
        log.error("[" + name() + "] " + e);
      }
    }
  }

  private void readBlock(byte[] buf, int len) {
    Instant now = clock.instant();
    DateContext ctx = new DateContext(zone, now);
    boolean journal = def.backend().startsWith("systemd");
    try {
      int lines =
          filter.candidates(
              buf,
              0,
              len,
              (i, s, e) -> {
                String line = new String(buf, s, e - s, StandardCharsets.UTF_8);
                Filter.Result r = journal ? filter.process(line, now) : filter.process(line, ctx);
                for (FilterMatch m : r.matches()) {
                  if (!m.groups().containsKey("nofail")) {
                    handle(m, now);
                  }
                }
              });
      linesRead.addAndGet(lines);
    } catch (java.io.IOException e) {
      log.error("[" + name() + "] " + e.getMessage());
    }
  }

  /** Reads lines given directly (journal entries), each with its own time. */
  void journalLine(String line, Instant time) {
    tasks.add(
        () -> {
          linesRead.incrementAndGet();
          for (FilterMatch m : filter.process(line, time).matches()) {
            if (!m.groups().containsKey("nofail")) {
              handle(m, clock.instant());
            }
          }
        });
  }

  private void handle(FilterMatch m, Instant now) {
    Instant t = m.time();
    if (t == null || t.isAfter(now.plus(FUTURE_TOLERANCE))) {
      t = now; // no date, or a clock/zone problem: treat it as just happened
    }
    if (m.kind() == FilterMatch.Kind.FAILURE && t.isBefore(now.minus(def.findtime()))) {
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
    switch (o.kind()) {
      case COUNTED -> {
        failuresTotal.incrementAndGet();
        log.info(
            "["
                + name()
                + "] Found "
                + o.fid()
                + " - "
                + t
                + " ("
                + o.failures()
                + " of "
                + def.maxretry()
                + ")");
      }
      case BANNED -> {
        failuresTotal.incrementAndGet();
        ban(o.ban().orElseThrow(), def.findtime());
      }
      case SUCCESS -> {
        if (m.ip() != null && !def.allowtime().isZero()) {
          Instant until = t.plus(def.allowtime());
          storeAllow(m.ip(), until);
          log.notice(
              "["
                  + name()
                  + "] Allow "
                  + m.ip()
                  + " for "
                  + Durations.format(def.allowtime())
                  + " (successful login)");
        }
      }
      case ALLOWED ->
          log.info("[" + name() + "] Ignore " + o.fid() + " (allowed after a successful login)");
      case IGNORED -> log.info("[" + name() + "] Ignore " + o.fid() + " (on the ignore list)");
      case ALREADY_BANNED -> log.debug("[" + name() + "] " + o.fid() + " already banned");
    }
  }

  void storeAllow(IpAddress ip, Instant until) {
    String jailName = name();
    store.write(s -> s.allow(jailName, ip, until));
  }

  void storeDisallow(IpAddress ip) {
    String jailName = name();
    store.write(s -> s.disallow(jailName, ip));
  }

  /** Puts a ban into force: ban list, store, actions, log. Call on the jail's thread. */
  void ban(BanDecision b, Duration findtime) {
    if (!bans.add(b)) {
      return;
    }
    bansTotal.incrementAndGet();
    counts.banned(b.jail(), b.fid());
    store.write(s -> s.addBan(b));
    log.notice(
        "["
            + name()
            + "] Ban "
            + b.fid()
            + " for "
            + Durations.format(b.bantime())
            + (b.failures() > 0
                ? " ("
                    + b.failures()
                    + " failures in "
                    + Durations.format(findtime)
                    + ", ban #"
                    + b.count()
                    + ")"
                : " (by command, ban #" + b.count() + ")"));
    for (ActionSlot a : actions) {
      a.ban(b);
    }
  }

  /** Lifts a ban: ban list, store, actions, jail, log. Call on the jail's thread. */
  boolean unban(String fid, String why) {
    BanDecision b = bans.remove(name(), fid);
    if (b == null) {
      return false;
    }
    lifted(b, why);
    return true;
  }

  /** A ban already taken off the ban list (expired): finish lifting it. */
  void lifted(BanDecision b, String why) {
    jail.unbanned(b.fid());
    store.write(s -> s.removeBan(b.jail(), b.fid()));
    log.notice("[" + name() + "] Unban " + b.fid() + (why == null ? "" : " (" + why + ")"));
    for (ActionSlot a : actions) {
      a.unban(b);
    }
  }

  void stop() throws InterruptedException {
    if (tailer != null) {
      tailer.close();
    }
    running = false;
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }
}
