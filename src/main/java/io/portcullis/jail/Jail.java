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
 * counted; a successful login trusts its address for allowtime and forgets its pending failures.
 * Beyond that ({@link Guards}, state in {@link Guard}): the lines of one attempt count once, trust
 * covers the service it was earned on and is withdrawn after allowfailures failures, an account
 * under attack bans each address failing on it, and so does failing on more than maxusers names.
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
  private final Guard guard;
  private final Map<String, Instant> banned = new HashMap<>();
  private final Map<IpAddress, Instant> bannedNetworks = new HashMap<>();
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
    this.failures = new FailureTable(settings.maxtrackedmemory());
    this.guard = new Guard(settings.maxtrackedmemory());
    this.ignoreip = new ArrayList<>(settings.ignoreip());
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
    guard.maxBytes(next.maxtrackedmemory());
  }

  /** Handles a filter match: a failure (maybe a ban) or a success (trust). */
  public Outcome on(FilterMatch m, Instant fallbackTime) {
    Instant t = m.time() != null ? m.time() : fallbackTime;
    String service = ServiceKey.of(m.groups().get("service"));
    Account account = Account.of(m.groups());
    if (m.kind() == FilterMatch.Kind.SUCCESS) {
      if (m.ip() == null) {
        return Outcome.of(Outcome.Kind.IGNORED, m.fid(), 0);
      }
      List<Notice> notices =
          guard.login(m.ip(), service, account, t, settings, ip -> isBanned(ip.toString(), t));
      if (notices.stream().anyMatch(n -> n instanceof Notice.TrustGranted)) {
        failures.remove(m.ip().toString());
        guard.forget(m.ip().toString());
      }
      return Outcome.of(Outcome.Kind.SUCCESS, m.fid(), 0).with(notices);
    }
    return failure(
        m.fid(), m.ip(), t, m.lines(), captured(m.groups()), service, account, m.regex(), port(m));
  }

  /** The source port a line names ({@code <F-PORT>}), or -1. */
  private static int port(FilterMatch m) {
    String p = m.groups().get("fport");
    if (p == null || p.isEmpty() || p.length() > 5) {
      return -1;
    }
    for (int i = 0; i < p.length(); i++) {
      if (p.charAt(i) < '0' || p.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(p);
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
    return failure(fid, ip, t, lines, Map.of(), null, null, 0, -1);
  }

  private Outcome failure(
      String fid,
      IpAddress ip,
      Instant t,
      List<String> lines,
      Map<String, String> data,
      String service,
      Account account,
      int regex,
      int port) {
    if (ip != null && ignored(ip)) {
      return Outcome.of(Outcome.Kind.IGNORED, fid, 0);
    }
    Pairing.Attempt attempt = guard.pair(fid, service, regex, port, t, settings.findtime());
    boolean fresh = attempt == null || attempt.fresh;
    Outcome.Cause cause = null;
    List<Notice> notices = new ArrayList<>(0);
    if (ip != null) {
      Guard.TrustResult tr = guard.trust(ip, service, fresh, t, settings);
      if (tr.step() == Guard.TrustStep.ALLOWED) {
        return Outcome.of(Outcome.Kind.ALLOWED, fid, tr.failures());
      }
      if (tr.step() == Guard.TrustStep.WITHDRAWN) {
        cause = Outcome.Cause.TRUST_WITHDRAWN;
        notices.add(new Notice.TrustWithdrawn(ip, tr.failures(), settings.findtime()));
      }
    }
    if (cause == null && isBanned(fid, t)) {
      return Outcome.of(Outcome.Kind.ALREADY_BANNED, fid, 0);
    }
    if (cause == null && ip != null && inBannedNetwork(ip, t)) {
      return Outcome.of(Outcome.Kind.ALREADY_BANNED, fid, 0);
    }
    if (cause == null) {
      cause = guard.accounts(name(), fid, attempt, account, t, settings, notices);
    }
    if (!fresh && cause == null) {
      return Outcome.of(Outcome.Kind.PAIRED, fid, 0).with(notices);
    }
    int count;
    if (fresh) {
      long seconds = t.getEpochSecond();
      count =
          failures.add(
              fid,
              seconds,
              seconds - settings.findtime().getSeconds(),
              lines,
              data,
              settings.maxmatches());
    } else {
      count = failures.count(fid);
    }
    if (cause == null && count >= settings.maxretry()) {
      cause = Outcome.Cause.MAXRETRY;
    }
    if (cause == null) {
      return Outcome.of(Outcome.Kind.COUNTED, fid, count).with(notices);
    }
    FailureTable.Taken f = failures.take(fid);
    if (f == null) {
      f = new FailureTable.Taken(0, List.of(), Map.of());
    }
    guard.forget(fid);
    BanDecision ban = decide(fid, ip, t, f.count(), f.lines(), f.data());
    markBanned(fid, ban.end());
    return new Outcome(
        Outcome.Kind.BANNED, fid, f.count(), java.util.Optional.of(ban), cause, notices);
  }

  private boolean isBanned(String fid, Instant t) {
    Instant bannedUntil = banned.get(fid);
    return bannedUntil != null && (bannedUntil.equals(Instant.MAX) || bannedUntil.isAfter(t));
  }

  /** A ban given by command (portcullis ban JAIL IP). */
  public BanDecision manualBan(String fid, IpAddress ip, Instant t) {
    failures.remove(fid);
    BanDecision ban = decide(fid, ip, t, 0, List.of(), Map.of());
    markBanned(fid, ban.end());
    return ban;
  }

  /**
   * A ban of a whole network that the bans of {@code addresses} of it earned (see {@code
   * io.portcullis.shield.NetworkEscalation}); failures from inside it count as already banned.
   */
  public BanDecision networkBan(IpAddress network, Instant t, int addresses) {
    String fid = network.toString();
    failures.removeIf(
        f -> {
          IpAddress a = IpAddress.parseOrNull(f);
          return a != null && network.contains(a);
        });
    BanDecision ban = decide(fid, network, t, addresses, List.of(), Map.of());
    markBanned(fid, ban.end());
    return ban;
  }

  /** Tells the jail a ban is in force (restored from the store) until {@code end} (null: ever). */
  public void restored(String fid, Instant end) {
    markBanned(fid, end);
  }

  /** The ban of {@code fid} ended or was lifted. */
  public void unbanned(String fid) {
    banned.remove(fid);
    IpAddress net = IpAddress.parseOrNull(fid);
    if (net != null && net.prefix() >= 0) {
      bannedNetworks.remove(net);
    }
  }

  private void markBanned(String fid, Instant end) {
    Instant until = end == null ? Instant.MAX : end;
    banned.put(fid, until);
    // a network's fid is its canonical form, which has a '/': an address's fid is not parsed
    // again (a restore marks 100,000 of them)
    IpAddress net = fid.indexOf('/') < 0 ? null : IpAddress.parseOrNull(fid);
    if (net != null && net.prefix() >= 0) {
      bannedNetworks.put(net, until);
    }
  }

  private boolean inBannedNetwork(IpAddress ip, Instant t) {
    if (bannedNetworks.isEmpty()) {
      return false;
    }
    for (Map.Entry<IpAddress, Instant> e : bannedNetworks.entrySet()) {
      if (e.getKey().contains(ip)
          && (e.getValue().equals(Instant.MAX) || e.getValue().isAfter(t))) {
        return true;
      }
    }
    return false;
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

  /**
   * Whether a ban decided elsewhere (another node of a fleet, a feed) must not touch this address
   * at {@code t}: the jail ignores it or allows it.
   */
  public Outcome.Kind screen(IpAddress ip, Instant t) {
    if (ignored(ip)) {
      return Outcome.Kind.IGNORED;
    }
    return guard.trust.trusted(ip, t) ? Outcome.Kind.ALLOWED : null;
  }

  private boolean ignored(IpAddress ip) {
    for (IpAddress net : ignoreip) {
      if (net.contains(ip)) {
        return true;
      }
    }
    return externalIgnore.test(ip);
  }

  // ---- trust: allow-on-success, registrations, the admin's allow list

  /**
   * A login from {@code ip} at {@code t} on no known account or service: trusts it for allowtime
   * (jail-wide) and forgets its pending failures.
   */
  public void allow(IpAddress ip, Instant t) {
    if (!guard.login(ip, null, null, t, settings, a -> false).isEmpty()) {
      failures.remove(ip.toString());
      guard.forget(ip.toString());
    }
  }

  /** Trusts an address until a given time, jail-wide (the admin, or a restart's restore). */
  public void allowUntil(IpAddress ip, Instant until) {
    guard.trust.grant(ip, TrustReason.COMMAND, until, null, null, "allowed by command");
    failures.remove(ip.toString());
    guard.forget(ip.toString());
  }

  /**
   * Trust kept in the store from before a restart: restored as a login's, jail-wide (the store
   * keeps neither service nor reason), so that failures can still withdraw it.
   */
  public void restoreTrust(IpAddress ip, Instant until) {
    guard.trust.grant(ip, TrustReason.LOGIN, until, null, null, "login before the restart");
  }

  public boolean disallow(IpAddress ip) {
    return guard.trust.remove(ip);
  }

  /**
   * The registrations {@code source} reads from the SIP server now: each is trusted while it lasts
   * (not an address banned in this jail); those no longer listed lose that trust. Returns the
   * registrations newly trusted.
   */
  public List<Registration> registered(String source, List<Registration> now, Instant t) {
    List<Registration> added =
        guard.trust.registrations(source, now, ip -> !isBanned(ip.toString(), t));
    for (Registration r : added) {
      failures.remove(r.ip().toString());
      guard.forget(r.ip().toString());
    }
    return added;
  }

  /** Addresses trusted at {@code t}, with the end of their longest grant. */
  public Map<IpAddress, Instant> allowed(Instant t) {
    return Collections.unmodifiableMap(guard.trust.until(t));
  }

  /** Why each trusted address is trusted at {@code t}, until when, for what. */
  public List<Trusted> trusted(Instant t) {
    return guard.trust.list(t, settings.findtime().toMillis());
  }

  /** The accounts under attack at {@code t}. */
  public List<AccountAttack> accountsUnderAttack(Instant t) {
    return guard.accounts.attacked(t.toEpochMilli());
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

  /**
   * Addresses and accounts whose pairing, account or user-name state was dropped so far, least
   * recently failing first, to stay within their share of maxtrackedmemory (an eighth each for
   * pairing, accounts and user names).
   */
  public long guardDropped() {
    return guard.dropped();
  }

  /** Memory that state takes now (estimated bytes). */
  public long guardBytes() {
    return guard.bytes();
  }

  /** Memory the tracked failures take now, in bytes. */
  public long trackedBytes() {
    return failures.bytes();
  }
}
