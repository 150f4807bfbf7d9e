package io.portcullis.filter;

import io.portcullis.date.DateContext;
import io.portcullis.date.DateDetector;
import io.portcullis.date.DateHit;
import io.portcullis.date.DateTemplate;
import io.portcullis.regex.MatchBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/** Why a line produced nothing: what its date, the prefregex and each failregex made of it. */
final class Explanation {
  private final JsonLine json;
  private final List<DateTemplate> templates;
  private final Prefilter prefilter;
  private final FilterRegex prefregex;
  private final List<FilterRegex> failregex;

  Explanation(
      JsonLine json,
      List<DateTemplate> templates,
      Prefilter prefilter,
      FilterRegex prefregex,
      List<FilterRegex> failregex) {
    this.json = json;
    this.templates = templates;
    this.prefilter = prefilter;
    this.prefregex = prefregex;
    this.failregex = failregex;
  }

  /** The explanation, line by line, read as a fresh filter would read the line. */
  List<String> of(String raw, DateContext context) {
    List<String> out = new ArrayList<>();
    String line = raw;
    if (json != null && JsonLine.looksLikeJson(raw)) {
      String decoded = json.render(raw);
      if (decoded == null) {
        out.add("not a JSON object of the jsonline shape; the line is read as it is");
      } else {
        out.add("JSON line, read as: " + decoded);
        line = decoded;
      }
    }
    DateHit hit = new DateDetector(templates).find(line, context);
    String text;
    if (hit == null) {
      out.add(
          "no timestamp found (templates: " + templates.size() + "); the line is read as it is");
      text = line;
    } else {
      out.add(
          "timestamp '"
              + line.substring(hit.start(), hit.end())
              + "' -> "
              + hit.time()
              + " ("
              + hit.template().name()
              + ")");
      text = line.substring(0, hit.start()) + line.substring(hit.end());
    }
    if (!prefilter.mayMatch(line)) {
      out.add("passed over: the line holds none of the words the failregexes need");
    }
    MatchBudget explainBudget = new MatchBudget(MatchBudget.DEFAULT_LIMIT * 10);
    if (prefregex != null) {
      Matcher pm = prefregex.search(text + "\n", explainBudget);
      if (pm == null) {
        int at = Progress.reached(prefregex.compiled().pattern(), text, explainBudget);
        out.add("prefregex does not match; it stops at character " + at + ":");
        out.addAll(Progress.show(text, at));
        out.add("  prefregex: " + prefregex.source());
        return out;
      }
      String content = prefregex.compiled().group(pm, "content");
      if (content != null && !content.isEmpty()) {
        out.add("prefregex matches; failregexes see: " + content);
        text = content;
      }
    }
    int bestIndex = -1;
    int best = -1;
    for (int i = 0; i < failregex.size(); i++) {
      FilterRegex r = failregex.get(i);
      if (r.search(text + "\n", explainBudget) != null) {
        out.add(
            "failregex["
                + i
                + "] matches this text; an ignoreregex or a missing address cancelled it");
        return out;
      }
      int at = Progress.reached(r.compiled().pattern(), text, explainBudget);
      if (at > best) {
        best = at;
        bestIndex = i;
      }
    }
    if (bestIndex < 0) {
      out.add("no failregex");
      return out;
    }
    out.add(
        "closest: failregex[" + bestIndex + "], which stops matching at character " + best + ":");
    out.addAll(Progress.show(text, best));
    out.add("  failregex[" + bestIndex + "]: " + failregex.get(bestIndex).source());
    return out;
  }
}
