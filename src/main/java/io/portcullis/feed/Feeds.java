package io.portcullis.feed;

import io.portcullis.config.Durations;
import io.portcullis.net.IpAddress;
import io.portcullis.worker.Worker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The blocklist feeds of a server: each fetched every {@code interval} on one thread ({@code
 * feeds}), its entries screened by the jail's ignore and allow lists and put into the jail's
 * firewall sets in one transaction with {@code bantime} as their kernel timeout, renewed by each
 * good fetch.
 *
 * <p>Failure policy: a download or parse that fails (HTTP error, timeout, a body that is not the
 * format, more non-addresses than addresses), a list that shrank to under a tenth of at least 100
 * entries (held once; the next fetch that says the same is believed), or a kernel that refuses the
 * transaction leaves what is in force untouched: it stays until its timeout, and status and the log
 * say so. The last good list (addresses only) and its validators are kept under the state
 * directory, so a restart puts it back with the time it has left and asks the source only when its
 * interval has passed.
 */
public final class Feeds implements AutoCloseable {
  /** Where the feeds report. */
  public record Log(Consumer<String> info, Consumer<String> warning) {}

  /**
   * One feed for {@code status}: entries in force, when they were last set (their timeout runs from
   * there), the last fetch and its error (null when it went well), the next fetch.
   */
  public record Status(
      String name,
      String jail,
      String source,
      String format,
      int entries,
      Instant lastFetch,
      Instant lastGood,
      Instant expires,
      String lastError,
      Instant nextFetch,
      long fetches,
      long notModified,
      long failures,
      int invalid,
      int refused,
      int screened) {}

  /** A feed's entry in force: for the firewall's reconcile. */
  public record Entry(String jail, IpAddress ip, Instant end) {}

  /** Shrinks below this share of the list in force are held until confirmed. */
  private static final int SHRINK_DIVISOR = 10;

  private static final int SHRINK_FLOOR = 100;

  private final class State {
    final FeedSettings s;
    Set<IpAddress> listed = new LinkedHashSet<>();
    Set<IpAddress> inForce = new LinkedHashSet<>();
    Instant goodAt;
    String etag;
    String lastModified;
    Instant lastFetch;
    Instant nextFetch;
    String lastError;
    boolean suspect;
    long fetches;
    long notModified;
    long failures;
    int invalid;
    int refused;
    int screened;
    volatile Status status;
    volatile List<Entry> entries = List.of();

    State(FeedSettings s) {
      this.s = s;
    }

    Instant expires() {
      return goodAt == null ? null : goodAt.plus(s.bantime());
    }

    void publish() {
      status =
          new Status(
              s.name(),
              s.jail(),
              s.source(),
              s.format().describe(),
              inForce.size(),
              lastFetch,
              goodAt,
              expires(),
              lastError,
              nextFetch,
              fetches,
              notModified,
              failures,
              invalid,
              refused,
              screened);
      Instant end = expires();
      List<Entry> list = new ArrayList<>(inForce.size());
      for (IpAddress ip : inForce) {
        list.add(new Entry(s.jail(), ip, end));
      }
      entries = List.copyOf(list);
    }

    String tag() {
      return "[feed " + s.name() + "] ";
    }
  }

  private final Map<String, State> feeds = new LinkedHashMap<>();
  private final FeedTarget target;
  private final Clock clock;
  private final Path cacheDir;
  private final Log log;
  private final FeedFetcher fetcher = new FeedFetcher(Duration.ofSeconds(10));
  private Worker<Runnable> worker;

  /** {@code cacheDir}: where the last good lists are kept, or null for none. */
  public Feeds(
      List<FeedSettings> settings, FeedTarget target, Clock clock, Path cacheDir, Log log) {
    for (FeedSettings s : settings) {
      feeds.put(s.name(), new State(s));
    }
    this.target = target;
    this.clock = clock;
    this.cacheDir = cacheDir;
    this.log = log;
    for (State st : feeds.values()) {
      st.nextFetch = clock.instant();
      try {
        load(st);
      } catch (IOException | RuntimeException e) {
        log.warning().accept(st.tag() + "cached list not used: " + e.getMessage());
      }
      st.publish();
    }
  }

  /**
   * Starts the {@code feeds} thread: it puts the cached lists back, then fetches each feed when its
   * interval has passed.
   */
  public Feeds start() {
    worker =
        Worker.<Runnable>named("feeds")
            .capacity(64)
            .each(Runnable::run)
            .every(() -> Duration.ofSeconds(1), this::tick)
            .errors(m -> log.warning().accept("feeds: " + m))
            .build();
    worker.start();
    worker.submit(this::restoreAll);
    return this;
  }

  /** The feeds' names. */
  public List<String> names() {
    return List.copyOf(feeds.keySet());
  }

  public List<Status> status() {
    List<Status> out = new ArrayList<>();
    for (State st : feeds.values()) {
      out.add(st.status);
    }
    return out;
  }

  /** Every feed entry in force, for the firewall's reconcile. */
  public List<Entry> inForce() {
    List<Entry> out = new ArrayList<>();
    for (State st : feeds.values()) {
      out.addAll(st.entries);
    }
    return out;
  }

