import io.portcullis.action.FirewallBackend;
import io.portcullis.action.NftablesBackend;
import io.portcullis.action.Port;
import io.portcullis.action.Protocol;
import io.portcullis.geo.Cidr;
import io.portcullis.geo.CountryDatabase;
import io.portcullis.geo.CountryRule;
import io.portcullis.geo.CountryShield;
import io.portcullis.process.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Costs of country rules on one database (bench/countrydb.sh makes it): the walk, the set sizes,
 * then in a fresh network namespace with the real nftables backend (plain sets, one per prefix
 * length): the load at start, a swap (what a changed database costs) and a single ban's nft call,
 * for no country rule and for rules of growing size; and, as the reference, a ban's nft call with
 * the same networks in one interval set per family (the layout before issue #15's fix).
 */
public final class CountryBench {
  private static final int BANS = 11;

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    CountryDatabase db = null;
    for (int i = 0; i < 2; i++) {
      long t = System.nanoTime();
      db = CountryDatabase.load(file);
      System.out.printf(
          "walk + merge, run %d: %d records in %d ms%n",
          i + 1, db.records(), (System.nanoTime() - t) / 1_000_000);
    }
    String ns = "pc-geo-bench-" + ProcessHandle.current().pid();
    // the reference: a namespace with the same table and no country rule; each ban's nft call
    // there alternates with one in the namespace under test, so a load that moves hits both
    String ref = ns + "-ref";
    sh("ip", "netns", "add", ns);
    sh("ip", "netns", "add", ref);
    try {
      NftablesBackend plain = backend(ref, CountryShield.OFF);
      plain.start();
      plain.close();
      for (String text : List.of("off", "deny CN RU", "allow DE FR AT", "deny US")) {
        CountryShield s = CountryShield.of(CountryRule.parse(text), db);
        NftablesBackend fw = backend(ns, s);
        long t = System.nanoTime();
        fw.start();
        long load = (System.nanoTime() - t) / 1_000_000;
        long swap = 0;
        if (!s.isOff()) {
          t = System.nanoTime();
          fw.countriesNow("sip", s);
          swap = (System.nanoTime() - t) / 1_000_000;
        }
        long[] ban = bans(ns, "inet portcullis sip-v4", ref);
        // what the reconcile loop does every reconcileinterval, through the backend (the bench's
        // ban elements count as adopted strays: nothing changes in the kernel)
        t = System.nanoTime();
        fw.reconcile(List::of, (jail, ip, left) -> true, true);
        long listing = (System.nanoTime() - t) / 1_000_000;
        fw.close();
        System.out.printf(
            "%-15s IPv4 %6d networks in %2d sets, IPv6 %6d in %2d: load %5d ms, swap %5d ms,"
                + " one ban's nft call %3d ms against %3d ms without (%.2fx); one reconcile %5d"
                + " ms%n",
            text,
            s.v4().size(),
            lengths(s.v4()),
            s.v6().size(),
            lengths(s.v6()),
            load,
            swap,
            ban[0],
            ban[1],
            (double) ban[0] / Math.max(1, ban[1]),
            listing);
        sh("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "portcullis");
      }
      // before the fix: the same networks in interval sets
      for (String text : List.of("deny CN RU")) {
        CountryShield s = CountryShield.of(CountryRule.parse(text), db);
        StringBuilder script = new StringBuilder("add table inet portcullis\n");
        script.append("add set inet portcullis sip-v4 { type ipv4_addr; flags timeout; }\n");
        for (boolean v4 : new boolean[] {true, false}) {
          String set = v4 ? "cc4" : "cc6";
          script.append(
              "add set inet portcullis " + set + " { type " + (v4 ? "ipv4" : "ipv6")
                  + "_addr; flags interval; }\n");
          List<Cidr> nets = s.networks(v4);
          for (int from = 0; from < nets.size(); from += 5000) {
            List<String> part = new ArrayList<>();
            nets.subList(from, Math.min(nets.size(), from + 5000))
                .forEach(c -> part.add(c.toString()));
            script.append(
                "add element inet portcullis " + set + " { " + String.join(", ", part) + " }\n");
          }
        }
        Path f = Files.createTempFile("countrybench", ".nft");
        Files.writeString(f, script);
        long t = System.nanoTime();
        sh("ip", "netns", "exec", ns, "nft", "-f", f.toString());
        long fill = (System.nanoTime() - t) / 1_000_000;
        Files.delete(f);
        long[] ban = bans(ns, "inet portcullis sip-v4", ref);
        System.out.printf(
            "%-15s in INTERVAL sets (before #15's fix): load %5d ms, one ban's nft call %3d ms"
                + " against %3d ms without (%.2fx)%n",
            text, fill, ban[0], ban[1], (double) ban[0] / Math.max(1, ban[1]));
        sh("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "portcullis");
      }
    } finally {
      sh("ip", "netns", "delete", ns);
      sh("ip", "netns", "delete", ref);
    }
  }

  private static NftablesBackend backend(String ns, CountryShield s) {
    ProcessRunner r = new ProcessRunner(List.of("ip", "netns", "exec", ns), Duration.ofSeconds(300));
    NftablesBackend fw = new NftablesBackend(r, Clock.systemUTC(), l -> {});
    fw.addJail(
        new FirewallBackend.JailRule(
            "sip", List.of(new Port(5060, 5061, null)), List.of(Protocol.TCP, Protocol.UDP), false));
    fw.countries("sip", s);
    return fw;
  }

  /**
   * The medians of BANS single nft calls adding one address to {@code set} ("inet T S") in {@code
   * ns}, and of as many in {@code ref}, taken in turn.
   */
  private static long[] bans(String ns, String set, String ref) throws Exception {
    long[][] ms = new long[2][BANS];
    for (int i = 0; i < BANS; i++) {
      for (int k = 0; k < 2; k++) {
        long t = System.nanoTime();
        List<String> cmd =
            new ArrayList<>(
                List.of("ip", "netns", "exec", k == 0 ? ns : ref, "nft", "add", "element"));
        cmd.addAll(Arrays.asList(set.split(" ")));
        cmd.add("{ 192.0.2." + (i + 1) + " timeout 60s }");
        sh(cmd.toArray(String[]::new));
        ms[k][i] = (System.nanoTime() - t) / 1_000_000;
      }
    }
    Arrays.sort(ms[0]);
    Arrays.sort(ms[1]);
    return new long[] {ms[0][BANS / 2], ms[1][BANS / 2]};
  }

  private static int lengths(List<Cidr> nets) {
    TreeSet<Integer> l = new TreeSet<>();
    nets.forEach(c -> l.add(c.prefix()));
    return l.size();
  }

  private static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
  }
}
