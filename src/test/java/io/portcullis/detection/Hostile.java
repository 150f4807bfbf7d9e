package io.portcullis.detection;

import io.portcullis.testing.Gen;
import java.util.ArrayList;
import java.util.List;

/**
 * Values an attacker writes into a logged field: quotes of every kind, spaces, backslashes,
 * brackets, imitations of the rest of a line that name a victim, whole other recognised lines, JSON
 * escapes, IPv6 forms and 10 kB values, mixed with plain text and cut to what the field's protocol
 * allows ({@link Alphabet}).
 *
 * <p>{@code {victim}}, {@code {victim6}} and {@code {server}} in fragments stand for {@link
 * Addresses#VICTIM4}, {@link Addresses#VICTIM6} and {@link Addresses#SERVER4}.
 */
public final class Hostile {
  /** Single characters that end or open a field in some log format. */
  static final List<String> PUNCTUATION =
      List.of(
          "'",
          "\"",
          "`",
          "\u2018",
          "\u2019",
          "\u201c",
          "\u201d",
          "\u00ab",
          "\u00bb",
          "\\",
          "\\\\",
          "\\\"",
          "\\'",
          " ",
          "  ",
          "\t",
          "[",
          "]",
          "(",
          ")",
          "<",
          ">",
          "{",
          "}",
          ":",
          ";",
          ",",
          "=",
          "@",
          "/",
          "|",
          "-",
          " - ",
          "'.",
          "\r",
          "\n",
          "\u0000",
          "\u001b[0m",
          "%s",
          "%d",
          "\u00e9",
          "\u4e2d",
          "\ud83d\ude00");

  /** Text that imitates what programs write around an address, naming a victim. */
  static final List<String> IMITATIONS =
      List.of(
          "{victim}",
          "{victim6}",
          "[{victim6}]:5060",
          "::ffff:{victim}",
          "{victim}:5060",
          "' failed for '{victim}:5060'",
          "' failed for '{victim}' - Wrong password",
          "' failed for '[{victim6}]:5060' (callid: x) - Failed to authenticate",
          "RemoteAddress=\"IPV4/UDP/{victim}/5060\"",
          "\",RemoteAddress=\"IPV4/UDP/{victim}/5060\"",
          "\\\",RemoteAddress=\\\"IPV6/UDP/{victim6}/5060\\\"",
          "\"}",
          "\\\"}",
          "\"}}}",
          "\",\"message\":\"Host {victim} failed to authenticate as 'x'\"}",
          "from {victim}",
          "from {victim} port 5060",
          "Host {victim}",
          "({victim}:5060)",
          "(UDP:{victim}:5060)",
          "for {victim} port 22 ssh2",
          "rhost={victim}",
          "src={victim}",
          "@{victim}",
          "sip:100@{victim}",
          "<sip:100@{victim}:5060>",
          "' (from {victim})",
          "Rejecting '{victim}'",
          "'{victim}'",
          " {victim} ",
          "IP={victim}",
          "ip={victim};",
          "<{victim}>",
          "{server}");

  private Hostile() {}

  /** Hostile values for a field, cut to its alphabet. */
  public static Gen<String> values(Alphabet alphabet) {
    return values(alphabet, List.of());
  }

  /**
   * Hostile values for a field, cut to its alphabet: up to 8 fragments (punctuation, imitations,
   * short alphanumerics, any characters) joined, or now and then a 10 kB value ending in an
   * imitation. Edge tries give the empty value (no fragment) or 8 fragments.
   *
   * @param wholeLines other lines the filter recognises, naming a victim, to be written into the
   *     field whole (placeholders as in the class comment)
   */
  public static Gen<String> values(Alphabet alphabet, List<String> wholeLines) {
    List<String> pool = new ArrayList<>(IMITATIONS);
    pool.addAll(wholeLines);
    Gen<String> fragment =
        Gen.frequency(
            Gen.weighted(4, Gen.of(PUNCTUATION)),
            Gen.weighted(4, Gen.of(pool)),
            Gen.weighted(3, Gen.strings(ALNUM, 0, 8)),
            Gen.weighted(1, Gen.anyStrings(1, 4)));
    Gen<String> mixed = fragment.list(0, 8).map(l -> String.join("", l));
    Gen<String> huge = Gen.of(pool).map(p -> "A".repeat(10_240) + p + "B".repeat(64));
    return Gen.frequency(Gen.weighted(20, mixed), Gen.weighted(1, huge))
        .map(Hostile::fill)
        .map(alphabet::cut);
  }

  private static final String ALNUM =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  /** Puts the victim addresses in for their placeholders. */
  public static String fill(String s) {
    return s.replace("{victim6}", Addresses.VICTIM6.toString())
        .replace("{victim}", Addresses.VICTIM4.toString())
        .replace("{server}", Addresses.SERVER4.toString());
  }
}
