package io.portcullis.filter;

/**
 * A line split around its timestamp: regexes see {@code before + after} (the date cut out), as in
 * fail2ban; the original line is {@code before + date + after}.
 */
record LogLine(String before, String date, String after) {
  String withoutDate() {
    return before.isEmpty() ? after : before + after;
  }

  String original() {
    return before + date + after;
  }
}
