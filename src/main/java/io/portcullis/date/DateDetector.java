package io.portcullis.date;

import java.util.List;

/**
 * Finds the timestamp in a line among a list of templates. A line-start template that matches wins
 * at once; otherwise the template matching earliest in the line wins, the first listed among
 * equals. The last winner is tried first on the next line, as logs keep one format. Not
 * thread-safe: one detector per reading thread.
 */
public final class DateDetector {
  private final List<DateTemplate> templates;
  private DateTemplate last;

  public DateDetector(List<DateTemplate> templates) {
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("no date templates");
    }
    this.templates = List.copyOf(templates);
  }

  public static DateDetector defaults() {
    return new DateDetector(DateTemplates.defaults());
  }

  public List<DateTemplate> templates() {
    return templates;
  }

  /** The timestamp in the line, or null when no template finds one. */
  public DateHit find(CharSequence line, DateContext context) {
    DateTemplate previous = last;
    if (previous != null && previous.lineBegin()) {
      DateHit hit = previous.find(line, context);
      if (hit != null) {
        return hit;
      }
    }
    DateHit best = null;
    for (DateTemplate t : templates) {
      if (t == previous && previous.lineBegin()) {
        continue;
      }
      DateHit hit = t.find(line, context);
      if (hit == null) {
        continue;
      }
      if (t.lineBegin()) {
        best = hit;
        break;
      }
      if (best == null || hit.start() < best.start()) {
        best = hit;
      }
      if (hit.start() <= 1) {
        break;
      }
    }
    if (best != null) {
      last = best.template();
    }
    return best;
  }
}
