package io.portcullis.date;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Finds the timestamp in a line among a list of templates, keeping statistics per template as
 * fail2ban's date detector does, so that the same template and the same place win on every line of
 * a log even where another template would also match.
 *
 * <p>Design note, fail2ban 1.0.2's rules in our words. The last winner is tried first: an anchored
 * one (line start or end) in the whole line, any other only at its last place when the characters
 * around that place look as before (otherwise in the whole line). It wins if it matches there;
 * matching elsewhere it is kept as a fall-back. Otherwise templates are tried in their current
 * order: an anchored template wins at once, as does the last one of the list, and one that matches
 * at the very start of the line once it has won before; one that matches further into the line than
 * its own last place or than the last winner's place is kept as a fall-back (the nearest one) and
 * the search goes on; any other wins. Without a winner the nearest fall-back wins. A winner counts
 * a hit, and moves up the list past templates of lower weight (hits times preference over distance
 * into the line) or unused for five minutes of the log's reference time. A winner whose text is no
 * valid date (February 30th) still wins and gives the line no date.
 *
 * <p>Not thread-safe: one detector per reading thread.
 */
public final class DateDetector {
  private static final long UNUSED_SECONDS = 300;
  private static final int FAR = Integer.MAX_VALUE;
  private static final int NONE = -1;

  private final List<DateTemplate> templates;
  private final List<Entry> order = new ArrayList<>();

  /** The current position in {@link #order} of the last winner, or -1. */
  private int lastIndex = -1;

  private int firstUnused;
  // the last winner's place and the characters around it, NONE where the line had none
  private int lastStart = 1;
  private int lastBefore = NONE;
  private int lastFirst = NONE;
  private int lastEnd = FAR;
  private int lastFinal = NONE;
  private int lastAfter = NONE;

  /** A template and its use by this detector. */
  private static final class Entry {
    final DateTemplate template;
    long hits;
    long lastUsed;
    int distance = FAR;

    /** The template's matcher, reset for each line (made at first use). */
    private Matcher matcher;

    Entry(DateTemplate template) {
      this.template = template;
    }

    Matcher matcher() {
      Matcher m = matcher;
      if (m == null) {
        m = template.matcher();
        matcher = m;
      }
      return m;
    }

    double weight() {
      return hits * template.weight() / Math.max(1, distance);
    }
  }

  /** A template's match kept as a fall-back. */
  private record Found(DateTemplate.Match match, int index) {}

