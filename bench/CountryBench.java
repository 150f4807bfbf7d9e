import io.portcullis.geo.Cidr;
import io.portcullis.geo.CountryDatabase;
import io.portcullis.geo.CountryRule;
import io.portcullis.geo.CountryShield;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Costs of country rules on one database (bench/countrydb.sh makes it): the walk, the set sizes,
 * the nft transaction filling the sets in a fresh network namespace, a ban's nft call after it.
 */
public final class CountryBench {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    CountryDatabase db = null;
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      db = CountryDatabase.load(file);
      System.out.printf(
          "walk + merge, run %d: %d records in %d ms%n",
          i + 1, db.records(), (System.nanoTime() - t) / 1_000_000);
    }
    String ns = "pc-geo-bench-" + ProcessHandle.current().pid();
    sh("ip", "netns", "add", ns);
    try {
      for (String text : List.of("deny CN RU", "allow DE FR AT", "deny US", "allow US")) {
        CountryShield s = CountryShield.of(CountryRule.parse(text), db);
        StringBuilder script = new StringBuilder("add table inet bench\n");
        script.append("add set inet bench plain { type ipv4_addr; flags timeout; }\n");
        for (boolean v4 : new boolean[] {true, false}) {
          String set = v4 ? "cc4" : "cc6";
          script.append("add set inet bench " + set + " { type " + (v4 ? "ipv4" : "ipv6")
              + "_addr; flags interval; }\nflush set inet bench " + set + "\n");
          List<Cidr> nets = s.networks(v4);
          for (int from = 0; from < nets.size(); from += 5000) {
            List<String> part = new ArrayList<>();
            nets.subList(from, Math.min(nets.size(), from + 5000)).forEach(c -> part.add(c.toString()));
            script.append("add element inet bench " + set + " { " + String.join(", ", part) + " }\n");
          }
        }
        Path f = Files.createTempFile("countrybench", ".nft");
        Files.writeString(f, script);
        long t = System.nanoTime();
        sh("ip", "netns", "exec", ns, "nft", "-f", f.toString());
        long fill = (System.nanoTime() - t) / 1_000_000;
        t = System.nanoTime();
        sh("ip", "netns", "exec", ns, "nft", "-f", f.toString());
        long swap = (System.nanoTime() - t) / 1_000_000;
        t = System.nanoTime();
        sh("ip", "netns", "exec", ns, "nft", "add", "element", "inet", "bench", "plain",
            "{ 192.0.2.7 timeout 60s }");
        long ban = (System.nanoTime() - t) / 1_000_000;
        Files.delete(f);
        System.out.printf(
            "%-15s IPv4 %6d networks, IPv6 %6d: fill %5d ms, swap (flush + fill) %5d ms, then"
                + " one ban by nft add element %4d ms%n",
            text, s.v4().size(), s.v6().size(), fill, swap, ban);
        sh("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "bench");
      }
      long t = System.nanoTime();
      sh("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "bench");
      sh("ip", "netns", "exec", ns, "nft", "add", "set", "inet", "bench", "plain",
          "{ type ipv4_addr; flags timeout; }");
      t = System.nanoTime();
      sh("ip", "netns", "exec", ns, "nft", "add", "element", "inet", "bench", "plain",
          "{ 192.0.2.7 timeout 60s }");
      System.out.printf("one ban by nft add element, no country set: %d ms%n",
          (System.nanoTime() - t) / 1_000_000);
    } finally {
      sh("ip", "netns", "delete", ns);
    }
  }

  private static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
  }
}
