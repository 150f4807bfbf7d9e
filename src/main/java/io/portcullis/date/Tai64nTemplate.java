package io.portcullis.date;

import java.time.Instant;
import java.util.regex.Matcher;

/** daemontools' TAI64N label: "@" and 24 hex digits, seconds since 1970 offset by 2^62. */
final class Tai64nTemplate extends DateTemplate {
  private Tai64nTemplate(
      String name, String regex, boolean lineBegin, boolean lineEnd, boolean mayJoinWords) {
    super(name, regex, lineBegin, lineEnd, mayJoinWords);
  }

  static Tai64nTemplate of(boolean lineStart) {
    Bounds.Fenced f =
        Bounds.fence("@[0-9a-f]{24}", lineStart ? Bounds.Begin.LINE : Bounds.Begin.NONE, true);
    return new Tai64nTemplate(
        lineStart ? Bounds.LINE_BEGIN_MARK + "TAI64N" : "TAI64N",
        f.regex(),
        f.lineBegin(),
        f.lineEnd(),
        f.mayJoinWords());
  }

  @Override
  protected Instant convert(Matcher m, DateContext context) {
    String label = m.group(compiled().javaGroup(1));
    // leap seconds are not applied, as daemontools' own tai64nlocal does not either
    long seconds = Long.parseLong(label.substring(2, 17), 16);
    return Instant.ofEpochSecond(seconds);
  }
}
