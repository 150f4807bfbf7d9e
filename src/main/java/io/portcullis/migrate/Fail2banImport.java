package io.portcullis.migrate;

import io.portcullis.ban.BanStore;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Carries fail2ban's bans into Portcullis' store: the bans still in force (with their own start and
 * length, so that the server puts them back with the time they have left) and the ban history (each
 * address's earlier bans, which make its next ban longer with bantime.increment). Planned first
 * from what fail2ban's database holds, then written in one transaction; running it again adds
 * nothing twice.
 */
public final class Fail2banImport {
  private Fail2banImport() {}

  /**
   * What the import adds.
   *
   * @param inForce bans still running, as Portcullis keeps them
   * @param history every earlier ban of the addresses, in force ones included
   * @param countedOnly how many of {@code history} stand for bans that fail2ban only counted (their
   *     rows were purged after its dbpurgeage): they are dated at the address's latest ban
   */
  public record Plan(List<BanDecision> inForce, List<BanDecision> history, int countedOnly) {
    public Plan {
      inForce = List.copyOf(inForce);
      history = List.copyOf(history);
    }

    /** Bans in force per jail, in name order. */
    public Map<String, Integer> inForceByJail() {
      Map<String, Integer> out = new TreeMap<>();
      inForce.forEach(b -> out.merge(b.jail(), 1, Integer::sum));
      return out;
    }
  }

  /** What fail2ban itself uses for a ban whose length it no longer knows, if the jail is gone. */
  static final Duration FAIL2BAN_DEFAULT_BANTIME = Duration.ofMinutes(10);

  /**
   * Plans the import.
   *
   * @param latest fail2ban's latest ban of each address per jail ({@link
   *     Fail2banDatabase#latestBans})
   * @param history every ban fail2ban remembers ({@link Fail2banDatabase#history})
   * @param now what "still in force" is measured against
   * @param jailBantime a jail's bantime in fail2ban's config: like fail2ban, the import gives it to
   *     a ban whose length fail2ban no longer knows (10 minutes if the jail is gone)
   */
  public static Plan plan(
      List<Fail2banBan> latest,
      List<Fail2banBan> history,
      Instant now,
      Function<String, Optional<Duration>> jailBantime) {
    List<BanDecision> inForce = new ArrayList<>();
    for (Fail2banBan b : latest) {
      Duration bantime =
          b.bantime() != null
              ? b.bantime()
              : jailBantime.apply(b.jail()).orElse(FAIL2BAN_DEFAULT_BANTIME);
      if (bantime.isNegative() || b.time().plus(bantime).isAfter(now)) {
        inForce.add(decision(b, bantime, b.count()));
      }
    }

    // one history row per ban fail2ban remembers, then one per ban it only counted
    List<BanDecision> rows = new ArrayList<>();
    Map<String, Set<Integer>> countsSeen = new HashMap<>();
    for (Fail2banBan b : history) {
      BanDecision d = decision(b, b.bantime() == null ? Duration.ZERO : b.bantime(), b.count());
      rows.add(d);
      countsSeen.computeIfAbsent(key(d.jail(), d.fid()), k -> new HashSet<>()).add(b.count());
    }
    int countedOnly = 0;
    for (Fail2banBan b : latest) {
      BanDecision last = decision(b, b.bantime() == null ? Duration.ZERO : b.bantime(), b.count());
      Set<Integer> seen =
          countsSeen.computeIfAbsent(key(last.jail(), last.fid()), k -> new TreeSet<>());
      for (int n = 1; n <= b.count(); n++) {
        if (seen.add(n)) {
          rows.add(
              new BanDecision(
                  last.jail(),
                  last.fid(),
                  last.ip(),
                  last.time(),
                  last.bantime(),
                  n,
                  n == b.count() ? last.failures() : 0,
                  List.of()));
          if (n != b.count()) {
            countedOnly++;
          }
        }
      }
    }
    return new Plan(inForce, rows, countedOnly);
  }

  private static BanDecision decision(Fail2banBan b, Duration bantime, int count) {
    IpAddress ip = IpAddress.parseOrNull(b.id());
    return new BanDecision(
        b.jail(),
        ip == null ? b.id() : ip.toString(),
        ip,
        b.time(),
        bantime,
        Math.max(1, count),
        b.failures(),
        b.matches());
  }

  private static String key(String jail, String fid) {
    return jail + "\u0000" + fid;
  }

  /**
   * What writing a plan changed.
   *
   * @param alreadyThere bans in force that the store held already (an earlier import, or Portcullis
   *     banned the address itself): kept as they are
   * @param historyAdded rows added to the ban history, those of the added bans included
   */
  public record Outcome(int bansAdded, int alreadyThere, int historyAdded) {}

  /** Writes a plan into the store, in one transaction. */
  public static Outcome write(Plan plan, BanStore store) throws SQLException {
    Set<String> present = new HashSet<>();
    for (BanDecision b : store.bans()) {
      present.add(key(b.jail(), b.fid()));
    }
    int[] counts = new int[3];
    Map<String, BanDecision> toAdd = new LinkedHashMap<>();
    for (BanDecision b : plan.inForce()) {
      if (present.contains(key(b.jail(), b.fid()))) {
        counts[1]++;
      } else {
        toAdd.put(key(b.jail(), b.fid()), b);
      }
    }
    store.inTransaction(
        () -> {
          for (BanDecision b : toAdd.values()) {
            store.addBan(b); // adds its history row too
            counts[0]++;
          }
          for (BanDecision b : plan.history()) {
            if (store.addHistory(b)) {
              counts[2]++;
            }
          }
        });
    return new Outcome(counts[0], counts[1], counts[0] + counts[2]);
  }
}
