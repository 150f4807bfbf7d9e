package io.portcullis.detection;

import java.util.function.IntPredicate;

/**
 * What a protocol lets a client write into one logged field: hostile values are cut down to it, so
 * a property never tests a line the program could not have written.
 *
 * @param name shown in reports
 * @param allowed which code points may stand in the field
 */
public record Alphabet(String name, IntPredicate allowed) {
  /** Anything at all, a raw newline included: the field lets a client write whole lines. */
  public static final Alphabet ANY = new Alphabet("any", c -> true);

  /** Anything but a line break: most text fields of line-based protocols (SIP, HTTP headers). */
  public static final Alphabet LINE = new Alphabet("line", c -> c != '\n' && c != '\r');

  /** No white space or control characters: a SIP token, Call-ID, method or tag. */
  public static final Alphabet TOKEN =
      new Alphabet("token", c -> c > ' ' && c != 0x7f && !Character.isWhitespace(c));

  /** A URI as RFC 3986 and RFC 3261 allow it unescaped: no space, quote or angle bracket. */
  public static final Alphabet URI =
      new Alphabet(
          "uri", c -> TOKEN.allowed().test(c) && c != '"' && c != '<' && c != '>' && c < 0x80);

  /** Keeps only what the field allows. */
  public String cut(String value) {
    StringBuilder out = new StringBuilder(value.length());
    value.codePoints().filter(allowed).forEach(out::appendCodePoint);
    return out.toString();
  }
}
