import io.portcullis.fleet.Fleet;
import io.portcullis.fleet.FleetEvent;
import io.portcullis.fleet.FleetSettings;
import io.portcullis.fleet.FleetTarget;
import io.portcullis.net.IpAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;

/**
 * What a fleet costs Redis: one node publishes BANS bans through the real {@link Fleet} (outbox,
 * MULTI of SET PXAT + XADD MAXLEN ~), FOLLOWERS other nodes follow them; prints the events per second
 * each way and Redis' memory per ban in force (key + stream entry). The follower's target only
 * counts (the jail and kernel side is FleetNetnsIT's); bench/fleet.sh runs it against a redis-server
 * of its own.
 *   java -cp target/portcullis.jar bench/FleetBench.java redis://127.0.0.1:6391/0 [BANS] [FOLLOWERS]
 */
public class FleetBench {
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    int bans = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int followers = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    long before;
    try (Jedis r = new Jedis(uri)) {
      r.flushDB();
      before = usedMemory(r);
    }
    AtomicLong got = new AtomicLong();
    FleetTarget counter =
        new FleetTarget() {
          @Override
          public Applied ban(FleetEvent e) {
            got.incrementAndGet();
            return Applied.BANNED;
          }

          @Override
          public boolean unban(String jail, IpAddress ip) {
            return false;
          }

          @Override
          public List<BanKey> remoteBans() {
            return List.of();
          }
        };
    Fleet.Log quiet = new Fleet.Log(m -> {}, System.err::println, System.err::println);
    Fleet a = Fleet.start(settings(uri, "bench-a", bans), counter, Clock.systemUTC(), quiet);
    List<Fleet> b = new java.util.ArrayList<>();
    for (int i = 0; i < followers; i++) {
      b.add(Fleet.start(settings(uri, "bench-b" + i, bans), counter, Clock.systemUTC(), quiet));
    }
    await(
        () -> a.status().connected() && b.stream().allMatch(f -> f.status().connected()),
        Duration.ofSeconds(30));
    Instant now = Instant.now();
    long start = System.nanoTime();
    for (int i = 0; i < bans; i++) {
      IpAddress ip = IpAddress.parse("2001:db8:" + Integer.toHexString(i >>> 16) + "::" + Integer.toHexString(i & 0xffff));
      a.banned("asterisk", ip, now, now.plus(Duration.ofHours(1)), "5 failures");
    }
    await(() -> a.status().published() == bans, Duration.ofMinutes(5));
    double published = bans / ((System.nanoTime() - start) / 1e9);
    await(() -> got.get() == (long) bans * followers, Duration.ofMinutes(10));
    double followed = bans / ((System.nanoTime() - start) / 1e9);
    long after;
    long keys;
    long stream;
    try (Jedis r = new Jedis(uri)) {
      after = usedMemory(r);
      keys = r.dbSize() - 1;
      stream = r.xlen("portcullis:events");
    }
    a.stop(Duration.ofSeconds(3));
    for (Fleet f : b) {
      f.stop(Duration.ofSeconds(3));
    }
    System.out.printf(
        "fleet bench: %d bans; published %.0f events/s (one node), followed by %d node(s) at %.0f"
            + " events/s each (%.0f deliveries/s from Redis, end to end); Redis holds %d keys and"
            + " %d stream entries in %.1f MiB more: %.0f bytes per ban in force%n",
        bans,
        published,
        followers,
        followed,
        followed * followers,
        keys,
        stream,
        (after - before) / 1048576.0,
        (after - before) / (double) bans);
  }

  private static FleetSettings settings(URI uri, String node, int bans) {
    return new FleetSettings(
        uri, node, Set.of(), Set.of(), "portcullis", bans, bans + 1000, null);
  }

  private static long usedMemory(Jedis r) {
    for (String line : r.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).strip());
      }
    }
    throw new IllegalStateException("no used_memory in INFO");
  }

  private static void await(java.util.function.BooleanSupplier ok, Duration limit)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out after " + limit);
      }
      Thread.sleep(20);
    }
  }
}
