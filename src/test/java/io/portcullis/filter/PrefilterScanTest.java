package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.regex.Need;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both block scans ({@code String.indexOf} per cover word, and the byte-pair pass the server runs)
 * hand on exactly the lines that satisfy the prefilter, found line by line in the decoded text
 * ({@link Prefilter#wordsIn(String)}, a separate loop), with the same indexes, bounds and words,
 * and count every line: random logs built from cover words and their pieces, words overlapping, at
 * line starts and ends, cut at block edges (bytes of words just outside the block), CRLF, bytes >=
 * 0x80, JSON lines, empty lines, a last line without its '\n'.
 */
class PrefilterScanTest {
  private static final String[] WORDS = {
    "failed",
    "fail",
    "ailed",
    "not",
    "note",
    "acl",
    "manager",
    "SECURITY",
    "chan_iax2",
    "ab",
    "aba",
    "bab",
    "x",
    "Registration",
    "from"
  };

  private static final String[] NOISE = {
    " ", " ", "  ", "_", "é", "ü€", "\r", "\t", "'", "192.0.2.7", ":", "\\u", "{", "\u00ff", "9"
  };

  @Test
  void bothScans_handOnExactlyTheLinesThatSatisfyThePrefilter() throws Exception {
    int handed = 0;
    int passedOver = 0;
    for (int seed = 0; seed < 200; seed++) {
      Random rnd = new Random(seed);
      Prefilter pf = prefilter(rnd);
      if (!pf.passesOver()) {
        continue;
      }
      byte[] log = log(rnd, pf);
      for (boolean pairs : new boolean[] {false, true}) {
        int[] counted = check(pf, log, rnd, pairs, "seed " + seed + (pairs ? " pairs" : ""));
        handed += counted[0];
        passedOver += counted[1];
      }
    }
    // the cases must exercise both answers
    assertThat(handed).isGreaterThan(1000);
    assertThat(passedOver).isGreaterThan(1000);
  }

  /** A need of one to four options of one to three words, behind a prefregex word or none. */
  private static Prefilter prefilter(Random rnd) {
    List<Need> regexes = new ArrayList<>();
    for (int r = 1 + rnd.nextInt(4); r > 0; r--) {
      List<Need> parts = new ArrayList<>();
      for (int w = 1 + rnd.nextInt(3); w > 0; w--) {
        parts.add(new Need.Word(word(rnd)));
      }
      regexes.add(Need.all(parts));
    }
    Need pref = rnd.nextInt(4) == 0 ? new Need.Word(word(rnd)) : Need.ANY;
    Prefilter.JsonLines json = Prefilter.JsonLines.values()[rnd.nextInt(3)];
    return Prefilter.of(pref, regexes, json);
  }

  private static String word(Random rnd) {
    // one-character words (which make the scans search word by word) only now and then
    String w = WORDS[rnd.nextInt(WORDS.length)];
    return w.length() == 1 && rnd.nextInt(4) != 0 ? "failed" : w;
  }

  /** 50 to 2,000 lines of words, pieces of words and noise. */
  private static byte[] log(Random rnd, Prefilter pf) {
    StringBuilder b = new StringBuilder();
    for (int n = 50 + rnd.nextInt(1950); n > 0; n--) {
      if (rnd.nextInt(8) == 0) {
        b.append('{');
      }
      for (int t = rnd.nextInt(7); t > 0; t--) {
        int kind = rnd.nextInt(5);
        String w = WORDS[rnd.nextInt(WORDS.length)];
        if (kind <= 1) {
          b.append(w);
        } else if (kind == 2) {
          int cut = rnd.nextInt(w.length() + 1);
          b.append(rnd.nextBoolean() ? w.substring(0, cut) : w.substring(cut));
        } else {
          b.append(NOISE[rnd.nextInt(NOISE.length)]);
        }
      }
      b.append(rnd.nextInt(5) == 0 ? "\r\n" : "\n");
    }
    if (rnd.nextBoolean()) {
      b.setLength(b.length() - 1); // no final '\n'
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Cuts the log into blocks of whole lines, each copied into a buffer between bytes of words (no
   * '\n'), scans them in order with one scanner, and compares each block with the line-by-line
   * answer. Returns how many lines were handed on and passed over.
   */
  private static int[] check(Prefilter pf, byte[] log, Random rnd, boolean pairs, String what)
      throws Exception {
    boolean was = Prefilter.pairScan;
    Prefilter.pairScan = pairs;
    try {
      Prefilter.Scan scan = pf.scan();
      int[] counted = new int[2];
      int s = 0;
      while (s < log.length) {
        int e = s;
        for (int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 300); n > 0 && e < log.length; n--) {
          while (e < log.length && log[e++] != '\n') {}
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        String before = edge(rnd);
        buf.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        int start = buf.size();
        buf.write(log, s, e - s);
        int end = buf.size();
        buf.writeBytes(edge(rnd).getBytes(StandardCharsets.UTF_8));
        byte[] block = buf.toByteArray();

        List<String> got = new ArrayList<>();
        int lines =
            scan.lines(
                block, start, end, (index, ls, le, words) -> got.add(line(index, ls, le, words)));
        List<String> want = new ArrayList<>();
        int index = 0;
        for (int ls = start; ls < end; index++) {
          int le = ls;
          while (le < end && block[le] != '\n') {
            le++;
          }
          String text = new String(block, ls, le - ls, StandardCharsets.ISO_8859_1);
          if (looked(pf, text)) {
            want.add(line(index, ls, le, null));
          } else {
            long[] words = pf.wordsIn(text);
            if (pf.mayMatch(words)) {
              want.add(line(index, ls, le, words));
            }
          }
          ls = le + 1;
        }
        assertThat(got).as(what + ", block at " + s).isEqualTo(want);
        assertThat(lines).as(what + ", lines of the block at " + s).isEqualTo(index);
        counted[0] += want.size();
        counted[1] += index - want.size();
        s = e;
      }
      return counted;
    } finally {
      Prefilter.pairScan = was;
    }
  }

  /** Bytes of words (no '\n') outside a block, which a scan must not read as part of it. */
  private static String edge(Random rnd) {
    StringBuilder b = new StringBuilder();
    for (int t = rnd.nextInt(3); t > 0; t--) {
      String w = WORDS[rnd.nextInt(WORDS.length)];
      int cut = rnd.nextInt(w.length() + 1);
      b.append(rnd.nextBoolean() ? w.substring(0, cut) : w.substring(cut));
    }
    return b.toString();
  }

  /** The JSON rule of the prefilter, over the decoded text. */
  private static boolean looked(Prefilter pf, String text) {
    Prefilter.JsonLines json = pf.json();
    return json != Prefilter.JsonLines.NONE
        && text.startsWith("{")
        && (json == Prefilter.JsonLines.ALWAYS || text.contains("\\u"));
  }

  private static String line(int index, int start, int end, long[] words) {
    return index
        + " ["
        + start
        + ", "
        + end
        + ") "
        + (words == null
            ? "looked"
            : words.length == 0 ? "none" : java.util.Arrays.toString(words));
  }
}
