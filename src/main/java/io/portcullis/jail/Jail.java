package io.portcullis.jail;

import io.portcullis.filter.FilterMatch;
import io.portcullis.net.IpAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * One jail's decisions. Failures are counted per failure id in a sliding window of findtime; the
 * failure that makes maxretry within the window bans. Addresses on the ignore list are never
 * counted; a successful login allows its address for allowtime and forgets its pending failures.
 *
 * <p>Not thread-safe: confine to the jail's thread. Time is the event's own time (the log's), never
 * the clock, so the same logic replays a log exactly.
 */
public final class Jail {
  private JailSettings settings;
  private final BanHistory history;
  private final Predicate<IpAddress> externalIgnore;
  private final Random random;
  private final FailureTable failures;
  private final Map<IpAddress, Instant> allowed = new LinkedHashMap<>();
  private final Map<String, Instant> banned = new HashMap<>();
  private final List<IpAddress> ignoreip;

  /**
   * @param externalIgnore further ignore rules decided outside (ignoreself, ignorecommand)
   */
  public Jail(
      JailSettings settings,
      BanHistory history,
      Predicate<IpAddress> externalIgnore,
      Random random) {
    this.settings = settings;
    this.history = history;
    this.externalIgnore = externalIgnore;
    this.random = random;
    this.ignoreip = new ArrayList<>(settings.ignoreip());
    this.failures = new FailureTable(settings.maxtrackedmemory());
  }

  public JailSettings settings() {
    return settings;
  }

  public String name() {
    return settings.name();
  }

  /** Changes maxretry, findtime or bantime at run time. */
  public void update(JailSettings next) {
    if (!next.name().equals(settings.name())) {
      throw new IllegalArgumentException("jail name cannot change");
    }
    this.settings = next;
    failures.maxBytes(next.maxtrackedmemory());
  }

  /** Handles a filter match: a failure (maybe a ban) or a success (allow). */
  public Outcome on(FilterMatch m, Instant fallbackTime) {
    Instant t = m.time() != null ? m.time() : fallbackTime;
    if (m.kind() == FilterMatch.Kind.SUCCESS) {
      if (m.ip() == null) {
        return Outcome.of(Outcome.Kind.IGNORED, m.fid(), 0);
      }
      allow(m.ip(), t);
      return Outcome.of(Outcome.Kind.SUCCESS, m.fid(), 0);
    }
    return failure(m.fid(), m.ip(), t, m.lines(), captured(m.groups()));
  }

  private static final java.util.Set<String> INTERNAL =
      java.util.Set.of(
          "ip4",
          "ip6",
          "dns",
          "fid",
          "mlfid",
          "content",
          "cidr",
          "nofail",
          "mlfforget",
          "mlfgained",
          "mlfpending");

  /** The filter's named fields worth passing on to actions (user, port ...), not its internals. */
  private static Map<String, String> captured(Map<String, String> groups) {
    Map<String, String> out = new LinkedHashMap<>();
    groups.forEach(
        (k, v) -> {
          if (!INTERNAL.contains(k)
              && !k.startsWith("skiplines")
              && !k.startsWith("alt_")
              && !k.startsWith("tuple_")
              && !k.startsWith("_")) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** Counts one failure of {@code fid} at time {@code t}. */
  public Outcome failure(String fid, IpAddress ip, Instant t, List<String> lines) {
    return failure(fid, ip, t, lines, Map.of());
  }

  private Outcome failure(
      String fid, IpAddress ip, Instant t, List<String> lines, Map<String, String> data) {
    if (ip != null && ignored(ip)) {
      return Outcome.of(Outcome.Kind.IGNORED, fid, 0);
    }
    if (ip != null && allowedAt(ip, t)) {
      return Outcome.of(Outcome.Kind.ALLOWED, fid, 0);
    }
    Instant bannedUntil = banned.get(fid);
    if (bannedUntil != null && (bannedUntil.equals(Instant.MAX) || bannedUntil.isAfter(t))) {
      return Outcome.of(Outcome.Kind.ALREADY_BANNED, fid, 0);
    }
    long seconds = t.getEpochSecond();
    int count =
        failures.add(
            fid,
            seconds,
            seconds - settings.findtime().getSeconds(),
            lines,
            data,
            settings.maxmatches());
    if (count < settings.maxretry()) {
      return Outcome.of(Outcome.Kind.COUNTED, fid, count);
    }
    FailureTable.Taken f = failures.take(fid);
    BanDecision ban = decide(fid, ip, t, f.count(), f.lines(), f.data());
    banned.put(fid, ban.end() == null ? Instant.MAX : ban.end());
    return new Outcome(Outcome.Kind.BANNED, fid, f.count(), java.util.Optional.of(ban));
  }

  /** A ban given by command (portcullis ban JAIL IP). */
  public BanDecision manualBan(String fid, IpAddress ip, Instant t) {
    failures.remove(fid);
    BanDecision ban = decide(fid, ip, t, 0, List.of(), Map.of());
    banned.put(fid, ban.end() == null ? Instant.MAX : ban.end());
    return ban;
  }

  /** Tells the jail a ban is in force (restored from the store) until {@code end} (null: ever). */
  public void restored(String fid, Instant end) {
    banned.put(fid, end == null ? Instant.MAX : end);
  }

  /** The ban of {@code fid} ended or was lifted. */
  public void unbanned(String fid) {
    banned.remove(fid);
  }

  private BanDecision decide(
      String fid,
      IpAddress ip,
      Instant t,
      int count,
      List<String> matches,
      Map<String, String> data) {
    JailSettings.Increment inc = settings.increment();
    int previous =
        inc.enabled() ? history.previousBans(inc.overalljails() ? null : name(), fid) : 0;
    Duration bantime = settings.bantime();
    if (!bantime.isNegative() && inc.enabled()) {
      bantime = BanTimes.increase(bantime, previous, inc, random);
    }
    return new BanDecision(name(), fid, ip, t, bantime, previous + 1, count, matches, data);
  }

  private boolean ignored(IpAddress ip) {
    for (IpAddress net : ignoreip) {
      if (net.contains(ip)) {
        return true;
      }
    }
    return externalIgnore.test(ip);
  }

  // ---- allow-on-success

  /** Allows an address for allowtime from {@code t} and forgets its pending failures. */
  public void allow(IpAddress ip, Instant t) {
    if (settings.allowtime().isZero()) {
      return;
    }
    allowed.put(ip, t.plus(settings.allowtime()));
    failures.remove(ip.toString());
  }

  /** Allows an address until a given time (restore, or command). */
  public void allowUntil(IpAddress ip, Instant until) {
    allowed.put(ip, until);
    failures.remove(ip.toString());
  }

  public boolean disallow(IpAddress ip) {
    return allowed.remove(ip) != null;
  }

  private boolean allowedAt(IpAddress ip, Instant t) {
    Instant until = allowed.get(ip);
    if (until == null) {
      return false;
    }
    if (until.isAfter(t)) {
      return true;
    }
    allowed.remove(ip);
    return false;
  }

  /** Addresses allowed at {@code t}, with their end. */
  public Map<IpAddress, Instant> allowed(Instant t) {
    allowed.values().removeIf(until -> !until.isAfter(t));
    return Collections.unmodifiableMap(new LinkedHashMap<>(allowed));
  }

  // ---- ignore list

  public void addIgnore(IpAddress ip) {
    if (!ignoreip.contains(ip)) {
      ignoreip.add(ip);
    }
    failures.removeIf(
        fid -> {
          IpAddress a = IpAddress.parseOrNull(fid);
          return a != null && ip.contains(a);
        });
  }

  public boolean removeIgnore(IpAddress ip) {
    return ignoreip.remove(ip);
  }

  public List<IpAddress> ignoreList() {
    return List.copyOf(ignoreip);
  }

  /** Failure ids with failures still within findtime at {@code t}, and their counts. */
  public Map<String, Integer> pending(Instant t) {
    return failures.pending(t.getEpochSecond() - settings.findtime().getSeconds());
  }

  /** How many failure ids have failures within findtime at {@code t}. */
  public int failing(Instant t) {
    return failures.failing(t.getEpochSecond() - settings.findtime().getSeconds());
  }

  /**
   * Failure ids dropped so far, oldest first, because their failures would have taken more than
   * maxtrackedmemory.
   */
  public long dropped() {
    return failures.dropped();
  }

  /** Memory the tracked failures take now, in bytes. */
  public long trackedBytes() {
    return failures.bytes();
  }
}
