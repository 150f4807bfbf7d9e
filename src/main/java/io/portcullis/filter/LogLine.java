package io.portcullis.filter;

/**
 * A line split around its timestamp: regexes see {@code before + after} (the date cut out), as in
 * fail2ban; the line as the log holds it is {@code raw} (the line itself, or the JSON line it was
 * decoded from), or {@code before + date + after} when none is given.
 */
record LogLine(String before, String date, String after, String raw) {
  LogLine(String before, String date, String after) {
    this(before, date, after, null);
  }

  String withoutDate() {
    return before.isEmpty() ? after : before + after;
  }

  String original() {
    return raw != null ? raw : before + date + after;
  }
}
