package io.portcullis.action;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.net.IpAddress;
import io.portcullis.process.ProcessRunner;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The nftables dialect: a table {@code inet portcullis}, two sets per jail and family, and one rule
 * per set in a chain hooked at prerouting priority -300, before conntrack and before anybody's
 * "established, accept" rule. A large batch is one {@code nft -f -} transaction, a small one (a ban
 * as it happens) goes to a long-lived {@code nft -i}; a delete is preceded by an add of the same
 * element, so a missing element never fails the batch (Debian 12's nft has no "destroy").
 */
public final class NftablesBackend extends FirewallBackend {
  public static final String TABLE = "portcullis";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ELEMENTS_PER_STATEMENT = 5_000;
  private static final java.util.regex.Pattern NOT_IN_SET_NAMES =
      java.util.regex.Pattern.compile("[^A-Za-z0-9_]");

  /** Batches up to this size go through the long-lived {@code nft -i}; larger ones are one file. */
  private static final int SESSION_BATCH = 100;

  private final NftSession session;
  private String lastSessionProblem;

  public NftablesBackend(ProcessRunner commands, Clock clock, Consumer<String> log) {
    super(commands, clock, log, "nft");
    this.session = new NftSession(commands, commands.timeout());
  }

  @Override
  public String name() {
    return "nftables";
  }

  /**
   * The set of single addresses ({@code flags timeout}). Nft set names allow letters, digits, '_'
   * and '-': anything else in a jail name becomes '_'.
   *
   * <p>Design note: networks (a CIDR ban) need an interval set, but Debian 12's nft (1.0.6) reads
   * every element of every interval set in the ruleset before each change: with 100,000 bans in
   * one, a single {@code nft add element} took 1.3 s instead of 5 ms here, whichever set it went
   * to. So single addresses, nearly every ban, live in a plain set, and networks in their own small
   * interval set ({@link #netSetName}).
   */
  public static String setName(String jail, boolean v4) {
    return NOT_IN_SET_NAMES.matcher(jail).replaceAll("_") + (v4 ? "-v4" : "-v6");
  }

  /** The set of networks ({@code flags interval, timeout}). */
  static String netSetName(String jail, boolean v4) {
    return setName(jail, v4) + "-net";
  }

  /** The set an address or network belongs in. */
  private static String setOf(String jail, IpAddress ip) {
    return ip.prefix() < 0 ? setName(jail, ip.isV4()) : netSetName(jail, ip.isV4());
  }

  @Override
  protected String setKey(String jail, boolean v4) {
    return setName(jail, v4);
  }

  /**
   * Creates the table, its sets and its chain, keeping what the sets hold: one transaction that
   * adds what is missing and replaces the chain's rules (so a changed port list takes effect). A
   * set that exists with another definition (an older version's) makes it fail; then the table is
   * made anew in one transaction that puts the elements it held back in, so no packet ever finds
   * the sets empty.
   */
  @Override
  protected synchronized void create() throws IOException {
    try {
      run(update());
    } catch (IOException e) {
      Map<String, List<Element>> held = list();
      StringBuilder fill = new StringBuilder();
      for (JailRule j : jails.values()) {
        fill.append(countryFill(j.jail()));
      }
      run(definition() + fill + elements(held));
      log.accept(
          "nftables: table inet "
              + TABLE
              + " made anew ("
              + e.getMessage()
              + "); the elements it held were kept");
    }
    openSession();
  }

  /**
   * Has the session for small batches running before the first ban needs it. One that does not
   * start is said once; small batches then go through {@code nft -f}, as when it breaks.
   */
  private void openSession() {
    try {
      session.open();
    } catch (IOException e) {
      lastSessionProblem = e.getMessage();
      log.accept("nftables: " + e.getMessage() + "; changes go through nft -f");
    }
  }

  /** Whether the session for small batches is running (tests). */
  boolean sessionOpen() {
    return session.isOpen();
  }

  /** Adds the table, sets and chain where missing and replaces the chain's rules. */
  synchronized String update() {
    StringBuilder s = new StringBuilder();
    s.append("add table inet ").append(TABLE).append('\n');
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        String type = v4 ? "ipv4_addr" : "ipv6_addr";
        s.append("add set inet ").append(TABLE).append(' ').append(setName(j.jail(), v4));
        s.append(" { type ").append(type).append("; flags timeout; }\n");
        s.append("add set inet ").append(TABLE).append(' ').append(netSetName(j.jail(), v4));
        s.append(" { type ").append(type).append("; flags interval, timeout; }\n");
      }
    }
    for (JailRule j : jails.values()) {
      s.append(exemptionUpdate(j.jail()));
      s.append(countryFill(j.jail()));
      for (boolean v4 : new boolean[] {true, false}) {
        for (String set : rateSets(j.jail(), v4)) {
          s.append("add set inet ").append(TABLE).append(' ').append(set).append('\n');
        }
      }
    }
    s.append("add chain inet ")
        .append(TABLE)
        .append(" prerouting { type filter hook prerouting priority -300; policy accept; }\n");
    s.append("flush chain inet ").append(TABLE).append(" prerouting\n");
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        for (String set : List.of(setName(j.jail(), v4), netSetName(j.jail(), v4))) {
          s.append("add rule inet ").append(TABLE).append(" prerouting ");
          s.append(v4 ? "ip" : "ip6").append(" saddr @").append(set);
          if (set.equals(netSetName(j.jail(), v4))) {
            s.append(exemptionMatch(j.jail(), v4));
          }
          s.append(match(j)).append(j.reject() ? " reject" : " drop").append('\n');
        }
        String country = countryRule(j, v4);
        if (country != null) {
          s.append("add rule inet ").append(TABLE).append(" prerouting ").append(country);
          s.append('\n');
        }
        for (String rule : rateRules(j, v4)) {
          s.append("add rule inet ").append(TABLE).append(" prerouting ").append(rule);
          s.append('\n');
        }
      }
    }
    s.append(countryLeftovers());
    return s.toString();
  }

  /** Statements that put listed elements back, with their time left. */
  private String elements(Map<String, List<Element>> held) {
    if (held == null) {
      return "";
    }
    List<Change> back = new java.util.ArrayList<>();
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        for (Element e : held.getOrDefault(setName(j.jail(), v4), List.of())) {
          back.add(new Change(Op.ADD, j.jail(), e.ip(), e.remaining(), false, null));
        }
      }
    }
    return script(back);
  }

  /** The whole table, as one script: delete what is there, create it anew (sets empty). */
  synchronized String definition() {
    StringBuilder s = new StringBuilder();
    s.append("table inet ").append(TABLE).append(" {}\n");
    s.append("delete table inet ").append(TABLE).append("\n");
    s.append("table inet ").append(TABLE).append(" {\n");
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        String type = v4 ? "ipv4_addr" : "ipv6_addr";
        s.append("  set ").append(setName(j.jail(), v4));
        s.append(" { type ").append(type).append("; flags timeout; }\n");
        s.append("  set ").append(netSetName(j.jail(), v4));
        s.append(" { type ").append(type).append("; flags interval, timeout; }\n");
        s.append(exemptionSets(j.jail(), v4, type));
        if (countries.containsKey(j.jail())) {
          s.append("  chain ").append(countryChainName(j.jail(), v4)).append(" {\n  }\n");
        }
        for (String set : rateSets(j.jail(), v4)) {
          s.append("  set ").append(set).append('\n');
        }
      }
    }
    s.append(
        "  chain prerouting {\n    type filter hook prerouting priority -300; policy accept;\n");
    for (JailRule j : jails.values()) {
      for (boolean v4 : new boolean[] {true, false}) {
        for (String set : List.of(setName(j.jail(), v4), netSetName(j.jail(), v4))) {
          s.append("    ").append(v4 ? "ip" : "ip6").append(" saddr @").append(set);
          if (set.equals(netSetName(j.jail(), v4))) {
            s.append(exemptionMatch(j.jail(), v4));
          }
          s.append(match(j)).append(j.reject() ? " reject" : " drop").append('\n');
        }
        String country = countryRule(j, v4);
        if (country != null) {
          s.append("    ").append(country).append('\n');
        }
        for (String rule : rateRules(j, v4)) {
          s.append("    ").append(rule).append('\n');
        }
      }
    }
    s.append("  }\n}\n");
    return s.toString();
  }

  /** The rule's port and protocol part: all traffic unless the jail names ports. */
  private static String match(JailRule j) {
    if (j.ports().isEmpty()) {
      return "";
    }
    return " meta l4proto { "
        + String.join(", ", j.protocols().stream().map(Protocol::tool).toList())
        + " } th dport { "
        + String.join(", ", j.ports().stream().map(Port::nft).toList())
        + " }";
  }

  // ---- country rules (countries): plain sets per prefix length, matched through a sub-chain
  //
  // Design note: Debian 12's nft (1.0.6) reads every element of every interval set in the ruleset
  // before each change, so country networks in an interval set made every later ban's nft call
  // take 1 to 11 s. The networks live instead in plain hash sets, one per prefix length that
  // occurs (JAIL-v4-cc-24 holds the base addresses of the /24 networks), matched by
  // "ip saddr & 255.255.255.0 @JAIL-v4-cc-24": nft never reads those. The rules are in a chain of
  // their own per jail and family (JAIL-v4-cc), jumped to on the jail's ports only, so a database
  // change (a length may appear or go) is one transaction: flush that chain, fill the sets, put
  // the rules back, delete the sets of lengths gone.

  private final Map<String, io.portcullis.geo.CountryShield> countries = new LinkedHashMap<>();

  /** The chain of a jail's country rules, one per family. */
  static String countryChainName(String jail, boolean v4) {
    return setName(jail, v4) + "-cc";
  }

  /** The plain set of a jail's country networks of one prefix length: their base addresses. */
  static String countrySetName(String jail, boolean v4, int prefix) {
    return setName(jail, v4) + "-cc-" + prefix;
  }

  @Override
  public synchronized void countries(String jail, io.portcullis.geo.CountryShield shield) {
    if (shield.isOff()) {
      countries.remove(jail);
    } else {
      countries.put(jail, shield);
    }
  }

  @Override
  public void countriesNow(String jail, io.portcullis.geo.CountryShield shield) throws IOException {
    String script;
    synchronized (this) {
      if (!countries.containsKey(jail) || shield.isOff()) {
        return; // the rule's chain is made by create(); a rule added or removed needs a reload
      }
      countries.put(jail, shield);
      if (!jails.containsKey(jail) || !created()) {
        return;
      }
      script = countryFill(jail);
    }
    run(script); // one nft -f: one transaction, no packet sees the sets half filled
  }

  @Override
  public boolean supportsCountries() {
    return true;
  }

  /** A shield's networks of one family, by prefix length (shortest first). */
  static java.util.SortedMap<Integer, List<io.portcullis.geo.Cidr>> byPrefix(
      List<io.portcullis.geo.Cidr> networks) {
    java.util.SortedMap<Integer, List<io.portcullis.geo.Cidr>> out = new java.util.TreeMap<>();
    for (io.portcullis.geo.Cidr c : networks) {
      out.computeIfAbsent(c.prefix(), k -> new ArrayList<>()).add(c);
    }
    return out;
  }

  /**
   * Statements that make a jail's country chains hold the rule's networks now, in the transaction
   * they are part of: the chain flushed, one plain set per prefix length created where missing,
   * flushed and filled, one rule per length, and the sets of every other length deleted (each added
   * first, so one that is not there does not fail the batch).
   */
  private synchronized String countryFill(String jail) {
    io.portcullis.geo.CountryShield shield = countries.get(jail);
    JailRule j = jails.get(jail);
    if (shield == null || j == null) {
      return "";
    }
    boolean allow = shield.rule().mode() == io.portcullis.geo.CountryRule.Mode.ALLOW;
    String verdict = j.reject() ? "reject" : "drop";
    StringBuilder s = new StringBuilder();
    for (boolean v4 : new boolean[] {true, false}) {
      String type = v4 ? "ipv4_addr" : "ipv6_addr";
      String chain = countryChainName(jail, v4);
      s.append("add chain inet ").append(TABLE).append(' ').append(chain).append('\n');
      s.append("flush chain inet ").append(TABLE).append(' ').append(chain).append('\n');
      var lengths = byPrefix(shield.networks(v4));
      for (var e : lengths.entrySet()) {
        int prefix = e.getKey();
        String onHit = allow ? "return" : verdict;
        if (prefix == 0) {
          // the whole address space: no lookup
          s.append("add rule inet ").append(TABLE).append(' ').append(chain).append(' ');
          s.append(onHit).append('\n');
          continue;
        }
        String set = countrySetName(jail, v4, prefix);
        s.append("add set inet ").append(TABLE).append(' ').append(set);
        s.append(" { type ").append(type).append("; }\n");
        s.append("flush set inet ").append(TABLE).append(' ').append(set).append('\n');
        List<io.portcullis.geo.Cidr> nets = e.getValue();
        for (int from = 0; from < nets.size(); from += ELEMENTS_PER_STATEMENT) {
          s.append("add element inet ").append(TABLE).append(' ').append(set).append(" { ");
          List<io.portcullis.geo.Cidr> part =
              nets.subList(from, Math.min(nets.size(), from + ELEMENTS_PER_STATEMENT));
          for (int i = 0; i < part.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(part.get(i).address());
          }
          s.append(" }\n");
        }
        s.append("add rule inet ").append(TABLE).append(' ').append(chain).append(' ');
        s.append(v4 ? "ip" : "ip6").append(" saddr");
        if (prefix < (v4 ? 32 : 128)) {
          s.append(" & ").append(io.portcullis.geo.Cidr.mask(v4, prefix));
        }
        s.append(" @").append(set).append(' ').append(onHit).append('\n');
      }
      if (allow) {
        s.append("add rule inet ").append(TABLE).append(' ').append(chain).append(' ');
        s.append(verdict).append('\n');
      }
      for (int prefix = 1; prefix <= (v4 ? 32 : 128); prefix++) {
        if (!lengths.containsKey(prefix)) {
          s.append(dropSet(countrySetName(jail, v4, prefix), type, false));
        }
      }
    }
    return s.toString();
  }

  /** Statements deleting a set whether or not it is there (added first with its definition). */
  private static String dropSet(String set, String type, boolean interval) {
    return "add set inet "
        + TABLE
        + ' '
        + set
        + " { type "
        + type
        + ";"
        + (interval ? " flags interval;" : "")
        + " }\ndelete set inet "
        + TABLE
        + ' '
        + set
        + '\n';
  }

  /** Jails whose country chains this process put in the kernel (removed when their rule goes). */
  private final java.util.Set<String> countriesMade = new java.util.HashSet<>();

  /**
   * Statements removing what a jail's country rule left when it has none now (its chains and sets,
   * from this process or one before), and the interval set an older version kept the networks in.
   * Run after the prerouting chain was flushed: nothing refers to them any more.
   *
   * <p>Only for a jail whose country chain is in the kernel: about 330 statements a jail and family
   * otherwise (every prefix length's set added and deleted), 16 ms of nft per jail at every start
   * and reload. One {@code nft list chains} (names only: it reads no set element, unlike {@code
   * list sets}, which reads them even with {@code -t}) says which are, and only when a jail without
   * a rule was not known to have one; the chain and its sets come and go in the same transaction.
   */
  private synchronized String countryLeftovers() {
    StringBuilder s = new StringBuilder();
    List<String> without = new ArrayList<>();
    for (String jail : jails.keySet()) {
      for (boolean v4 : new boolean[] {true, false}) {
        // before #15's fix: one interval set JAIL-v4-cc, the cost of every later change
        s.append(dropSet(setName(jail, v4) + "-cc", v4 ? "ipv4_addr" : "ipv6_addr", true));
      }
      if (countries.containsKey(jail)) {
        countriesMade.add(jail);
      } else {
        without.add(jail);
      }
    }
    java.util.Set<String> inKernel = null;
    for (String jail : without) {
      boolean left = countriesMade.remove(jail);
      if (!left) {
        if (inKernel == null) {
          inKernel = kernelChains();
        }
        left =
            inKernel.contains("*")
                || inKernel.contains(countryChainName(jail, true))
                || inKernel.contains(countryChainName(jail, false));
      }
      if (left) {
        s.append(countryRemoval(jail));
      }
    }
    return s.toString();
  }

  /** Statements removing a jail's country chains and the sets of every prefix length. */
  private static String countryRemoval(String jail) {
    StringBuilder s = new StringBuilder();
    for (boolean v4 : new boolean[] {true, false}) {
      String type = v4 ? "ipv4_addr" : "ipv6_addr";
      String chain = countryChainName(jail, v4);
      s.append("add chain inet ").append(TABLE).append(' ').append(chain).append('\n');
      s.append("flush chain inet ").append(TABLE).append(' ').append(chain).append('\n');
      s.append("delete chain inet ").append(TABLE).append(' ').append(chain).append('\n');
      for (int prefix = 1; prefix <= (v4 ? 32 : 128); prefix++) {
        s.append(dropSet(countrySetName(jail, v4, prefix), type, false));
      }
    }
    return s.toString();
  }

  /**
   * The names of this table's chains in the kernel ({@code nft -j list chains inet}); {@code "*"}
   * when they cannot be listed (then every leftover is removed, as before).
   */
  private java.util.Set<String> kernelChains() {
    try {
      ProcessRunner.Result r = commands.run(List.of("nft", "-j", "list", "chains", "inet"), null);
      if (!r.ok()) {
        return java.util.Set.of("*");
      }
      java.util.Set<String> out = new java.util.HashSet<>();
      for (JsonNode item : JSON.readTree(r.output()).path("nftables")) {
        JsonNode chain = item.path("chain");
        if (TABLE.equals(chain.path("table").asText())) {
          out.add(chain.path("name").asText());
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return java.util.Set.of("*");
    }
  }

  /**
   * The rule that sends a jail's ports to its country chain (which drops sources of denied
   * countries, or sources outside the allowed ones); loopback, ignored and allowed sources never go
   * there. Null when the jail has no rule.
   */
  private synchronized String countryRule(JailRule j, boolean v4) {
    io.portcullis.geo.CountryShield shield = countries.get(j.jail());
    if (shield == null) {
      return null;
    }
    return "iif != lo"
        + exemptionMatch(j.jail(), v4)
        + match(j)
        + " jump "
        + countryChainName(j.jail(), v4);
  }

  // ---- rate limits per source (ratelimit): a dynamic set per rule keyed by the source

  private final Map<String, io.portcullis.shield.RateLimit> rateLimits = new LinkedHashMap<>();

  private static final String V6_SOURCE = "ip6 saddr & ffff:ffff:ffff:ffff::";

  /** The dynamic set holding each source's token bucket for rule {@code i}. */
  static String rateSetName(String jail, boolean v4, int i) {
    return setName(jail, v4) + "-rl" + i;
  }

  /** The sources over rule {@code i}'s limit within its period ({@link #limitedNow}). */
  static String limitedSetName(String jail, boolean v4, int i) {
    return rateSetName(jail, v4, i) + "-over";
  }

  @Override
  public synchronized void rateLimit(String jail, io.portcullis.shield.RateLimit limit) {
    if (limit.isOff()) {
      rateLimits.remove(jail);
    } else {
      rateLimits.put(jail, limit);
    }
  }

  @Override
  public boolean supportsRateLimits() {
    return true;
  }

  /** Set definitions (name and body) for a jail's rate limits in one family. */
  private synchronized List<String> rateSets(String jail, boolean v4) {
    io.portcullis.shield.RateLimit limit = rateLimits.get(jail);
    if (limit == null) {
      return List.of();
    }
    String type = v4 ? "ipv4_addr" : "ipv6_addr";
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < limit.rules().size(); i++) {
      long per = limit.rules().get(i).per().getSeconds();
      // the bucket is kept while the source is heard from, forgotten after two quiet periods
      out.add(
          rateSetName(jail, v4, i)
              + " { type "
              + type
              + "; size 65535; flags dynamic, timeout; timeout "
              + 2 * per
              + "s; }");
      out.add(
          limitedSetName(jail, v4, i)
              + " { type "
              + type
              + "; size 65535; flags dynamic, timeout; timeout "
              + per
              + "s; }");
    }
    return out;
  }

  /**
   * The rules of a jail's rate limits in one family (after its bans): ignored and allowed sources
   * pass, each other source's packets to the jail's ports go through its bucket, and a packet over
   * the limit marks the source as limited and is dropped or rejected.
   */
  private synchronized List<String> rateRules(JailRule j, boolean v4) {
    io.portcullis.shield.RateLimit limit = rateLimits.get(j.jail());
    if (limit == null) {
      return List.of();
    }
    String source = v4 ? "ip saddr" : V6_SOURCE;
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < limit.rules().size(); i++) {
      io.portcullis.shield.RateLimit.Rule r = limit.rules().get(i);
      out.add(
          exemptionMatch(j.jail(), v4).strip()
              + match(j)
              + " update @"
              + rateSetName(j.jail(), v4, i)
              + " { "
              + source
              + " limit rate over "
              + io.portcullis.shield.RateLimit.nftRate(r)
              + " } update @"
              + limitedSetName(j.jail(), v4, i)
              + " { "
              + source
              + " }"
              + (r.reject() ? " reject" : " drop"));
    }
    return out;
  }

  @Override
  public List<IpAddress> limitedNow(String jail) throws IOException {
    io.portcullis.shield.RateLimit limit;
    synchronized (this) {
      limit = rateLimits.get(jail);
    }
    if (limit == null) {
      return List.of();
    }
    java.util.Set<IpAddress> out = new java.util.LinkedHashSet<>();
    for (boolean v4 : new boolean[] {true, false}) {
      for (int i = 0; i < limit.rules().size(); i++) {
        ProcessRunner.Result r =
            commands.run(
                List.of("nft", "-j", "list", "set", "inet", TABLE, limitedSetName(jail, v4, i)),
                null);
        if (!r.ok()) {
          throw new IOException(
              "nft list set " + limitedSetName(jail, v4, i) + ": " + r.output().strip());
        }
        for (IpAddress a : setMembers(r.output())) {
          out.add(v4 ? a : IpAddress.parse(a + "/64"));
        }
      }
    }
    return List.copyOf(out);
  }

  /** The addresses in {@code nft -j list set} output. */
  static List<IpAddress> setMembers(String json) throws IOException {
    List<IpAddress> out = new java.util.ArrayList<>();
    for (JsonNode item : JSON.readTree(json).path("nftables")) {
      for (JsonNode e : item.path("set").path("elem")) {
        JsonNode v = e.has("elem") ? e.get("elem").path("val") : e;
        IpAddress a = IpAddress.parseOrNull(v.asText());
        if (a != null) {
          out.add(a);
        }
      }
    }
    return out;
  }

  // ---- exemptions from network bans: ignored and allowed addresses inside a banned network

  /** The jail's never-dropped addresses and networks (ignoreip), from before {@link #start}. */
  private final Map<String, List<IpAddress>> exempt = new LinkedHashMap<>();

  /** Addresses allowed after a success, and until when (so a re-created table gets them back). */
  private final Map<String, Map<IpAddress, java.time.Instant>> allowed = new LinkedHashMap<>();

  /** The interval set of ignored addresses and networks ({@code flags interval}, no timeouts). */
  static String exemptSetName(String jail, boolean v4) {
    return setName(jail, v4) + "-allow";
  }

  /** The set of addresses allowed after a success ({@code flags timeout}). */
  static String allowedSetName(String jail, boolean v4) {
    return setName(jail, v4) + "-allowed";
  }

  @Override
  public synchronized void exempt(String jail, List<IpAddress> always) {
    List<IpAddress> kept = new java.util.ArrayList<>();
    // an interval set refuses overlapping elements: keep the widest of nested entries
    for (IpAddress a : always) {
      boolean covered = false;
      for (IpAddress b : always) {
        if (!a.equals(b) && b.contains(a)) {
          covered = true;
        }
      }
      if (!covered && !kept.contains(a)) {
        kept.add(a);
      }
    }
    exempt.put(jail, List.copyOf(kept));
  }

  /** The trusted fleet nodes' addresses: in every jail's ignore set besides its ignoreip. */
  private List<IpAddress> peers = List.of();

  @Override
  public synchronized void peers(List<IpAddress> peers) {
    this.peers = peers.stream().filter(a -> a.prefix() < 0).distinct().toList();
  }

  @Override
  public void peersNow(List<IpAddress> now) throws IOException {
    StringBuilder script = new StringBuilder();
    synchronized (this) {
      peers(now);
      if (!created()) {
        return; // create() puts them in
      }
      for (String jail : jails.keySet()) {
        script.append(exemptionUpdate(jail));
      }
    }
    if (script.length() > 0) {
      run(script.toString());
    }
  }

  /**
   * The elements of a jail's ignore set in one family: its ignoreip, and the trusted fleet nodes'
   * addresses an ignoreip network does not hold already (an interval set refuses overlaps).
   */
  private synchronized List<String> exemptElements(String jail, boolean v4) {
    List<IpAddress> own = exempt.getOrDefault(jail, List.of());
    List<String> out = new java.util.ArrayList<>();
    for (IpAddress a : own) {
      if (a.isV4() == v4) {
        out.add(a.toString());
      }
    }
    for (IpAddress p : peers) {
      if (p.isV4() == v4 && own.stream().noneMatch(a -> a.contains(p))) {
        out.add(p.toString());
      }
    }
    return out;
  }

  @Override
  public void exemptNow(String jail, List<IpAddress> always) throws IOException {
    String script;
    synchronized (this) {
      exempt(jail, always);
      if (!jails.containsKey(jail) || !created()) {
        return; // create() puts the list in
      }
      script = exemptionUpdate(jail);
    }
    run(script);
  }

  /**
   * Statements that create a jail's exemption sets where missing and make the ignore set hold the
   * list now registered (flushed and filled in the same transaction: never empty in between), and
   * put back allowed addresses the kernel may have lost.
   */
  private synchronized String exemptionUpdate(String jail) {
    StringBuilder s = new StringBuilder();
    java.time.Instant now = clock.instant();
    for (boolean v4 : new boolean[] {true, false}) {
      String type = v4 ? "ipv4_addr" : "ipv6_addr";
      String ignoreSet = exemptSetName(jail, v4);
      s.append("add set inet ").append(TABLE).append(' ').append(ignoreSet);
      s.append(" { type ").append(type).append("; flags interval; }\n");
      s.append("flush set inet ").append(TABLE).append(' ').append(ignoreSet).append('\n');
      List<String> always = exemptElements(jail, v4);
      if (!always.isEmpty()) {
        s.append("add element inet ").append(TABLE).append(' ').append(ignoreSet);
        s.append(" { ").append(String.join(", ", always)).append(" }\n");
      }
      String allowedSet = allowedSetName(jail, v4);
      s.append("add set inet ").append(TABLE).append(' ').append(allowedSet);
      s.append(" { type ").append(type).append("; flags timeout; }\n");
      List<String> until = allowedElements(jail, v4, now);
      if (!until.isEmpty()) {
        s.append("add element inet ").append(TABLE).append(' ').append(allowedSet);
        s.append(" { ").append(String.join(", ", until)).append(" }\n");
      }
    }
    return s.toString();
  }

  @Override
  public void allow(String jail, IpAddress ip, java.time.Instant until) throws IOException {
    java.time.Instant now = clock.instant();
    if (!until.isAfter(now)) {
      return;
    }
    synchronized (this) {
      if (!jails.containsKey(jail) || ip.prefix() >= 0) {
        return;
      }
      Map<IpAddress, java.time.Instant> mine =
          allowed.computeIfAbsent(jail, k -> new LinkedHashMap<>());
      mine.values().removeIf(t -> !t.isAfter(now));
      java.time.Instant before = mine.get(ip);
      // a phone that registers every minute: one kernel call per half allowtime, not per login
      if (before != null
          && before.isAfter(now.plus(java.time.Duration.between(now, until).dividedBy(2)))) {
        return;
      }
      mine.put(ip, until);
    }
    String set = allowedSetName(jail, ip.isV4());
    long seconds = Math.max(1, java.time.Duration.between(now, until).getSeconds());
    run(
        "add element inet "
            + TABLE
            + " "
            + set
            + " { "
            + ip
            + " timeout 1s }\ndelete element inet "
            + TABLE
            + " "
            + set
            + " { "
            + ip
            + " }\nadd element inet "
            + TABLE
            + " "
            + set
            + " { "
            + ip
            + " timeout "
            + seconds
            + "s }\n");
  }

  @Override
  public boolean exemptsInsideNetworks() {
    return true;
  }

  private String exemptionSets(String jail, boolean v4, String type) {
    StringBuilder s = new StringBuilder();
    s.append("  set ").append(exemptSetName(jail, v4));
    s.append(" { type ").append(type).append("; flags interval; ");
    List<String> always = exemptElements(jail, v4);
    if (!always.isEmpty()) {
      s.append("elements = { ").append(String.join(", ", always)).append(" }; ");
    }
    s.append("}\n");
    s.append("  set ").append(allowedSetName(jail, v4));
    s.append(" { type ").append(type).append("; flags timeout; ");
    java.time.Instant now = clock.instant();
    List<String> until = allowedElements(jail, v4, now);
    if (!until.isEmpty()) {
      s.append("elements = { ").append(String.join(", ", until)).append(" }; ");
    }
    s.append("}\n");
    return s.toString();
  }

  /** The part of a network rule that lets ignored and allowed addresses through. */
  private static String exemptionMatch(String jail, boolean v4) {
    String family = v4 ? " ip" : " ip6";
    return family
        + " saddr != @"
        + exemptSetName(jail, v4)
        + family
        + " saddr != @"
        + allowedSetName(jail, v4);
  }

  @Override
  protected void apply(List<Change> batch) throws IOException {
    String script = script(batch);
    String sessionProblem = null;
    if (batch.size() <= SESSION_BATCH) {
      try {
        session.run(script.lines().toList());
        return;
      } catch (IOException e) {
        // a statement failed or the session broke: the batch once more as one transaction, which
        // either works or reports the failure as usual
        sessionProblem = e.getMessage();
      }
    }
    run(script);
    if (sessionProblem != null && !sessionProblem.equals(lastSessionProblem)) {
      // nft -f did what the session could not: worth one line, not one per ban
      log.accept("nftables: " + sessionProblem + "; the change went through nft -f");
      lastSessionProblem = sessionProblem;
    }
  }

  /** The statements of a batch, one per line. */
  private static String script(List<Change> batch) {
    StringBuilder s = new StringBuilder();
    // consecutive additions to one set go in one statement: nft parses that much faster
    String openSet = null;
    int inStatement = 0;
    String lastJail = null;
    int lastKind = -1;
    String lastSet = null;
    for (Change c : batch) {
      if (c.op() == Op.FLUSH) {
        if (openSet != null) {
          s.append(" }\n");
          openSet = null;
        }
        for (boolean v4 : new boolean[] {true, false}) {
          for (String set : List.of(setName(c.jail(), v4), netSetName(c.jail(), v4))) {
            s.append("flush set inet ").append(TABLE).append(' ').append(set).append('\n');
          }
        }
        continue;
      }
      // the set's name is made once per run of changes to it, not per element (a restore: 100,000)
      int kind = (c.ip().isV4() ? 1 : 0) + (c.ip().prefix() < 0 ? 0 : 2);
      if (!c.jail().equals(lastJail) || kind != lastKind) {
        lastSet = setOf(c.jail(), c.ip());
        lastJail = c.jail();
        lastKind = kind;
      }
      String set = lastSet;
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
    return s.toString();
  }

  @Override
  public void disallow(String jail, IpAddress ip) throws IOException {
    synchronized (this) {
      Map<IpAddress, java.time.Instant> mine = allowed.get(jail);
      if (!jails.containsKey(jail) || mine == null || mine.remove(ip) == null) {
        return; // never put in the kernel's allowed set by this server
      }
    }
    String element = "inet " + TABLE + " " + allowedSetName(jail, ip.isV4()) + " { " + ip;
    // added for a second first, so that the delete finds it even if its timeout just ran out
    run("add element " + element + " timeout 1s }\ndelete element " + element + " }\n");
  }

  private void run(String script) throws IOException {
    runScript(List.of("nft", "-f", "-"), script);
  }

  @Override
  protected Map<String, List<Element>> list() throws IOException {
    List<String> banSets = new ArrayList<>();
    synchronized (this) {
      if (!countries.isEmpty()) {
        for (String jail : jails.keySet()) {
          for (boolean v4 : new boolean[] {true, false}) {
            banSets.add(setName(jail, v4));
            banSets.add(netSetName(jail, v4));
          }
        }
      }
    }
    if (banSets.isEmpty()) {
      ProcessRunner.Result r =
          commands.run(List.of("nft", "-j", "list", "table", "inet", TABLE), null);
      return r.ok() ? elements(r.output()) : null;
    }
    // with country sets (hundreds of thousands of elements) listing the table took seconds of
    // nft at every reconcile: list only the ban sets, ~20 ms each
    Map<String, List<Element>> out = new LinkedHashMap<>();
    boolean any = false;
    for (String set : banSets) {
      ProcessRunner.Result r =
          commands.run(List.of("nft", "-j", "list", "set", "inet", TABLE, set), null);
      if (r.ok()) {
        any = true;
        elements(r.output())
            .forEach((k, v) -> out.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
      }
    }
    return any || inPlace() ? out : null;
  }

  /**
   * Elements per jail and family ({@link #setName}) in {@code nft -j list table} output, with the
   * time they have left ({@code expires}); a jail's network set counts with its address set.
   *
   * <p>Read as a stream of tokens, not as a tree: 100,000 elements are 8 MB of JSON, and the
   * reconcile reads them every {@code reconcileinterval} (the tree cost more CPU than nft's
   * listing).
   */
  static Map<String, List<Element>> elements(String json) throws IOException {
    Map<String, List<Element>> out = new LinkedHashMap<>();
    try (JsonParser p = JSON.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return out;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        if (p.nextToken() != JsonToken.START_ARRAY || !field.equals("nftables")) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String kind = p.currentName();
            if (p.nextToken() == JsonToken.START_OBJECT && kind.equals("set")) {
              readSet(p, out);
            } else {
              p.skipChildren();
            }
          }
        }
      }
    }
    return out;
  }

  /** One {@code "set": {...}} object, the parser on its start; its elements go into {@code out}. */
  private static void readSet(JsonParser p, Map<String, List<Element>> out) throws IOException {
    String name = null;
    List<Element> els = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals("name") && t == JsonToken.VALUE_STRING) {
        name = p.getText();
      } else if (field.equals("elem") && t == JsonToken.START_ARRAY) {
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
          Element e = readElement(p);
          if (e != null) {
            els.add(e);
          }
        }
      } else {
        p.skipChildren();
      }
    }
    if (name == null) {
      return;
    }
    String key = name.endsWith("-net") ? name.substring(0, name.length() - 4) : name;
    out.computeIfAbsent(key, k -> new ArrayList<>()).addAll(els);
  }

  /**
   * One element, the parser on its first token: an address ({@code "192.0.2.1"}), a network ({@code
   * {"prefix": {...}}}), or either with a timeout ({@code {"elem": {"val": ..., "expires": N}}});
   * null for anything else (a range).
   */
  private static Element readElement(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      return p.currentToken() == JsonToken.VALUE_STRING
          ? element(IpAddress.parseOrNull(p.getText()), null)
          : skip(p);
    }
    IpAddress ip = null;
    Duration left = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("prefix")) {
        ip = readPrefix(p);
      } else if (field.equals("elem") && p.currentToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String inner = p.currentName();
          JsonToken t = p.nextToken();
          if (inner.equals("val")) {
            ip = value(p);
          } else if (inner.equals("expires") && t == JsonToken.VALUE_NUMBER_INT) {
            left = Duration.ofSeconds(Math.max(1, p.getLongValue()));
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return element(ip, left);
  }

  /** An element's value: an address, or {@code {"prefix": {...}}}; null for anything else. */
  private static IpAddress value(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      return IpAddress.parseOrNull(p.getText());
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    IpAddress ip = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("prefix")) {
        ip = readPrefix(p);
      } else {
        p.skipChildren();
      }
    }
    return ip;
  }

  /** {@code {"addr": "...", "len": N}}, the parser on its start. */
  private static IpAddress readPrefix(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    String addr = null;
    int len = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals("addr") && t == JsonToken.VALUE_STRING) {
        addr = p.getText();
      } else if (field.equals("len") && t == JsonToken.VALUE_NUMBER_INT) {
        len = p.getIntValue();
      } else {
        p.skipChildren();
      }
    }
    return addr == null || len < 0 ? null : IpAddress.parseOrNull(addr + "/" + len);
  }

  private static Element element(IpAddress ip, Duration left) {
    return ip == null ? null : new Element(ip, left);
  }

  private static Element skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  @Override
  public void close() {
    super.close();
    session.close();
  }

  @Override
  public boolean inPlace() {
    try {
      // 'list chains' reads no set elements; 'list table' (and 'list tables') read every element
      // of every set on nft 1.0.6: over a second with GeoLite2-sized country sets
      ProcessRunner.Result r = commands.run(List.of("nft", "list", "chains", "inet"), null);
      return r.ok() && r.output().contains("table inet " + TABLE + " {");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The jail's allowed addresses of one family still allowed at {@code now}, with their timeouts.
   */
  private List<String> allowedElements(String jail, boolean v4, java.time.Instant now) {
    return allowed.getOrDefault(jail, Map.of()).entrySet().stream()
        .filter(e -> e.getKey().isV4() == v4 && e.getValue().isAfter(now))
        .map(
            e ->
                e.getKey()
                    + " timeout "
                    + Math.max(1, java.time.Duration.between(now, e.getValue()).getSeconds())
                    + "s")
        .toList();
  }
}