  public DateDetector(List<DateTemplate> templates) {
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("no date templates");
    }
    this.templates = List.copyOf(templates);
    for (DateTemplate t : this.templates) {
      order.add(new Entry(t));
    }
  }

  public static DateDetector defaults() {
    return new DateDetector(DateTemplates.defaults());
  }

  /** The templates in the order they were given. */
  public List<DateTemplate> templates() {
    return templates;
  }

  /** The templates in the order they are tried now, the most used first. */
  public List<DateTemplate> currentOrder() {
    return order.stream().map(e -> e.template).toList();
  }

  /** The timestamp in the line, or null when no template finds one or its text is no date. */
  public DateHit find(CharSequence line, DateContext context) {
    Chosen c = choose(line, context);
    return c == null ? null : c.template().hit(line, c.match(), context);
  }

  /** The template that reads a line's date and where it matched, whether or not it is a date. */
  record Chosen(DateTemplate template, DateTemplate.Match match) {}

  /** Chooses the template for the line (and counts its hit), or null when none matches. */
  Chosen choose(CharSequence line, DateContext context) {
    DateTemplate.Match match = null;
    int winner = -1;
    Found found = null;
    int skip = -1;
    if (lastIndex >= 0) {
      Entry last = order.get(lastIndex);
      DateTemplate t = last.template;
      DateTemplate.Match m;
      if (t.anchored()) {
        m = t.search(line, last.matcher());
        skip = lastIndex;
      } else if (sameSurroundings(line)) {
        m = t.search(line, lastStart, lastEnd, last.matcher());
      } else {
        m = t.search(line, last.matcher());
        skip = lastIndex;
      }
      if (m != null) {
        if (order.size() == 1 || t.anchored() || (m.start() == lastStart && m.end() == lastEnd)) {
          match = m;
          winner = lastIndex;
        } else {
          found = new Found(m, lastIndex);
        }
      }
    }
    if (match == null) {
      for (int i = 0; i < order.size(); i++) {
        if (i == skip) {
          continue;
        }
        Entry e = order.get(i);
        // the last winner's fall-back match still reads its groups from the entry's matcher
        DateTemplate.Match m =
            found != null && found.index() == i
                ? e.template.search(line)
                : e.template.search(line, e.matcher());
        if (m == null) {
          continue;
        }
        int d = m.start();
        boolean decided = i + 1 >= order.size() || e.template.anchored() || (d == 0 && e.hits > 0);
        if (!decided && (d > e.distance || d > lastStart)) {
          // perhaps a date-like text in the message: keep it, look for a better one
          if (found == null || d < found.match().start()) {
            found = new Found(m, i);
          }
          continue;
        }
        match = m;
        winner = i;
        break;
      }
      if (match == null && found != null) {
        match = found.match();
        winner = found.index();
      }
    }
    if (match == null) {
      return null;
    }
    DateTemplate t = order.get(winner).template;
    count(line, winner, match, context);
    return new Chosen(t, match);
  }

  /** Whether the characters around the last winner's place look as they did on its line. */
  private boolean sameSurroundings(CharSequence line) {
    boolean begins =
        charAt(line, lastStart - 1) == lastBefore
            || (charAt(line, lastStart) == lastFirst && !alnum(lastFirst));
    boolean ends =
        charAt(line, lastEnd) == lastAfter
            || (charAt(line, lastEnd - 1) == lastFinal && !alnum(lastFinal));
    return begins && ends;
  }

  private void count(CharSequence line, int index, DateTemplate.Match match, DateContext context) {
    Entry e = order.get(index);
    e.hits++;
    e.lastUsed = context.now().getEpochSecond();
    e.distance = match.start();
    if (firstUnused == index) {
      firstUnused++;
    }
    lastStart = match.start();
    lastBefore = charAt(line, lastStart - 1);
    lastFirst = charAt(line, lastStart);
    lastEnd = match.end();
    lastFinal = charAt(line, lastEnd - 1);
    lastAfter = charAt(line, lastEnd);
    if (index != 0 && index != lastIndex) {
      index = moveUp(index);
    }
    lastIndex = index;
  }

  /** Moves a winner up the list when it outweighs the template in its way; its new position. */
  private int moveUp(int index) {
    Entry e = order.get(index);
    int to = firstUnused < index ? firstUnused : index / 2;
    if (!outranks(e, order.get(to))) {
      if (to == index - 1) {
        return index;
      }
      to = index - 1;
      if (!outranks(e, order.get(to))) {
        return index;
      }
    }
    order.remove(index);
    order.add(to, e);
    while (firstUnused < order.size() && order.get(firstUnused).hits > 0) {
      firstUnused++;
    }
    return to;
  }

  private static boolean outranks(Entry e, Entry other) {
    return e.weight() > other.weight() || e.lastUsed - UNUSED_SECONDS > other.lastUsed;
  }

  /** The character at {@code i} as Python's one-character slice gives it: NONE outside the line. */
  private static int charAt(CharSequence line, int i) {
    return i < 0 || i >= line.length() ? NONE : line.charAt(i);
  }

  /** Python's str.isalnum() for one character (false for none). */
  private static boolean alnum(int c) {
    if (c == NONE) {
      return false;
    }
    int type = Character.getType(c);
    return Character.isLetter(c)
        || type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }
}
