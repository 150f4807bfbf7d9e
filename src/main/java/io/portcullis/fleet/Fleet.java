package io.portcullis.fleet;

import io.portcullis.net.IpAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.StreamEntry;

/**
 * This node's part of a fleet: publishes the bans and unbans its jails decide, and applies those of
 * the other nodes.
 *
 * <p>Design note. Redis holds two things under the fleet's prefix: a stream ({@code PREFIX:events},
 * trimmed to about {@code maxlen}) of every ban and unban, and one key per ban in force ({@code
 * PREFIX:ban:JAIL:IP}) that expires at the ban's end (PXAT: the same moment everywhere). Two
 * threads, each with its own connection: {@code fleet-publish} sends the {@link Outbox} in order
 * (key and stream entry in one MULTI), retrying the oldest event until Redis takes it; {@code
 * fleet-follow} reads the stream (XREAD BLOCK) and hands each event of another node to the {@link
 * FleetTarget}. On start, and after a reconnect when the stream no longer holds where it stopped
 * (trimmed, or a Redis that lost its data), the follower first catches up from the keys: every ban
 * in force is applied, and every remote ban here whose key is gone is lifted. A node never applies
 * its own events (no echo), and the target never bans twice nor an address the jail ignores or
 * allows.
 *
 * <p>Peers. Every {@code refresh} the publisher also writes this node's own addresses ({@link
 * FleetPeers#publishable}) to {@code PREFIX:node:NAME} with a time to live of three refreshes, and
 * its name into the sorted set {@code PREFIX:nodes} (scored by that expiry, so that names gone for
 * a day are pruned); then, when this node trusts any, reads the names and the values of the nodes
 * it might take ({@code ZRANGE}, {@code MGET}: two round trips, whatever the number of bans) and
 * hands what {@link FleetPeers#read} accepts to the target. A node that stops refreshing drops out
 * at the first read after its key expired; when Redis cannot be read for longer than a time to
 * live, the last peers read are dropped too.
 */
