package io.portcullis.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Bans in the kernel with nftables: a table {@code inet portcullis}, a set per jail and family
 * ({@code flags interval, timeout}), and one rule per set in a chain hooked at prerouting priority
 * -300, before conntrack and before anybody's "established, accept" rule.
 *
 * <p>Design note: every element carries its remaining ban time as a kernel timeout, so bans end
 * even if the daemon is down. Changes from all jails are queued and applied together in one {@code
 * nft -f -} transaction per batch. A delete is preceded by an add of the same element in the same
 * transaction, so a missing element never fails the batch. {@link #reconcile} compares the kernel
 * with the bans in force and repairs the difference (after "nft flush ruleset", a firewalld or
 * docker restart).
 */
public final class NftablesBackend implements AutoCloseable {
  public static final String TABLE = "portcullis";

  /** A jail's firewall settings: which traffic of a banned address to drop. */
  public record JailRule(String jail, String ports, String protocol, boolean reject) {}

  private record Change(boolean add, String jail, IpAddress ip, Duration timeout, boolean cut) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LINGER = Duration.ofMillis(5);

  private final ProcessRunner commands;
  private final Clock clock;
  private final Consumer<String> log;
  private final Map<String, JailRule> jails = new LinkedHashMap<>();
  private final BlockingQueue<Change> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private final Thread conntrackWorker;
  private final BlockingQueue<IpAddress> conntrackQueue = new LinkedBlockingQueue<>();
  private final boolean conntrack;
  private volatile boolean running = true;
  private volatile String lastError;

  public NftablesBackend(ProcessRunner commands, Clock clock, Consumer<String> log) {
    this.commands = commands;
    this.clock = clock;
    this.log = log;
    this.conntrack = commands.available("conntrack");
    this.worker = new Thread(this::loop, "nft-batch");
    this.worker.setDaemon(true);
    this.conntrackWorker = new Thread(this::conntrackLoop, "conntrack");
    this.conntrackWorker.setDaemon(true);
  }

  /** Whether banned addresses' conntrack entries are deleted (the conntrack tool is present). */
  public boolean conntrack() {
    return conntrack;
  }

  public String lastError() {
    return lastError;
  }

  /** Nft set names allow letters, digits, '_' and '-': anything else in a jail name becomes '_'. */
  static String setName(String jail, boolean v4) {
    return jail.replaceAll("[^A-Za-z0-9_]", "_") + (v4 ? "-v4" : "-v6");
  }

  /** Registers a jail; call before {@link #start}. */
  public synchronized void addJail(JailRule rule) {
    jails.put(rule.jail(), rule);
  }

  /** Creates the table, sets and rules (idempotent: an existing table is re-created). */
  public synchronized void start() throws IOException {
    apply(definition());
    worker.start();
    if (conntrack) {
      conntrackWorker.start();
    }
  }

  /** The whole table, as one script: delete what is there, create it anew (sets empty). */
  synchronized String definition() {
    StringBuilder s = new StringBuilder();
    s.append("table inet ").append(TABLE).append(" {}\n");
    s.append("delete table inet ").append(TABLE).append("\n");
    s.append("table inet ").append(TABLE).append(" {\n");
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        s.append("  set ")
            .append(setName(j.jail(), v4))
            .append(" { type ")
            .append(v4 ? "ipv4_addr" : "ipv6_addr")
            .append("; flags interval, timeout; }\n");
      }
    }
    s.append(
        "  chain prerouting {\n    type filter hook prerouting priority -300; policy accept;\n");
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        s.append("    ").append(v4 ? "ip" : "ip6").append(" saddr @").append(setName(j.jail(), v4));
        s.append(match(j)).append(j.reject() ? " reject" : " drop").append('\n');
      }
    }
    s.append("  }\n}\n");
    return s.toString();
  }

  /** The rule's port and protocol part: all traffic unless the jail names ports. */
  private static String match(JailRule j) {
    String ports = j.ports() == null ? "" : j.ports().strip();
    if (ports.isEmpty() || ports.equals("0:65535") || ports.equals("all")) {
      return "";
    }
    String protos =
        j.protocol() == null || j.protocol().isBlank()
            ? "tcp, udp"
            : j.protocol().replace(",", ", ");
    if (!ports.matches("[0-9a-z:,\\- ]+") || !protos.matches("[a-z, ]+")) {
      throw new IllegalArgumentException(
          "jail "
              + j.jail()
              + ": port '"
              + ports
              + "' or protocol '"
              + protos
              + "' is not valid (try port = 5060,5061 or 1000-2000)");
    }
    return " meta l4proto { "
        + protos
        + " } th dport { "
        + ports.replace(":", "-").replace(",", ", ")
        + " }";
  }

  public void ban(String jail, IpAddress ip, Duration remaining) {
    queue.add(new Change(true, jail, ip, remaining, true));
  }

  /** Puts a stored ban back (at start): no connections to cut, they are from before. */
  public void restore(String jail, IpAddress ip, Duration remaining) {
    queue.add(new Change(true, jail, ip, remaining, false));
  }

  public void unban(String jail, IpAddress ip) {
    queue.add(new Change(false, jail, ip, null, false));
  }

  private void loop() {
    List<Change> batch = new ArrayList<>();
    while (running) {
      try {
        Change first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        // a burst (a flood, a restore) keeps coming: wait a little while it grows, so that it
        // becomes a few transactions instead of hundreds of nft processes
        long lingerUntil = System.nanoTime() + LINGER.toNanos();
        int seen = queue.size();
        while (System.nanoTime() < lingerUntil && batch.size() + seen < 50_000) {
          Thread.sleep(1);
          int now = queue.size();
          if (now == seen) {
            break;
          }
          seen = now;
        }
        queue.drainTo(batch, 50_000);
        applyBatch(batch);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.accept("nftables: " + e);
      } finally {
        batch.clear();
      }
    }
  }

  /** Waits until every change queued so far is in the kernel (for tests and restore). */
  public void awaitQueue(Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!queue.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(2);
    }
  }

  private static final int ELEMENTS_PER_STATEMENT = 5_000;

  private void applyBatch(List<Change> batch) {
    StringBuilder s = new StringBuilder();
    List<IpAddress> added = new ArrayList<>();
    // consecutive additions to one set go in one statement: nft parses that much faster
    String openSet = null;
    int inStatement = 0;
    for (Change c : batch) {
      String set = setName(c.jail(), c.ip().isV4());
      String element = c.ip().toString();
      if (c.add()) {
        if (!set.equals(openSet) || inStatement == ELEMENTS_PER_STATEMENT) {
          if (openSet != null) {
            s.append(" }\n");
          }
          s.append("add element inet ").append(TABLE).append(' ').append(set).append(" { ");
          openSet = set;
          inStatement = 0;
        } else {
          s.append(", ");
        }
        s.append(element);
        if (c.timeout() != null) {
          s.append(" timeout ").append(Math.max(1, c.timeout().getSeconds())).append('s');
        }
        inStatement++;
        if (c.cut()) {
          added.add(c.ip());
        }
      } else {
        if (openSet != null) {
          s.append(" }\n");
          openSet = null;
        }
        // add first so that the delete cannot fail on a missing element
        s.append("add element inet ")
            .append(TABLE)
            .append(' ')
            .append(set)
            .append(" { ")
            .append(element)
            .append(" timeout 1s }\n");
        s.append("delete element inet ")
            .append(TABLE)
            .append(' ')
            .append(set)
            .append(" { ")
            .append(element)
            .append(" }\n");
      }
    }
    if (openSet != null) {
      s.append(" }\n");
    }
    try {
      apply(s.toString());
      lastError = null;
    } catch (IOException e) {
      lastError = e.getMessage();
      log.accept("nftables: a batch of " + batch.size() + " change(s) failed: " + e.getMessage());
      return;
    }
    if (conntrack) {
      // off the path to the kernel set: the next batch must not wait for these
      conntrackQueue.addAll(added);
    }
  }

  /**
   * Deletes the conntrack entries of newly banned addresses: an ongoing UDP flow (SIP) would
   * otherwise keep its entry, and conntrack-based rules elsewhere would keep letting it through.
   */
  private void conntrackLoop() {
    while (running) {
      IpAddress ip;
      try {
        ip = conntrackQueue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (ip == null) {
        continue;
      }
      try {
        // exit 1 means "no entry": nothing to cut
        commands.run(List.of("conntrack", "-D", "-s", ip.toString()), null);
      } catch (IOException e) {
        log.accept("conntrack -D -s " + ip + ": " + e.getMessage());
      }
    }
  }

  private void apply(String script) throws IOException {
    ProcessRunner.Result r = commands.run(List.of("nft", "-f", "-"), script);
    if (!r.ok()) {
      throw new IOException("nft -f - failed (" + r.exit() + "): " + r.output());
    }
  }

  /**
   * Compares the kernel with the bans in force and repairs it: re-creates the table if it is gone
   * and fills it; adds missing elements, removes stray ones. Returns what was wrong, or "" if
   * nothing.
   */
  public synchronized String reconcile(Supplier<List<BanDecision>> active) throws IOException {
    ProcessRunner.Result r =
        commands.run(List.of("nft", "-j", "list", "table", "inet", TABLE), null);
    Instant now = clock.instant();
    if (!r.ok()) {
      apply(definition());
      for (BanDecision b : active.get()) {
        if (b.ip() != null && jails.containsKey(b.jail())) {
          restore(b.jail(), b.ip(), b.end() == null ? null : Duration.between(now, b.end()));
        }
      }
      return "table inet "
          + TABLE
          + " was missing: re-created with "
          + active.get().size()
          + " ban(s)";
    }
    Map<String, Set<String>> inKernel = elements(r.output());
    Set<String> expected = new HashSet<>();
    int missing = 0;
    for (BanDecision b : active.get()) {
      if (b.ip() == null || !jails.containsKey(b.jail())) {
        continue;
      }
      String set = setName(b.jail(), b.ip().isV4());
      expected.add(set + " " + b.ip());
      if (!inKernel.getOrDefault(set, Set.of()).contains(b.ip().toString())) {
        restore(b.jail(), b.ip(), b.end() == null ? null : Duration.between(now, b.end()));
        missing++;
      }
    }
    int stray = 0;
    for (Map.Entry<String, Set<String>> e : inKernel.entrySet()) {
      for (String el : e.getValue()) {
        if (!expected.contains(e.getKey() + " " + el)) {
          String jail = jailOf(e.getKey());
          IpAddress ip = IpAddress.parseOrNull(el);
          if (jail != null && ip != null) {
            unban(jail, ip);
            stray++;
          }
        }
      }
    }
    return missing + stray == 0
        ? ""
        : missing + " ban(s) missing from the kernel and " + stray + " stray element(s): repaired";
  }

  private String jailOf(String set) {
    for (String j : jails.keySet()) {
      if (setName(j, true).equals(set) || setName(j, false).equals(set)) {
        return j;
      }
    }
    return null;
  }

  /** Elements of each set in {@code nft -j list table} output. */
  static Map<String, Set<String>> elements(String json) throws IOException {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    JsonNode root = JSON.readTree(json).path("nftables");
    for (JsonNode item : root) {
      JsonNode set = item.get("set");
      if (set == null) {
        continue;
      }
      Set<String> els = new HashSet<>();
      for (JsonNode e : set.path("elem")) {
        JsonNode v = e.has("elem") ? e.get("elem").get("val") : e;
        if (v.isTextual()) {
          els.add(IpAddress.parse(v.asText()).toString());
        } else if (v.has("prefix")) {
          els.add(
              IpAddress.parse(
                      v.get("prefix").get("addr").asText()
                          + "/"
                          + v.get("prefix").get("len").asInt())
                  .toString());
        }
      }
      out.put(set.get("name").asText(), els);
    }
    return out;
  }

  /** Whether the table exists (for status). */
  public boolean inPlace() {
    try {
      return commands.run(List.of("nft", "list", "table", "inet", TABLE), null).ok();
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    awaitQueue(Duration.ofSeconds(10));
    running = false;
    worker.interrupt();
    worker.join(5_000);
    conntrackWorker.interrupt();
    conntrackWorker.join(5_000);
  }
}
