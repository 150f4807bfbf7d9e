package io.portcullis.source;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Problems with a jail's log files, kept while they last: one that outlasts a grace period (the gap
 * of a delete-and-recreate rotation is not a problem) is logged once when it starts and once when
 * it is over, and listed for status meanwhile.
 */
final class LogProblems {
  private final String jail;
  private final Consumer<String> log;
  private final long graceNanos;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Set<String> seen = new HashSet<>();

  private static final class Entry {
    String message;
    long since;
    boolean reported;

    Entry(String message, long since) {
      this.message = message;
      this.since = since;
    }
  }

  LogProblems(String jail, Consumer<String> log, long graceNanos) {
    this.jail = jail;
    this.log = log;
    this.graceNanos = graceNanos;
  }

  /** Notes a problem of {@code subject} (a logpath or a file) seen in this pass. */
  void see(String subject, String message, long now) {
    seen.add(subject);
    Entry e = entries.get(subject);
    if (e == null) {
      entries.put(subject, new Entry(message, now));
    } else if (!e.message.equals(message)) {
      e.message = message;
      e.reported = false;
      e.since = now;
    }
  }

  /**
   * Ends a pass: problems not seen in it are over, the others are reported once they are older than
   * the grace period ({@code now} at once when {@code immediately}).
   *
   * @return the problems reported and still there
   */
  List<FileTailer.Problem> endPass(long now, boolean immediately) {
    List<FileTailer.Problem> current = new ArrayList<>();
    var it = entries.entrySet().iterator();
    while (it.hasNext()) {
      var en = it.next();
      Entry e = en.getValue();
      if (!seen.contains(en.getKey())) {
        it.remove();
        if (e.reported) {
          log.accept("[" + jail + "] logpath " + en.getKey() + ": readable again");
        }
        continue;
      }
      if (!e.reported && (immediately || now - e.since >= graceNanos)) {
        e.reported = true;
        log.accept("[" + jail + "] logpath " + en.getKey() + ": " + e.message);
      }
      if (e.reported) {
        current.add(new FileTailer.Problem(en.getKey(), e.message));
      }
    }
    seen.clear();
    return List.copyOf(current);
  }
}