public final class Fleet implements AutoCloseable {
  private static final Duration BLOCK = Duration.ofSeconds(1);
  private static final Duration RETRY_FIRST = Duration.ofMillis(200);
  private static final Duration RETRY_MAX = Duration.ofSeconds(5);
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);
  private static final int READ_COUNT = 1_000;

  /** Where the fleet says what it does. */
  public record Log(Consumer<String> info, Consumer<String> warning, Consumer<String> error) {}

  /** Counters and state for {@code status}. */
  public record Status(
      String node,
      String redis,
      boolean connected,
      int queued,
      long dropped,
      long published,
      long received,
      long applied,
      long refused,
      Map<String, List<IpAddress>> peers,
      List<FleetPeers.Refusal> peersRefused,
      String error) {}

  private final FleetSettings settings;
  private final FleetTarget target;
  private final Clock clock;
  private final Log log;
  private final Outbox outbox;
  private final String stream;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Thread publisher;
  private final Thread follower;
  private volatile boolean running = true;
  private volatile String publishError = "not connected yet";
  private volatile String followError = "not connected yet";
  // whether the loss was logged (publishError starts non-null, so it cannot tell)
  private boolean publishDownLogged;
  private boolean followDownLogged;
  private final Set<String> skewWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile Instant droppedWarnedAt;
  private long droppedWarned;
  private final String nodesKey;
  private long peersDue;
  private long peersReadAt;
  private volatile FleetPeers.Read peers = new FleetPeers.Read(Map.of(), List.of());
  private final Set<FleetPeers.Refusal> refusalsLogged = new HashSet<>();
  private List<IpAddress> publishedAddresses;

  private Fleet(FleetSettings settings, FleetTarget target, Clock clock, Log log) {
    this.settings = settings;
    this.target = target;
    this.clock = clock;
    this.log = log;
    this.outbox = new Outbox(settings.queue());
    this.stream = settings.prefix() + ":events";
    this.nodesKey = settings.prefix() + ":nodes";
    this.publisher = new Thread(this::publishLoop, "fleet-publish");
    this.follower = new Thread(this::followLoop, "fleet-follow");
    publisher.setDaemon(true);
    follower.setDaemon(true);
  }

  /** Starts publishing and following; Redis need not be reachable yet. */
  public static Fleet start(FleetSettings settings, FleetTarget target, Clock clock, Log log) {
    Fleet f = new Fleet(settings, target, clock, log);
    f.publisher.start();
    f.follower.start();
    log.info()
        .accept(
            "Fleet: node "
                + settings.node()
                + " shares bans through "
                + settings.redisShown()
                + " (share "
                + (settings.share().isEmpty() ? "all" : String.join(" ", settings.share()))
                + ", accept "
                + (settings.accept().isEmpty() ? "all" : String.join(" ", settings.accept()))
                + "; trust "
                + (settings.trustAll()
                    ? "all"
                    : settings.trust().isEmpty() ? "none" : String.join(" ", settings.trust()))
                + ")");
    return f;
  }

  public FleetSettings settings() {
    return settings;
  }

  // ---- outgoing: called on a jail's thread, never waits

  /** A ban this node decided; published when its jail is shared. */
  public void banned(String jail, IpAddress ip, Instant time, Instant end, String reason) {
    if (!settings.shares(jail) || end != null && !end.isAfter(time)) {
      return; // a ban that ends as it starts has nothing to share
    }
    try {
      queue(FleetEvent.ban(settings.node(), jail, ip, time, end, reason));
    } catch (RuntimeException e) {
      // the jail's thread must go on whatever the fleet makes of it
      log.error().accept("[" + jail + "] Fleet: the ban of " + ip + " not published: " + e);
    }
  }

  /** A ban lifted by command on this node; published when its jail is shared. */
  public void unbanned(String jail, IpAddress ip) {
    if (!settings.shares(jail)) {
      return;
    }
    try {
      queue(FleetEvent.unban(settings.node(), jail, ip, clock.instant()));
    } catch (RuntimeException e) {
      log.error().accept("[" + jail + "] Fleet: the unban of " + ip + " not published: " + e);
    }
  }

  private void queue(FleetEvent e) {
    if (!outbox.add(e)) {
      warnDropped();
    }
  }

  private void warnDropped() {
    Instant now = clock.instant();
    Instant last = droppedWarnedAt;
    if (last != null && now.isBefore(last.plus(WARN_EVERY))) {
      return;
    }
    droppedWarnedAt = now;
    long d = outbox.dropped();
    log.warning()
        .accept(
            "Fleet: the outbox is full ("
                + settings.queue()
                + " events while Redis cannot be reached): dropped the oldest, "
                + (d - droppedWarned)
                + " since the last warning, "
                + d
                + " in all");
    droppedWarned = d;
  }

  // ---- the publisher

  private void publishLoop() {
    Jedis redis = null;
    Duration retry = RETRY_FIRST;
    while (running) {
      try {
        forgetStalePeers();
        if (redis == null) {
          // connected before there is anything to send: status tells at once whether Redis is there
          redis = connect();
          if (publishDownLogged) {
            log.info().accept("Fleet: publishing to " + settings.redisShown() + " again");
          }
          publishDownLogged = false;
          publishError = null;
        }
        if (clock.millis() >= peersDue) {
          refreshPeers(redis);
          peersDue = clock.millis() + settings.refresh().toMillis();
        }
        FleetEvent e =
            outbox.peek(settings.refresh().compareTo(BLOCK) < 0 ? settings.refresh() : BLOCK);
        if (e == null) {
          continue;
        }
        send(redis, e);
        outbox.done(e);
        published.incrementAndGet();
        retry = RETRY_FIRST;
      } catch (JedisException | IllegalStateException ex) {
        close(redis);
        redis = null;
        if (!publishDownLogged) {
          publishDownLogged = true;
          log.warning()
              .accept(
                  "Fleet: cannot publish to "
                      + settings.redisShown()
                      + " ("
                      + ex.getMessage()
                      + "): bans go on locally, "
                      + outbox.size()
                      + " event(s) queued until Redis is back");
        }
        publishError = String.valueOf(ex.getMessage());
        try {
          outbox.pause(retry);
        } catch (InterruptedException ie) {
          break;
        }
        retry = retry.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retry.multipliedBy(2);
      } catch (InterruptedException ie) {
        break;
      } catch (RuntimeException ex) {
        // unexpected: start over on a new connection after a pause, never spin on it
        log.error()
            .accept("Fleet: publishing: " + ex + " (retrying in " + retry.toMillis() + " ms)");
        close(redis);
        redis = null;
        if (!pause(retry)) {
          break;
        }
        retry = retry.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retry.multipliedBy(2);
      }
    }
    close(redis);
  }

  private void send(Jedis redis, FleetEvent e) {
    String json = e.toJson();
    String key = e.key(settings.prefix());
    long now = clock.millis();
    if (e.kind() == FleetEvent.Kind.BAN && e.end() != null && e.end().toEpochMilli() <= now) {
      return; // ended while it waited for Redis: nothing left to share
    }
    Transaction t = redis.multi();
    if (e.kind() == FleetEvent.Kind.UNBAN) {
      t.del(key);
    } else if (e.end() == null) {
      t.set(key, json);
    } else {
      t.set(key, json, SetParams.setParams().pxAt(e.end().toEpochMilli()));
    }
    t.xadd(
        stream,
        XAddParams.xAddParams().maxLen(settings.maxlen()).approximateTrimming(),
        Map.of("e", json));
    if (t.exec() == null) {
      throw new IllegalStateException("the MULTI was discarded");
    }
  }

  // ---- peers: this node's addresses out, the trusted nodes' addresses in

  private String nodeKey(String node) {
    return settings.prefix() + ":node:" + node;
  }

  /**
   * Publishes this node's addresses and reads the trusted nodes'; on the publisher's connection.
   */
  private void refreshPeers(Jedis redis) {
    long now = clock.millis();
    long ttl = settings.peerTtl().toMillis();
    List<IpAddress> mine = FleetPeers.publishable(settings.address(), target.hostAddresses());
    if (!mine.equals(publishedAddresses)) {
      log.info()
          .accept(
              "Fleet: node "
                  + settings.node()
                  + " publishes its addresses "
                  + (mine.isEmpty() ? "(none)" : FleetPeers.value(mine))
                  + " every "
                  + settings.refresh().toSeconds()
                  + " s");
      publishedAddresses = mine;
    }
    Transaction t = redis.multi();
    t.set(nodeKey(settings.node()), FleetPeers.value(mine), SetParams.setParams().px(ttl));
    t.zadd(nodesKey, now + ttl, settings.node());
    // a name whose node has been gone for a day leaves the list
    t.zremrangeByScore(nodesKey, Double.NEGATIVE_INFINITY, now - Duration.ofDays(1).toMillis());
    if (t.exec() == null) {
      throw new IllegalStateException("the MULTI was discarded");
    }
    if (!settings.trustsAny()) {
      return;
    }
    List<String> names = redis.zrange(nodesKey, 0, FleetPeers.MAX_NODES - 1);
    Set<String> wanted = new java.util.LinkedHashSet<>(names);
    if (!settings.trustAll()) {
      wanted.addAll(settings.trust()); // a trusted node is read even when its name fell off
    }
    wanted.remove(settings.node());
    Map<String, String> published = new java.util.LinkedHashMap<>();
    List<String> keys = new ArrayList<>();
    List<String> read = new ArrayList<>();
    for (String n : wanted) {
      if (settings.trusts(n)) {
        read.add(n);
        keys.add(nodeKey(n));
      } else {
        published.put(n, ""); // refused by name: its value is not read
      }
    }
    if (!keys.isEmpty()) {
      List<String> values = redis.mget(keys.toArray(new String[0]));
      for (int i = 0; i < read.size(); i++) {
        published.put(read.get(i), values.get(i));
      }
    }
    FleetPeers.Read now2 = FleetPeers.read(published, settings);
    peersReadAt = clock.millis();
    applyPeers(now2);
  }

  /** Drops the peers read when Redis has not been read for longer than a time to live. */
  private void forgetStalePeers() {
    if (peersReadAt > 0
        && !peers.peers().isEmpty()
        && clock.millis() - peersReadAt > settings.peerTtl().toMillis()) {
      log.warning()
          .accept(
              "Fleet: the nodes' addresses could not be read for "
                  + settings.peerTtl().toSeconds()
                  + " s: the fleet's nodes pass the shields no more until Redis is back");
      applyPeers(new FleetPeers.Read(Map.of(), List.of()));
    }
  }

  private void applyPeers(FleetPeers.Read now) {
    for (FleetPeers.Refusal r : now.refused()) {
      if (refusalsLogged.add(r)) {
        log.warning()
            .accept(
                "Fleet: the addresses of node "
                    + r.node()
                    + " are refused: "
                    + r.reason()
                    + " (said once)");
      }
    }
    FleetPeers.Read before = peers;
    peers = now;
    if (!before.peers().equals(now.peers())) {
      log.info()
          .accept(
              "Fleet: trusted nodes now "
                  + (now.peers().isEmpty() ? "none" : shown(now.peers()))
                  + ": their addresses pass this node's rate limits, country rules and network"
                  + " bans");
    }
    try {
      target.peers(now);
    } catch (Exception ex) {
      log.error().accept("Fleet: cannot put the trusted nodes' addresses in force: " + ex);
    }
  }

  private static String shown(Map<String, List<IpAddress>> peers) {
    List<String> out = new ArrayList<>();
    peers.forEach((n, a) -> out.add(n + " (" + FleetPeers.value(a) + ")"));
    return String.join(", ", out);
  }

  /** The trusted nodes whose addresses pass the shields now, and what was refused. */
  public FleetPeers.Read peers() {
    return peers;
  }

  // ---- the follower

  private void followLoop() {
    Jedis redis = null;
    StreamEntryID last = null;
    Duration retry = RETRY_FIRST;
    while (running) {
      try {
        if (redis == null) {
          redis = connect();
          last = resumeFrom(redis, last);
          if (followError != null) {
            log.info().accept("Fleet: following " + settings.redisShown());
          }
          followDownLogged = false;
          followError = null;
          retry = RETRY_FIRST;
        }
        var read =
            redis.xread(
                XReadParams.xReadParams().block((int) BLOCK.toMillis()).count(READ_COUNT),
                Map.of(stream, last));
        if (read == null) {
          continue;
        }
        for (var perStream : read) {
          for (StreamEntry entry : perStream.getValue()) {
            last = entry.getID();
            handle(entry.getFields().get("e"), /* fromKey= */ false);
          }
        }
      } catch (JedisException ex) {
        close(redis);
        redis = null;
        if (!followDownLogged && running) {
          followDownLogged = true;
          log.warning()
              .accept(
                  "Fleet: lost "
                      + settings.redisShown()
                      + " ("
                      + ex.getMessage()
                      + "): retrying; bans from other nodes wait until it is back");
        }
        followError = String.valueOf(ex.getMessage());
        if (!pause(retry)) {
          break;
        }
        retry = retry.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retry.multipliedBy(2);
      } catch (RuntimeException ex) {
        // unexpected: start over on a new connection after a pause, never spin on it
        log.error()
            .accept("Fleet: following: " + ex + " (retrying in " + retry.toMillis() + " ms)");
        close(redis);
        redis = null;
        followError = String.valueOf(ex.getMessage());
        if (!pause(retry)) {
          break;
        }
        retry = retry.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : retry.multipliedBy(2);
      }
    }
    close(redis);
  }

  /**
   * Where to read the stream from after a (re)connect: where it stopped, when the stream still
   * holds that; otherwise the stream's newest entry after catching up from the keys.
   */
  private StreamEntryID resumeFrom(Jedis redis, StreamEntryID last) {
    if (last != null) {
      List<StreamEntry> first = redis.xrange(stream, "-", "+", 1);
      List<StreamEntry> newest = redis.xrevrange(stream, "+", "-", 1);
      if (!first.isEmpty()
          && first.get(0).getID().compareTo(last) <= 0
          && newest.get(0).getID().compareTo(last) >= 0) {
        return last; // nothing was trimmed or lost in between: the stream tells what happened
      }
    }
    List<StreamEntry> newest = redis.xrevrange(stream, "+", "-", 1);
    StreamEntryID top = newest.isEmpty() ? new StreamEntryID(0, 0) : newest.get(0).getID();
    catchUp(redis);
    return top;
  }

  /** Applies every ban in force from the keys; lifts remote bans here whose key is gone. */
  private void catchUp(Jedis redis) {
    String pattern = settings.prefix() + ":ban:*";
    Set<FleetTarget.BanKey> inForce = new HashSet<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    int keys = 0;
    int banned = (int) applied.get();
    do {
      ScanResult<String> page =
          redis.scan(cursor, new ScanParams().match(pattern).count(READ_COUNT));
      cursor = page.getCursor();
      List<String> found = page.getResult();
      if (found.isEmpty()) {
        continue;
      }
      List<String> values = redis.mget(found.toArray(new String[0]));
      for (String v : values) {
        if (v == null) {
          continue; // expired between SCAN and MGET
        }
        keys++;
        FleetEvent e = handle(v, /* fromKey= */ true);
        if (e != null) {
          inForce.add(new FleetTarget.BanKey(e.jail(), e.ip()));
        }
      }
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    int lifted = 0;
    for (FleetTarget.BanKey k : target.remoteBans()) {
      if (!inForce.contains(k)) {
        try {
          if (target.unban(k.jail(), k.ip())) {
            lifted++;
          }
        } catch (Exception ex) {
          log.error().accept("[" + k.jail() + "] Fleet: cannot lift " + k.ip() + ": " + ex);
        }
      }
    }
    log.info()
        .accept(
            "Fleet: caught up from "
                + keys
                + " ban(s) in force in Redis: "
                + (applied.get() - banned)
                + " applied here, "
                + lifted
                + " remote ban(s) lifted (unbanned while away)");
  }

  /** Applies one event from the stream or a key; returns it when it was read. */
  private FleetEvent handle(String json, boolean fromKey) {
    FleetEvent e;
    try {
      e = FleetEvent.fromJson(json);
    } catch (IllegalArgumentException ex) {
      log.warning().accept("Fleet: skipped an event that is not one (" + ex.getMessage() + ")");
      return null;
    }
    if (e.node().equals(settings.node())) {
      return e; // our own: already in force here (no echo)
    }
    FleetEvent taken = e.clampedTo(clock.instant());
    if (taken != e) {
      if (skewWarned.add(e.node())) {
        log.warning()
            .accept(
                "Fleet: node "
                    + e.node()
                    + "'s clock runs "
                    + java.time.Duration.between(taken.time(), e.time()).toSeconds()
                    + " s ahead of this one: its bans are taken from now, for what it decided"
                    + " (warned once per node)");
      }
      e = taken;
    }
    if (!fromKey) {
      received.incrementAndGet();
    }
    if (!settings.accepts(e.jail(), e.node())) {
      return e;
    }
    try {
      if (e.kind() == FleetEvent.Kind.UNBAN) {
        if (target.unban(e.jail(), e.ip())) {
          applied.incrementAndGet();
        }
        return e;
      }
      FleetTarget.Applied a = target.ban(e);
      switch (a) {
        case BANNED -> applied.incrementAndGet();
        case IGNORED, ALLOWED -> refused.incrementAndGet();
        default -> {
          // already banned, ended, or a jail that does not run here: nothing to do
        }
      }
    } catch (Exception ex) {
      log.error().accept("[" + e.jail() + "] Fleet: cannot apply the ban of " + e.ip() + ": " + ex);
    }
    return e;
  }

  // ---- connections

  private Jedis connect() {
    var uri = settings.redis();
    int db = 0;
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      db = Integer.parseInt(path.substring(1));
    }
    String user = null;
    String password = null;
    if (uri.getUserInfo() != null) {
      String info = uri.getUserInfo();
      int colon = info.indexOf(':');
      if (colon < 0) {
        password = info;
      } else {
        user = info.substring(0, colon).isEmpty() ? null : info.substring(0, colon);
        password = info.substring(colon + 1);
      }
    }
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(2_000)
            // a blocked XREAD answers within BLOCK: anything far beyond is a dead connection
            .socketTimeoutMillis((int) BLOCK.toMillis() + 4_000)
            .database(db)
            .ssl("rediss".equals(uri.getScheme()))
            .clientName("portcullis-" + settings.node());
    if (user != null) {
      config.user(user);
    }
    if (password != null) {
      config.password(password);
    }
    int port = uri.getPort() < 0 ? 6379 : uri.getPort();
    Jedis j = new Jedis(new HostAndPort(uri.getHost(), port), config.build());
    try {
      j.ping();
    } catch (JedisException e) {
      j.close();
      throw e;
    }
    return j;
  }

  private static void close(Jedis j) {
    if (j != null) {
      try {
        j.close();
      } catch (RuntimeException ignored) {
        // the connection is gone either way
      }
    }
  }

  private boolean pause(Duration d) {
    try {
      outbox.pause(d); // anything that wakes: stop, or time
      return running;
    } catch (InterruptedException e) {
      return false;
    }
  }

  // ---- status and stop

  public Status status() {
    String pe = publishError;
    String fe = followError;
    List<String> errors = new ArrayList<>();
    if (pe != null) {
      errors.add(pe);
    }
    if (fe != null && !fe.equals(pe)) {
      errors.add(fe);
    }
    return new Status(
        settings.node(),
        settings.redisShown(),
        pe == null && fe == null,
        outbox.size(),
        outbox.dropped(),
        published.get(),
        received.get(),
        applied.get(),
        refused.get(),
        peers.peers(),
        peers.refused(),
        errors.isEmpty() ? null : String.join("; ", errors));
  }

  /**
   * Stops: what is queued gets up to {@code limit} to reach Redis (when it is reachable), then both
   * threads end.
   */
  public void stop(Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (outbox.size() > 0 && publishError == null && System.nanoTime() < end) {
      outbox.pause(Duration.ofMillis(20));
    }
    running = false;
    outbox.wake();
    publisher.interrupt();
    follower.interrupt();
    publisher.join(Math.max(1, (end - System.nanoTime()) / 1_000_000) + BLOCK.toMillis() * 2);
    follower.join(BLOCK.toMillis() * 2 + 1_000);
    if (outbox.size() > 0) {
      log.warning()
          .accept(
              "Fleet: stopped with "
                  + outbox.size()
                  + " event(s) Redis never took (the bans are in force here)");
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(3));
  }
}