  /** Fetches a feed now and waits (on the feeds thread when started); false: no such feed. */
  public boolean refreshNow(String name, Duration limit) throws InterruptedException {
    State st = feeds.get(name);
    if (st == null) {
      return false;
    }
    if (worker == null) {
      refresh(st);
      return true;
    }
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    worker.submit(
        () -> {
          try {
            refresh(st);
          } finally {
            done.countDown();
          }
        });
    return done.await(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Puts every entry in force back with the time it has left (the firewall was re-created). */
  public void reapply() {
    Runnable r =
        () -> {
          for (State st : feeds.values()) {
            put(st, st.inForce, "put back after a reload");
          }
        };
    if (worker == null) {
      r.run();
    } else {
      worker.submit(r);
    }
  }

  private void tick() {
    Instant now = clock.instant();
    for (State st : feeds.values()) {
      if (!now.isBefore(st.nextFetch)) {
        refresh(st);
      }
    }
  }

  /** One fetch of a feed and what follows; never throws. */
  void refresh(State st) {
    FeedSettings s = st.s;
    Instant now = clock.instant();
    st.lastFetch = now;
    st.fetches++;
    st.nextFetch = now.plus(s.interval());
    try {
      FeedFetcher.Fetched f = fetcher.fetch(s, st.etag, st.lastModified);
      Set<IpAddress> listed;
      boolean fresh = !f.notModified();
      if (f.notModified()) {
        st.notModified++;
        listed = st.listed;
      } else {
        FeedEntries e = FeedParser.parse(s.format(), f.pages(), s.maxentries());
        judge(st, e);
        listed = new LinkedHashSet<>(e.entries());
        st.invalid = e.invalid();
        st.refused = e.refused();
        if (e.invalid() > 0) {
          log.info()
              .accept(
                  st.tag()
                      + e.invalid()
                      + " entr"
                      + (e.invalid() == 1 ? "y is" : "ies are")
                      + " not an address, skipped (e.g. "
                      + String.join(", ", e.samples())
                      + ")");
        }
        if (e.refused() > 0) {
          log.warning()
              .accept(
                  st.tag()
                      + e.refused()
                      + " network(s) refused: wider than /8 (IPv4) or /16 (IPv6), or holding"
                      + " loopback");
        }
        if (e.overLimit() > 0) {
          log.warning()
              .accept(
                  st.tag()
                      + e.overLimit()
                      + " entries beyond maxentries = "
                      + s.maxentries()
                      + " left out");
        }
      }
      List<IpAddress> allowed = target.screen(s.jail(), List.copyOf(listed));
      apply(st, new LinkedHashSet<>(allowed), now);
      st.screened = listed.size() - allowed.size();
      st.listed = listed;
      if (fresh) {
        st.etag = f.etag();
        st.lastModified = f.lastModified();
        save(st);
      }
      st.suspect = false;
      if (st.lastError != null) {
        log.info().accept(st.tag() + "fetched again after: " + st.lastError);
      }
      st.lastError = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(st, "interrupted");
    } catch (Exception e) {
      fail(st, e.getMessage() == null ? e.toString() : e.getMessage());
    } finally {
      st.publish();
    }
  }

  /** Refuses a body that does not look like the list (see the class's failure policy). */
  private void judge(State st, FeedEntries e) throws FeedParser.CorruptBody {
    int n = e.entries().size();
    if (e.invalid() > n + e.refused() && e.invalid() > 0) {
      throw new FeedParser.CorruptBody(
          "the body does not look like the list: "
              + e.invalid()
              + " entries are not addresses and "
              + n
              + " are (e.g. "
              + String.join(", ", e.samples())
              + ")");
    }
    int before = st.listed.size();
    if (before >= SHRINK_FLOOR && n < before / SHRINK_DIVISOR) {
      if (!st.suspect) {
        st.suspect = true;
        throw new FeedParser.CorruptBody(
            "the list shrank from "
                + before
                + " to "
                + n
                + " entries: held until the next fetch says the same");
      }
      log.warning()
          .accept(
              st.tag()
                  + "the list shrank from "
                  + before
                  + " to "
                  + n
                  + " entries twice: believed");
    }
  }

  private void apply(State st, Set<IpAddress> wanted, Instant now) throws Exception {
    List<IpAddress> remove = new ArrayList<>();
    List<IpAddress> refresh = new ArrayList<>();
    List<IpAddress> add = new ArrayList<>();
    for (IpAddress ip : st.inForce) {
      (wanted.contains(ip) ? refresh : remove).add(ip);
    }
    for (IpAddress ip : wanted) {
      if (!st.inForce.contains(ip)) {
        add.add(ip);
      }
    }
    long t0 = System.nanoTime();
    target.apply(st.s.jail(), remove, refresh, add, st.s.bantime());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    st.inForce = wanted;
    st.goodAt = now;
    log.info()
        .accept(
            st.tag()
                + wanted.size()
                + " entries in force in jail "
                + st.s.jail()
                + " for "
                + Durations.format(st.s.bantime())
                + " (+"
                + add.size()
                + " -"
                + remove.size()
                + ", kernel "
                + ms
                + " ms)");
  }

  private void fail(State st, String why) {
    st.failures++;
    st.lastError = why;
    Instant end = st.expires();
    log.warning()
        .accept(
            st.tag()
                + "fetch failed: "
                + why
                + "; "
                + (st.inForce.isEmpty()
                    ? "nothing of it is in force"
                    : "the "
                        + st.inForce.size()
                        + " entries in force stay until "
                        + end
                        + " unless a fetch succeeds before")
                + "; next try at "
                + st.nextFetch);
  }

  // ---- the last good list, kept across restarts

  /** Puts the cached lists back into the kernel, screened again; on the feeds thread. */
  private void restoreAll() {
    for (State st : feeds.values()) {
      if (st.goodAt == null || st.inForce.isEmpty()) {
        continue;
      }
      Set<IpAddress> wanted = new LinkedHashSet<>();
      try {
        wanted.addAll(target.screen(st.s.jail(), List.copyOf(st.inForce)));
      } catch (Exception e) {
        log.warning().accept(st.tag() + "cached list not put back: " + e.getMessage());
        continue;
      }
      List<IpAddress> out = new ArrayList<>();
      for (IpAddress ip : st.inForce) {
        if (!wanted.contains(ip)) {
          out.add(ip);
        }
      }
      if (!out.isEmpty()) {
        try {
          target.apply(st.s.jail(), out, List.of(), List.of(), st.s.bantime());
        } catch (Exception e) {
          log.warning()
              .accept(st.tag() + "entries now ignored or allowed not removed: " + e.getMessage());
        }
      }
      st.inForce = wanted;
      st.screened = out.size();
      put(st, wanted, "put back from the cache");
    }
  }

  /**
   * Reads the last good list kept for a restart: in force (as far as the feeds know) until its
   * timeout, so that the firewall's first reconcile counts its elements as the feed's.
   */
  private void load(State st) throws IOException {
    if (cacheDir == null) {
      return;
    }
    Path list = cacheDir.resolve(st.s.name() + ".list");
    Path meta = cacheDir.resolve(st.s.name() + ".meta");
    if (!Files.isRegularFile(list) || !Files.isRegularFile(meta)) {
      return;
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    if (!st.s.source().equals(p.getProperty("source"))
        || !st.s.jail().equals(p.getProperty("jail"))) {
      return; // the feed was pointed elsewhere: the old list is not this one
    }
    Instant good = Instant.ofEpochSecond(Long.parseLong(p.getProperty("good", "0")));
    Set<IpAddress> listed = new LinkedHashSet<>();
    for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
      IpAddress ip = IpAddress.parseOrNull(line);
      if (ip != null && !FeedEntries.tooWide(ip) && listed.size() < st.s.maxentries()) {
        listed.add(ip);
      }
    }
    st.listed = listed;
    Instant now = clock.instant();
    if (!good.plus(st.s.bantime()).isAfter(now)) {
      return; // too old to count on: fetch the whole list now
    }
    st.etag = p.getProperty("etag");
    st.lastModified = p.getProperty("lastModified");
    st.nextFetch = good.plus(st.s.interval()).isAfter(now) ? good.plus(st.s.interval()) : now;
    st.goodAt = good;
    st.inForce = new LinkedHashSet<>(listed);
  }

  /** Adds entries with what is left of their time (after a restart or a reload). */
  private void put(State st, Set<IpAddress> entries, String why) {
    Instant end = st.expires();
    if (end == null || entries.isEmpty()) {
      return;
    }
    Duration left = Duration.between(clock.instant(), end);
    if (left.isNegative() || left.isZero()) {
      return;
    }
    try {
      target.apply(st.s.jail(), List.of(), List.of(), List.copyOf(entries), left);
      log.info().accept(st.tag() + entries.size() + " entries " + why + ", until " + end);
    } catch (Exception e) {
      st.lastError = "entries not " + why + ": " + e.getMessage();
      log.warning().accept(st.tag() + st.lastError);
    }
    st.publish();
  }

  private void save(State st) {
    if (cacheDir == null) {
      return;
    }
    try {
      Files.createDirectories(cacheDir);
      StringBuilder b = new StringBuilder(st.listed.size() * 16);
      for (IpAddress ip : st.listed) {
        b.append(ip).append('\n');
      }
      write(cacheDir.resolve(st.s.name() + ".list"), b.toString());
      Properties p = new Properties();
      p.setProperty("source", st.s.source());
      p.setProperty("jail", st.s.jail());
      p.setProperty("good", Long.toString(st.goodAt.getEpochSecond()));
      if (st.etag != null) {
        p.setProperty("etag", st.etag);
      }
      if (st.lastModified != null) {
        p.setProperty("lastModified", st.lastModified);
      }
      java.io.StringWriter w = new java.io.StringWriter();
      p.store(w, "portcullis feed " + st.s.name());
      write(cacheDir.resolve(st.s.name() + ".meta"), w.toString());
    } catch (IOException e) {
      log.warning().accept(st.tag() + "cannot keep the list for a restart: " + e.getMessage());
    }
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    if (worker != null) {
      try {
        worker.stop(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
