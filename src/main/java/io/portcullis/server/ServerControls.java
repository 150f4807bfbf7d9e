package io.portcullis.server;

import io.portcullis.ban.AddressEvent;
import io.portcullis.ban.AddressEvents;
import io.portcullis.config.ConfigException;
import io.portcullis.config.JailsReader;
import io.portcullis.config.UnknownJailException;
import io.portcullis.control.JailControl;
import io.portcullis.control.Replies;
import io.portcullis.control.ServerControl;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.plan.Assembly;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The server as the control commands see it; the jails answer for themselves. */
final class ServerControls implements ServerControl {
  private final Server server;
  private final Shared shared;
  private final Instant started;

  /** How long a command waits for the store's thread. */
  private static final Duration STORE_WAIT = Duration.ofSeconds(30);

  /** {@code why} shows at most this many events of an address. */
  private static final int WHY_LIMIT = 500;

  /** The top offenders shown by {@code stats}. */
  private static final int TOP = 10;

  private static final java.util.Comparator<Replies.Offender> OFFENDERS =
      java.util.Comparator.comparingInt(Replies.Offender::failures)
          .thenComparingInt(Replies.Offender::bans)
          .reversed()
          .thenComparing(Replies.Offender::address);

  ServerControls(Server server, Shared shared, Instant started) {
    this.server = server;
    this.shared = shared;
    this.started = started;
  }

  @Override
  public Replies.ServerStatus status() {
    JailSet j = server.jails();
    return new Replies.ServerStatus(
        List.copyOf(j.runners().keySet()),
        j.broken(),
        shared.bans().size(null),
        j.firewalls().status(),
        started.getEpochSecond(),
        store(),
        fleetStatus(),
        feedStatus());
  }

  private List<Replies.FeedStatus> feedStatus() {
    io.portcullis.feed.Feeds f = shared.feeds().feeds();
    if (f == null) {
      return List.of();
    }
    return f.status().stream()
        .map(
            s ->
                new Replies.FeedStatus(
                    s.name(),
                    s.jail(),
                    s.source(),
                    s.format(),
                    s.entries(),
                    epoch(s.lastFetch()),
                    epoch(s.lastGood()),
                    epoch(s.expires()),
                    s.lastError(),
                    epoch(s.nextFetch()),
                    s.fetches(),
                    s.notModified(),
                    s.failures(),
                    s.invalid(),
                    s.refused(),
                    s.screened()))
        .toList();
  }

  private static long epoch(Instant t) {
    return t == null ? 0 : t.getEpochSecond();
  }

