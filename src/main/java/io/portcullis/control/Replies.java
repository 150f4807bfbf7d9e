package io.portcullis.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The answers of the control protocol, as records both sides serialize with Jackson ({@link
 * ReplyWriter}; databind's {@link ProtocolMapper#JSON} for HTTP); docs/protocol.md shows them as
 * JSON. Fields that are null are left out, except where the protocol gives null a meaning.
 */
public final class Replies {
  private Replies() {}

  /** {@code status}: the server as a whole. */
  public record ServerStatus(
      List<String> jails,
      Map<String, List<String>> broken,
      int bans,
      Map<String, FirewallStatus> firewall,
      long started,
      StoreStatus store,
      @JsonInclude(JsonInclude.Include.NON_NULL) FleetStatus fleet,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FeedStatus> feeds) {
    public ServerStatus {
      jails = List.copyOf(jails);
      feeds = feeds == null ? List.of() : List.copyOf(feeds);
      broken = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(broken));
      firewall = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(firewall));
    }

    /** A server without a store report or a fleet. */
    public ServerStatus(
        List<String> jails,
        Map<String, List<String>> broken,
        int bans,
        Map<String, FirewallStatus> firewall,
        long started) {
      this(jails, broken, bans, firewall, started, null, null);
    }

    /** A server without feeds. */
    public ServerStatus(
        List<String> jails,
        Map<String, List<String>> broken,
        int bans,
        Map<String, FirewallStatus> firewall,
        long started,
        StoreStatus store,
        FleetStatus fleet) {
      this(jails, broken, bans, firewall, started, store, fleet, List.of());
    }
  }

  /**
   * A blocklist feed ({@code [feed-NAME]}): the entries it has in force in its jail's firewall sets
   * (not counted in {@code bans}), when they were last set and when they end unless a fetch renews
   * them, the last fetch and its error (absent when it went well), the next fetch (epoch seconds; 0
   * for never). {@code invalid}: entries of the last body that were not addresses; {@code refused}:
   * networks too wide; {@code screened}: entries the jail ignores or allows.
   */
  public record FeedStatus(
      String name,
      String jail,
      String source,
      String format,
      int entries,
      long lastFetch,
      long lastGood,
      long expires,
      @JsonInclude(JsonInclude.Include.NON_NULL) String error,
      long nextFetch,
      long fetches,
      long notModified,
      long failures,
      int invalid,
      int refused,
      int screened) {}

  /**
   * This node's part of a fleet ({@code [fleet]}): whether Redis is reachable, the events waiting
   * for it ({@code queued}; {@code dropped}: lost to a full queue), this node's bans published,
   * other nodes' events received, those applied here, and those refused (ignored or allowed here).
   * {@code remote}: bans in force here that came from other nodes. {@code peers}: the trusted nodes
   * and their addresses, which pass this node's shields; {@code peersRefused}: the nodes whose
   * addresses were refused at the last read, each with the reason.
   */
  public record FleetStatus(
      String node,
      String redis,
      boolean connected,
      int queued,
      long dropped,
      long published,
      long received,
      long applied,
      long refused,
      int remote,
      @JsonInclude(JsonInclude.Include.NON_NULL) String error,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, List<String>> peers,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> peersRefused) {
    public FleetStatus {
      peers = peers == null ? Map.of() : Map.copyOf(peers);
      peersRefused = peersRefused == null ? List.of() : List.copyOf(peersRefused);
    }
  }

  /**
   * The ban store: its file, the writes kept in memory because it cannot take them now, and what is
   * wrong ("disk full: ...", a corrupt file set aside at start ...; empty when all is well).
   */
  public record StoreStatus(String file, int kept, List<String> problems) {
    public StoreStatus {
      problems = List.copyOf(problems);
    }
  }

  /**
   * {@code ban} and {@code unban}: how many addresses were banned (or bans lifted), how many of
   * those changes the store has on disk, and what each action (of each jail concerned) made of
   * them.
   *
   * @param store why the store does not have them all (null when it does)
   */
  public record BanResult(int count, int stored, String store, List<ActionResult> actions) {
    public BanResult {
      actions = List.copyOf(actions);
    }

    /** Whether the store has every change and every action that keeps addresses out applied it. */
    public boolean complete() {
      return stored == count
          && actions.stream().allMatch(a -> !a.keepsOut() || a.failed() + a.pending() == 0);
    }
  }

  /**
   * One action's part in a {@code ban} or {@code unban}: changes applied (for a firewall: accepted
   * by the kernel), failed (with the first error), and still pending when the answer was due.
   *
   * @param keepsOut whether the action keeps addresses out (a firewall, an action.d command), as
   *     opposed to telling somebody (log, mail, webhook)
   */
  public record ActionResult(
      String jail,
      String action,
      boolean keepsOut,
      int applied,
      int failed,
      int pending,
      String error) {}

  /** A firewall backend: changes the kernel accepted since start, and what is wrong with it now. */
  public record FirewallStatus(long applied, String error) {}

  /**
   * {@code status JAIL}: one jail. {@code regexBudgetHits}: lines whose regex search gave up at its
   * step budget (crafted to backtrack) since the jail started; they were not matched.
   */
  public record JailStatus(
      String jail,
      String filter,
      String source,
      List<String> files,
      long lines,
      Failures failures,
      Bans bans,
      List<Allowed> allowed,
      List<String> ignoreip,
      List<ActionState> actions,
      Boolean conntrack,
      List<String> problems,
      LogReading reading,
      long regexBudgetHits,
      List<Trusted> trusted,
      List<AccountUnderAttack> accounts,
      @JsonInclude(JsonInclude.Include.NON_NULL) RateLimited ratelimited) {
    public JailStatus {
      files = List.copyOf(files);
      allowed = List.copyOf(allowed);
      trusted = trusted == null ? List.of() : List.copyOf(trusted);
      accounts = accounts == null ? List.of() : List.copyOf(accounts);
      ignoreip = List.copyOf(ignoreip);
      actions = List.copyOf(actions);
      problems = List.copyOf(problems);
    }
  }

  /**
   * A jail's rate limits ({@code ratelimit}): the sources (IPv4 addresses, IPv6 /64) over a limit
   * at the server's last look, and how many distinct ones were since start.
   */
  public record RateLimited(String limit, List<String> now, long total) {
    public RateLimited {
      now = List.copyOf(now);
    }
  }

  /**
   * What reading the jail's log files met since start (null for the journal): lines over the length
   * limit skipped whole, lines cut by a truncation dropped, NUL bytes removed, rotations and
   * truncations followed, unread ends read from a rotated copy, and bytes lost because the copy was
   * gone (compressed) before they could be read.
   */
  public record LogReading(
      long overlongLines,
      long cutLines,
      long nulBytes,
      long rotations,
      long truncations,
      long tailsFromCopies,
      long unreadBytesLost) {}

  /**
   * Addresses failing now (within findtime), failures counted since start, and addresses whose
   * failures were dropped since start (the oldest first) to keep within maxtrackedmemory; {@code
   * guardDropped}: addresses and accounts whose pairing, account or user-name state was dropped
   * (least recently failing first) to keep within its share of maxtrackedmemory.
   */
  public record Failures(int current, long total, long dropped, long guardDropped) {}

  /** Bans in force now (and their addresses), and bans since start. */
  public record Bans(int current, long total, List<String> list) {
    public Bans {
      list = List.copyOf(list);
    }
  }

  /** An address allowed after a successful login, until an epoch second. */
  public record Allowed(String ip, long until) {}

  /**
   * One reason a jail trusts an address: {@code login}, {@code registered} or {@code command},
   * until an epoch second, for a service ({@code pjsip}, {@code ami} ...; null: all the jail
   * watches) and account, where it comes from, and its failures since (within findtime; {@code
   * allowfailures} of them withdraw the trust and ban).
   */
  public record Trusted(
      String ip,
      String reason,
      long until,
      String service,
      String account,
      String detail,
      int failures) {}

  /**
   * An account under attack (many addresses failing on it): until then every untrusted address
   * failing on it is banned at its first failure. Epoch seconds; the failures and distinct
   * addresses that put it there.
   */
  public record AccountUnderAttack(
      String account, String service, long since, long until, int failures, int addresses) {}

  /**
   * An action of a jail: whether its last call worked, and whether its side is in place (null: the
   * action cannot tell).
   */
  public record ActionState(String name, boolean ok, Boolean inPlace, String error) {}

  /**
   * {@code banned}: a ban in force; {@code end} null for a ban for ever. {@code inside}: for a
   * network, the addresses and networks inside it banned in the same jail (those that earned it,
   * while their own bans last); left out when empty.
   */
  public record BanEntry(
      String jail,
      String ip,
      long time,
      @JsonInclude(JsonInclude.Include.ALWAYS) Long end,
      int failures,
      int bancount,
      @JsonInclude(JsonInclude.Include.NON_NULL) String origin,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> inside,
      @JsonInclude(JsonInclude.Include.NON_NULL) String country) {
    public BanEntry {
      inside = inside == null ? List.of() : List.copyOf(inside);
    }

    /** A ban this node decided, with nothing inside it, no country known. */
    public BanEntry(String jail, String ip, long time, Long end, int failures, int bancount) {
      this(jail, ip, time, end, failures, bancount, null, List.of(), null);
    }
  }

  /** The kinds of {@link Event}. */
  public enum EventKind {
    /** a failure the jail counted */
    FAILURE,
    /** a ban put in force */
    BAN,
    /** a ban lifted */
    UNBAN,
    /** an address allowed (after a successful login, or by command) */
    ALLOW,
    /** the kernel accepted a ban that a log line caused (live feed only, not kept) */
    BLOCKED;

    @com.fasterxml.jackson.annotation.JsonValue
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static EventKind of(String word) {
      return valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /**
   * Something that happened to an address in a jail ({@code why}, the HTTP history and live feed).
   * Fields that do not belong to the kind are left out.
   *
   * @param time epoch seconds (a failure's: its log line's)
   * @param ip the failure id: the address, or the text of a filter's {@code <F-ID>}
   * @param count failure: the n-th within findtime
   * @param failures ban: how many failures led to it (0: by command)
   * @param bantime ban: seconds, -1 for ever
   * @param bancount ban: which ban of this address in this jail
   * @param until allow: epoch seconds
   * @param reason unban: {@code ended} or {@code by command}
   * @param latency blocked: seconds from reading the line that crossed maxretry to the kernel
   * @param evidence failure, allow after a login: the lines and what matched them
   * @param causes ban ({@code why} only): the failures it took as evidence, oldest first
   */
  public record Event(
      EventKind kind,
      long time,
      String jail,
      String ip,
      Integer count,
      Integer failures,
      Long bantime,
      Integer bancount,
      Long until,
      String reason,
      Double latency,
      Evidence evidence,
      List<Event> causes) {
    public Event {
      causes = causes == null ? null : List.copyOf(causes);
    }

    /** A failure the jail counted: the {@code count}-th within findtime. */
    public static Event failure(long time, String jail, String ip, int count, Evidence evidence) {
      return new Event(
          EventKind.FAILURE,
          time,
          jail,
          ip,
          count,
          null,
          null,
          null,
          null,
          null,
          null,
          evidence,
          null);
    }

    /** A ban put in force; {@code causes} only for {@code why}, else null. */
    public static Event ban(
        long time,
        String jail,
        String ip,
        int failures,
        long bantime,
        int bancount,
        List<Event> causes) {
      return new Event(
          EventKind.BAN,
          time,
          jail,
          ip,
          null,
          failures,
          bantime,
          bancount,
          null,
          null,
          null,
          null,
          causes);
    }

    /** A ban lifted, and why ({@code ended} or {@code by command}). */
    public static Event unban(long time, String jail, String ip, String reason) {
      return new Event(
          EventKind.UNBAN, time, jail, ip, null, null, null, null, null, reason, null, null, null);
    }

    /** An address allowed until {@code until} (epoch seconds), and why. */
    public static Event allow(
        long time, String jail, String ip, long until, String reason, Evidence evidence) {
      return new Event(
          EventKind.ALLOW,
          time,
          jail,
          ip,
          null,
          null,
          null,
          null,
          until,
          reason,
          null,
          evidence,
          null);
    }

    /** The kernel took a ban {@code latency} seconds after its line was read (null: unknown). */
    public static Event blocked(long time, String jail, String ip, Double latency) {
      return new Event(
          EventKind.BLOCKED,
          time,
          jail,
          ip,
          null,
          null,
          null,
          null,
          null,
          null,
          latency,
          null,
          null);
    }
  }

  /**
   * The lines behind a failure or a login, as the log holds them (written by the client: show them
   * as text).
   *
   * @param file null when they came from the journal
   * @param regex the failregex or successregex that matched, as the filter writes it
   */
  public record Evidence(String file, String filter, String regex, List<String> lines) {
    public Evidence {
      lines = List.copyOf(lines);
    }
  }

  /**
   * {@code why IP}: an address's bans in force, and its history newest first (the failures a ban
   * took are in its {@code causes}, not repeated). {@code more}: older events were left out.
   */
  public record History(
      String ip,
      List<BanEntry> banned,
      List<Event> events,
      boolean more,
      Map<String, List<Trusted>> trusted,
      @JsonInclude(JsonInclude.Include.NON_NULL) String country) {
    public History {
      banned = List.copyOf(banned);
      events = List.copyOf(events);
      trusted =
          trusted == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(trusted));
    }
  }

  /**
   * A ban in force with the failures that led to it (oldest first; none for a ban by command);
   * {@code inside} as in {@link BanEntry}.
   */
  public record BanDetail(
      String jail,
      String ip,
      long time,
      @JsonInclude(JsonInclude.Include.ALWAYS) Long end,
      int failures,
      int bancount,
      List<Event> evidence,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> inside,
      @JsonInclude(JsonInclude.Include.NON_NULL) String country) {
    public BanDetail {
      evidence = List.copyOf(evidence);
      inside = inside == null ? List.of() : List.copyOf(inside);
    }
  }

  /**
   * Failures and bans over a window: per jail and step of time (oldest step first), and the
   * addresses and networks (/24, /64) with the most failures.
   *
   * @param from epoch seconds, the start of the first step
   * @param step seconds per step
   */
  public record Stats(
      long from,
      long to,
      long step,
      Map<String, Series> jails,
      List<Offender> addresses,
      List<Offender> networks) {
    public Stats {
      jails = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(jails));
      addresses = List.copyOf(addresses);
      networks = List.copyOf(networks);
    }
  }

  /** One jail's failures and bans per step. */
  public record Series(List<Integer> failures, List<Integer> bans) {
    public Series {
      failures = List.copyOf(failures);
      bans = List.copyOf(bans);
    }
  }

  /**
   * An address or a network and what came from it; {@code addresses}: how many different ones (a
   * network only).
   */
  public record Offender(String address, int failures, int bans, Integer addresses) {}

  /**
   * A jail's counters since it started (a reload starts them again), read without asking the jail's
   * thread: for metrics.
   *
   * @param regexBudgetHits lines whose regex search ran out of its step budget
   * @param actionErrors failed action calls (each attempt) per action
   */
  public record JailCounters(
      long lines,
      long failures,
      long bans,
      long unbans,
      long regexBudgetHits,
      int bannedV4,
      int bannedV6,
      int allowed,
      Map<String, Long> actionErrors,
      @JsonInclude(JsonInclude.Include.NON_NULL) RateLimited ratelimited) {
    public JailCounters {
      actionErrors =
          java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(actionErrors));
    }
  }
}
