package io.portcullis.detection;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

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
  public static Arbitrary<String> values(Alphabet alphabet) {
    return values(alphabet, List.of());
  }

  /**
   * Hostile values for a field, cut to its alphabet.
   *
   * @param wholeLines other lines the filter recognises, naming a victim, to be written into the
   *     field whole (placeholders as in the class comment)
   */
  public static Arbitrary<String> values(Alphabet alphabet, List<String> wholeLines) {
    List<String> pool = new ArrayList<>(IMITATIONS);
    pool.addAll(wholeLines);
    Arbitrary<String> fragment =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.of(PUNCTUATION)),
            Tuple.of(4, Arbitraries.of(pool)),
            Tuple.of(3, Arbitraries.strings().alpha().numeric().ofMinLength(0).ofMaxLength(8)),
            Tuple.of(1, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(4)));
    Arbitrary<String> mixed =
        fragment.list().ofMinSize(0).ofMaxSize(8).map(l -> String.join("", l));
    Arbitrary<String> huge = Arbitraries.of(pool).map(p -> "A".repeat(10_240) + p + "B".repeat(64));
    return Arbitraries.frequencyOf(Tuple.of(20, mixed), Tuple.of(1, huge))
        .map(Hostile::fill)
        .map(alphabet::cut);
  }

  /** Puts the victim addresses in for their placeholders. */
  public static String fill(String s) {
    return s.replace("{victim6}", Addresses.VICTIM6.toString())
        .replace("{victim}", Addresses.VICTIM4.toString())
        .replace("{server}", Addresses.SERVER4.toString());
  }
}
