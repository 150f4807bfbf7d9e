package io.portcullis.filter;

import io.portcullis.regex.Need;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Chooses a cover of a {@link Need}: a set of words such that every text satisfying the need holds
 * at least one of them, as cheap to search for as it can find. For "all of" it takes the cheapest
 * part; for "one of" it picks, greedily, the word that the most uncovered options require per unit
 * of cost (the words every NOTICE regex needs, "NOTICE", beat one rare word per regex), and covers
 * the options left without such a word part by part.
 */
final class Cover {
  private static final double ALREADY_CHOSEN = 1e-9;

  private Cover() {}

  /** The cover; empty only for ANY, which no set of words covers. */
  static String[] choose(Need need, ToDoubleFunction<String> cost) {
    Set<String> chosen = new LinkedHashSet<>();
    cover(need, chosen, cost);
    return chosen.toArray(new String[0]);
  }

  private static void cover(Need n, Set<String> chosen, ToDoubleFunction<String> cost) {
    if (n instanceof Need.Word w) {
      chosen.add(w.text());
    } else if (n instanceof Need.All a) {
      Set<String> best = null;
      double bestCost = Double.MAX_VALUE;
      for (Need part : a.parts()) {
        Set<String> trial = new LinkedHashSet<>(chosen);
        cover(part, trial, cost);
        double c = 0;
        for (String w : trial) {
          if (!chosen.contains(w)) {
            c += cost.applyAsDouble(w);
          }
        }
        if (c < bestCost) {
          bestCost = c;
          best = trial;
        }
      }
      if (best != null) {
        chosen.addAll(best);
      }
    } else if (n instanceof Need.OneOf o) {
      oneOf(o.options(), chosen, cost);
    }
  }

  private static void oneOf(List<Need> options, Set<String> chosen, ToDoubleFunction<String> cost) {
    List<Need> open = new ArrayList<>(options);
    while (!open.isEmpty()) {
      Map<String, Integer> gain = new LinkedHashMap<>();
      for (Need o : open) {
        for (String w : direct(o)) {
          gain.merge(w, 1, Integer::sum);
        }
      }
      String best = null;
      double bestRatio = -1;
      for (Map.Entry<String, Integer> e : gain.entrySet()) {
        double c = chosen.contains(e.getKey()) ? ALREADY_CHOSEN : cost.applyAsDouble(e.getKey());
        double ratio = e.getValue() / c;
        if (ratio > bestRatio) {
          bestRatio = ratio;
          best = e.getKey();
        }
      }
      if (best == null) {
        for (Need o : open) {
          cover(o, chosen, cost);
        }
        return;
      }
      chosen.add(best);
      String picked = best;
      open.removeIf(o -> direct(o).contains(picked));
    }
  }

  /** The words an option requires on its own: itself, or the words among its parts. */
  private static Set<String> direct(Need option) {
    Set<String> out = new LinkedHashSet<>();
    if (option instanceof Need.Word w) {
      out.add(w.text());
    } else if (option instanceof Need.All a) {
      for (Need p : a.parts()) {
        if (p instanceof Need.Word w) {
          out.add(w.text());
        }
      }
    }
    return out;
  }
}
