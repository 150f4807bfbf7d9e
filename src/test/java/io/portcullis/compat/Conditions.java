package io.portcullis.compat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few Python expressions the sample suite uses as conditions: {@code name == 'sshd'} and {@code
 * opts.get('mode') != 'aggressive'}. Anything else fails the test loudly.
 */
final class Conditions {
  private static final Pattern EXPR =
      Pattern.compile("^\\s*(name|opts\\.get\\('([\\w.\\-]+)'\\))\\s*(==|!=)\\s*'([^']*)'\\s*$");

  private Conditions() {}

  static boolean eval(String expr, String name, Map<String, Object> opts) {
    Matcher m = EXPR.matcher(expr);
    if (!m.matches()) {
      throw new IllegalArgumentException("unsupported sample condition: " + expr);
    }
    Object left = m.group(2) == null ? name : opts.get(m.group(2));
    boolean equal = m.group(4).equals(left == null ? null : String.valueOf(left));
    return m.group(3).equals("==") == equal;
  }
}
