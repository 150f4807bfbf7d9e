package io.portcullis.filter;

/**
 * A line split around its timestamp: regexes see {@code before + after} (the date cut out), as in
 * fail2ban; the line as the log holds it is {@code raw}, or {@code before + date + after} when the
 * line was read as it is (not decoded from JSON).
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