  private Replies.FleetStatus fleetStatus() {
    io.portcullis.fleet.Fleet f = shared.fleet().fleet();
    if (f == null) {
      return null;
    }
    io.portcullis.fleet.Fleet.Status s = f.status();
    return new Replies.FleetStatus(
        s.node(),
        s.redis(),
        s.connected(),
        s.queued(),
        s.dropped(),
        s.published(),
        s.received(),
        s.applied(),
        s.refused(),
        shared.fleet().remoteBans().size(),
        s.error(),
        s.peers().entrySet().stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    Map.Entry::getKey,
                    e -> e.getValue().stream().map(IpAddress::toString).toList())),
        s.peersRefused().stream().map(r -> r.node() + ": " + r.reason()).toList());
  }

  private Replies.StoreStatus store() {
    var s = shared.store().status();
    return new Replies.StoreStatus(server.storeFile(), s.kept(), s.problems());
  }

  @Override
  public List<JailControl> jails() {
    JailSet j = server.jails();
    return j.runners().values().stream()
        .<JailControl>map(r -> new JailCommands(r, j.firewalls()::hostAddresses))
        .toList();
  }

  @Override
  public Optional<JailControl> jail(String name) {
    JailSet j = server.jails();
    return Optional.ofNullable(j.runners().get(name))
        .map(r -> new JailCommands(r, j.firewalls()::hostAddresses));
  }

  @Override
  public List<String> problemsOf(String jail) {
    return server.jails().broken().getOrDefault(jail, List.of());
  }

  @Override
  public boolean configures(String jail) {
    if (server.jails().runners().containsKey(jail) || server.jails().broken().containsKey(jail)) {
      return true;
    }
    try {
      JailsReader.readJail(server.configDir(), jail);
      return true;
    } catch (UnknownJailException e) {
      return false;
    } catch (ConfigException e) {
      return true; // it is there, with problems that reload reports
    }
  }

  @Override
  public List<Replies.BanEntry> banned(IpAddress only) {
    List<Replies.BanEntry> out = new ArrayList<>();
    List<BanDecision> all = shared.bans().list(null);
    for (BanDecision b : all) {
      boolean network = b.ip() != null && b.ip().prefix() >= 0;
      // an address inside a banned network is banned too: banned IP shows that network
      if (only == null
          || b.fid().equals(only.toString())
          || network && !only.equals(b.ip()) && b.ip().contains(only)) {
        out.add(
            new Replies.BanEntry(
                b.jail(),
                b.fid(),
                b.time().getEpochSecond(),
                b.end() == null ? null : b.end().getEpochSecond(),
                b.failures(),
                b.count(),
                shared.fleet().origin(b.jail(), b.fid()),
                network ? inside(b, all) : List.of(),
                server.countries().of(b.ip())));
      }
    }
    return out;
  }

  /** The bans of the same jail inside a network ban. */
  private static List<String> inside(BanDecision net, List<BanDecision> all) {
    List<String> out = new ArrayList<>();
    for (BanDecision b : all) {
      if (b != net
          && b.ip() != null
          && b.jail().equals(net.jail())
          && !b.ip().equals(net.ip())
          && net.ip().contains(b.ip())) {
        out.add(b.fid());
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  public List<Replies.BanDetail> bans(IpAddress only, String jail, int limit) throws Exception {
    List<BanDecision> chosen = new ArrayList<>();
    List<BanDecision> all = shared.bans().list(jail);
    for (int i = all.size() - 1; i >= 0 && chosen.size() < limit; i--) {
      BanDecision b = all.get(i);
      if (only == null || b.fid().equals(only.toString())) {
        chosen.add(b);
      }
    }
    List<List<AddressEvents.Stored>> evidence =
        shared
            .store()
            .call(
                s -> {
                  List<List<AddressEvents.Stored>> out = new ArrayList<>();
                  for (BanDecision b : chosen) {
                    var id =
                        b.ip() == null || b.failures() == 0
                            ? java.util.OptionalLong.empty()
                            : s.events().lastBan(b.jail(), b.ip());
                    out.add(id.isPresent() ? s.events().evidenceOf(id.getAsLong()) : List.of());
                  }
                  return out;
                })
            .get(STORE_WAIT.toSeconds(), TimeUnit.SECONDS);
    List<Replies.BanDetail> out = new ArrayList<>();
    for (int i = 0; i < chosen.size(); i++) {
      BanDecision b = chosen.get(i);
      out.add(
          new Replies.BanDetail(
              b.jail(),
              b.fid(),
              b.time().getEpochSecond(),
              b.end() == null ? null : b.end().getEpochSecond(),
              b.failures(),
              b.count(),
              replies(evidence.get(i)),
              b.ip() != null && b.ip().prefix() >= 0 ? inside(b, all) : List.of(),
              server.countries().of(b.ip())));
    }
    return out;
  }

  @Override
  public Replies.History why(IpAddress ip) throws Exception {
    record Rows(List<AddressEvents.Stored> events, Map<Long, List<AddressEvents.Stored>> causes) {}
    Rows rows =
        shared
            .store()
            .call(
                s -> {
                  List<AddressEvents.Stored> events = s.events().of(ip, WHY_LIMIT + 1);
                  Map<Long, List<AddressEvents.Stored>> causes = new HashMap<>();
                  for (AddressEvents.Stored e : events) {
                    if (e.event() instanceof AddressEvent.Ban) {
                      causes.put(e.id(), s.events().evidenceOf(e.id()));
                    }
                  }
                  return new Rows(events, causes);
                })
            .get(STORE_WAIT.toSeconds(), TimeUnit.SECONDS);
    List<Replies.Event> events = new ArrayList<>();
    List<AddressEvents.Stored> shown = rows.events();
    boolean more = shown.size() > WHY_LIMIT;
    for (AddressEvents.Stored e : more ? shown.subList(0, WHY_LIMIT) : shown) {
      if (e.ban() != 0 && rows.causes().containsKey(e.ban())) {
        continue; // shown with its ban
      }
      List<AddressEvents.Stored> causes = rows.causes().get(e.id());
      events.add(AddressFeed.reply(e.event(), causes == null ? null : replies(causes)));
    }
    Map<String, List<Replies.Trusted>> trusted = new LinkedHashMap<>();
    for (JailRunner runner : server.jails().runners().values()) {
      List<Replies.Trusted> t =
          new JailCommands(runner, server.jails().firewalls()::hostAddresses).trustOf(ip);
      String peer = shared.fleet().peerOf(ip);
      if (peer != null) {
        // the trusted fleet node's publication lives one time to live after its last refresh
        t = new ArrayList<>(t);
        t.add(
            new Replies.Trusted(
                ip.toString(),
                "fleet",
                shared
                    .clock()
                    .instant()
                    .plus(shared.fleet().fleet().settings().peerTtl())
                    .getEpochSecond(),
                null,
                null,
                "address of trusted node "
                    + peer
                    + ": passes the rate limits, country rules and network bans",
                0));
      }
      if (!t.isEmpty()) {
        trusted.put(runner.name(), t);
      }
    }
    return new Replies.History(
        ip.toString(), banned(ip), events, more, trusted, server.countries().of(ip));
  }

  private static List<Replies.Event> replies(List<AddressEvents.Stored> stored) {
    return stored.stream().map(s -> AddressFeed.reply(s.event(), null)).toList();
  }

  @Override
  public List<Replies.Event> history(long since, int limit) throws Exception {
    return replies(
        shared
            .store()
            .call(s -> s.events().since(Instant.ofEpochSecond(since), limit))
            .get(STORE_WAIT.toSeconds(), TimeUnit.SECONDS));
  }

  @Override
  public Replies.Stats stats(Duration window, Duration step) throws Exception {
    long stepSeconds = step.getSeconds();
    int steps = (int) Math.max(1, (window.getSeconds() + stepSeconds - 1) / stepSeconds);
    long now = shared.clock().instant().getEpochSecond();
    long from = (now / stepSeconds + 1 - steps) * stepSeconds;
    Instant start = Instant.ofEpochSecond(from);
    record Rows(List<AddressEvents.Count> steps, List<AddressEvents.AddressCount> addresses) {}
    Rows rows =
        shared
            .store()
            .call(s -> new Rows(s.events().perStep(start, step), s.events().perAddress(start)))
            .get(STORE_WAIT.toSeconds(), TimeUnit.SECONDS);
    Map<String, int[][]> series = new LinkedHashMap<>();
    for (String jail : server.jails().runners().keySet()) {
      series.put(jail, new int[2][steps]);
    }
    for (AddressEvents.Count c : rows.steps()) {
      int at = (int) ((c.start().getEpochSecond() - from) / stepSeconds);
      int kind =
          c.kind() == AddressEvent.Kind.FAILURE ? 0 : c.kind() == AddressEvent.Kind.BAN ? 1 : -1;
      if (kind >= 0 && at >= 0 && at < steps) {
        series.computeIfAbsent(c.jail(), j -> new int[2][steps])[kind][at] += c.events();
      }
    }
    Map<String, Replies.Series> jails = new LinkedHashMap<>();
    series.forEach(
        (jail, s) ->
            jails.put(
                jail,
                new Replies.Series(
                    java.util.Arrays.stream(s[0]).boxed().toList(),
                    java.util.Arrays.stream(s[1]).boxed().toList())));
    List<Replies.Offender> addresses =
        rows.addresses().stream()
            .map(a -> new Replies.Offender(a.ip().toString(), a.failures(), a.bans(), null))
            .sorted(OFFENDERS)
            .limit(TOP)
            .toList();
    Map<IpAddress, int[]> nets = new HashMap<>();
    for (AddressEvents.AddressCount a : rows.addresses()) {
      int[] n = nets.computeIfAbsent(a.ip().network(a.ip().isV4() ? 24 : 64), k -> new int[3]);
      n[0] += a.failures();
      n[1] += a.bans();
      n[2]++;
    }
    List<Replies.Offender> networks =
        nets.entrySet().stream()
            .map(
                e ->
                    new Replies.Offender(
                        e.getKey().toString(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
            .sorted(OFFENDERS)
            .limit(TOP)
            .toList();
    return new Replies.Stats(
        from, from + steps * stepSeconds, stepSeconds, jails, addresses, networks);
  }

  @Override
  public AutoCloseable subscribe(java.util.function.Consumer<Replies.Event> listener) {
    return shared.feed().subscribe(listener);
  }

  @Override
  public long firewallRepairs() {
    return server.jails().firewalls().repairs();
  }

  @Override
  public List<String> reload() throws Exception {
    Assembly a = server.assembler().assemble(server.configDir());
    if (!a.jailProblems().isEmpty()) {
      throw new ConfigProblems(
          String.join("\n", a.jailProblems().stream().map(ConfigException::getMessage).toList()));
    }
    return server.reload(a);
  }

  @Override
  public void reopenLog() {
    shared.log().reopen();
  }

  @Override
  public void requestStop() {
    server.requestStop();
  }
}
