package io.portcullis.filter;

import io.portcullis.regex.Need;
import io.portcullis.regex.RegexFacts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which lines a filter can produce something from, decided by the literal words its regexes need
 * ({@link RegexFacts#need}) before any date or regex work: a line passes when it satisfies the
 * prefregex's need and the need of at least one failregex or successregex. Each regex is also only
 * run on lines that satisfy its own need.
 *
 * <p>It never passes over a line the filter would match: words are ASCII runs of word characters,
 * found in the line with its date still in it (a filter whose date templates could join two words
 * when cut out gets no prefilter: {@code DateTemplate.mayJoinWords}), and in the raw UTF-8 bytes as
 * in the decoded text. JSON lines are judged by their raw text only when the {@code jsonline}
 * template cannot supply a word and the line holds no {@code \\u} escape.
 *
 * <p>Immutable; the block scan keeps its statistics in a {@link Scan}, one per reading thread.
 *
 * <p>Design note: longer than most because the block scan (cover words over a whole block) and the
 * per-line check must agree exactly on what a word is; keeping both here keeps that rule in one
 * place. {@code PrefilterPropertiesTest} and {@code PrefilterFail2banIT} hold it to the filter
 * without a prefilter.
 */
final class Prefilter {
  /**
   * Whether block scans look for all cover words in one pass over byte pairs ({@link Scan#onePass})
   * rather than one {@code String.indexOf} pass per word: set where the JIT stops at C1 (the
   * server), which does not make {@code indexOf} a vector loop. Measured on the bench's 1M Asterisk
   * lines, shipped filter: under C1 the pair pass took 0.44-0.67 s of CPU against 1.13-1.46 s for
   * the indexOf passes; under C2 (EngineBench, `regex`) the pair pass took 1.07 s against 0.24-0.49
   * s.
   */
  static volatile boolean pairScan;

  /** How JSON lines (starting with '{') are judged before they are decoded. */
  enum JsonLines {
    /** The filter reads no JSON lines: judged like any line. */
    NONE,
    /** The template itself could supply a needed word: every JSON line is looked at. */
    ALWAYS,
    /** By their raw text, unless an escape could hide a word: then looked at. */
    UNLESS_ESCAPED
  }

  private static final Prefilter NONE =
      new Prefilter(Need.ANY, null, null, new String[0], JsonLines.NONE);

  private final Need whole;
  private final Check top;
  private final Check[] perRegex;
  private final String[] words;
  private final Words finder;
  private final Map<String, Integer> ids = new LinkedHashMap<>();
  private final JsonLines json;

  private Prefilter(Need whole, Check top, Check[] perRegex, String[] words, JsonLines json) {
    this.whole = whole;
    this.top = top;
    this.perRegex = perRegex;
    this.words = words;
    for (int i = 0; i < words.length; i++) {
      ids.put(words[i], i);
    }
    this.finder = new Words(words);
    this.json = json;
  }

  /** A prefilter that passes every line. */
  static Prefilter none() {
    return NONE;
  }

  /**
   * @param prefregex the prefregex's need (ANY when there is none)
   * @param regexes the needs of the failregexes, then the successregexes, in order
   */
  static Prefilter of(Need prefregex, List<Need> regexes, JsonLines json) {
    Need whole = regexes.isEmpty() ? Need.ANY : Need.all(List.of(prefregex, Need.oneOf(regexes)));
    Map<String, Integer> ids = new LinkedHashMap<>();
    Check[] per = new Check[regexes.size()];
    boolean perUseful = false;
    for (int i = 0; i < per.length; i++) {
      per[i] = Check.of(regexes.get(i), ids);
      perUseful |= per[i] != Check.PASS;
    }
    Check top = Check.of(whole, ids);
    if (top == Check.PASS && !perUseful) {
      return NONE;
    }
    return new Prefilter(
        whole, top == Check.PASS ? null : top, per, ids.keySet().toArray(new String[0]), json);
  }

  /** How JSON lines are judged before they are decoded. */
  JsonLines json() {
    return json;
  }

  /** Whether any line can be passed over as a whole. */
  boolean passesOver() {
    return top != null;
  }

  /** The formula a line must satisfy (ANY when every line passes). */
  Need need() {
    return top == null ? Need.ANY : whole;
  }

  /** Whether the (decoded) line might produce something; false only when it certainly cannot. */
  boolean mayMatch(String line) {
    return top == null || top.eval(finder.in(line));
  }

  /**
   * The words of this prefilter a (decoded) line holds, found in one pass, for {@link
   * #mayMatch(long[])} and {@link #mayMatch(int, long[])}; null when there is nothing to check.
   */
  long[] wordsIn(String line) {
    return top == null && perRegex == null ? null : finder.in(line);
  }

  /** {@link #mayMatch(String)} for a line whose words {@link #wordsIn} found. */
  boolean mayMatch(long[] present) {
    return top == null || top.eval(present);
  }

  /** {@link #mayMatch(int, String)} for a line whose words {@link #wordsIn} found. */
  boolean mayMatch(int index, long[] present) {
    return perRegex == null || perRegex[index] == Check.PASS || perRegex[index].eval(present);
  }

  /** Whether regex {@code index} (failregexes, then successregexes) might match the line. */
  boolean mayMatch(int index, String line) {
    return perRegex == null
        || perRegex[index] == Check.PASS
        || perRegex[index].eval(finder.in(line));
  }

  /** The same question as {@link #mayMatch(String)} asked of a raw UTF-8 line. */
  boolean mayMatch(byte[] line, int start, int end) {
    if (top == null) {
      return true;
    }
    if (json != JsonLines.NONE
        && end > start
        && line[start] == '{'
        && jsonLooked(line, start, end)) {
      return true;
    }
    return top.eval(finder.in(line, start, end));
  }

  /** Whether a raw JSON line must be looked at whatever words it holds. */
  private boolean jsonLooked(byte[] line, int start, int end) {
    if (json == JsonLines.ALWAYS) {
      return true;
    }
    for (int i = start; i + 1 < end; i++) {
      if (line[i] == '\\' && line[i + 1] == 'u') {
        return true;
      }
    }
    return false;
  }

  /** A block scanner with its own statistics, for one reading thread. */
  Scan scan() {
    return new Scan(this);
  }

  /**
   * Receives one line of a block: its 0-based index in the block, {@code [start, end)}, and the
   * words of this prefilter it holds ({@link #wordsIn}'s answer, found in its bytes), or null when
   * they were not looked for.
   */
  @FunctionalInterface
  interface Lines {
    void line(int index, int start, int end, long[] words) throws java.io.IOException;
  }

  /**
   * The block scan: finds the lines of a block that hold one word of a <em>cover</em> (a set of
   * words at least one of which every passing line holds), then checks the whole formula on those
   * lines only. The cover is chosen by cost from how often each word occurs in the log (counted on
   * the first 256 KB and again every 64 MB). The block is then scanned once for all cover words
   * ({@link #onePass}, by a byte pair of each); with a one-character cover word, one {@code
   * indexOf} pass per word.
   *
   * <p>Tried and not kept (session 12): one pass over the block for all cover words at once (Wu and
   * Manber's shift table over byte pairs, the window as long as the shortest cover word). Its loop
   * waits on each table load before the next step, so on the bench's 1M-line log, one core: 0.18 s
   * against 0.175 s for the 7 {@code indexOf} passes of fail2ban's asterisk filter's cover, 0.35 s
   * against 0.175 s for the shipped filter's (whose shortest cover words, "not" and "acl", allow
   * steps of 2 bytes only); four cursors interleaved in one loop, 0.11 s and 0.20 s. End to end it
   * took more CPU than the intrinsic {@code indexOf} passes. The rest of the scan's cost (about as
   * much again) is the check of each line found: {@link Words#in} on 50,114 lines.
   */
  static final class Scan {
    /**
     * How much of the log the word counts are taken from: each word is one {@code indexOf} pass
     * over it, and the first one runs before the JIT has compiled that loop. 1 MB cost 86 ms per
     * scanning thread at the start of a run (125 words, the shipped asterisk filter); 256 KB (about
     * 2,200 Asterisk lines) chose the same cover on the bench's log.
     */
    private static final int SURVEY_BYTES = 256 << 10;

    private static final long RESURVEY_AFTER = 64L << 20;

    private final Prefilter prefilter;
    private final long[] seen;
    private long surveyed;
    private long sinceSurvey;
    private String[] cover;

    /** How much was surveyed when the cover was last chosen. */
    private long choseAt;

    private int[] hits = new int[256];

    /**
     * {@link #onePass}'s table: a bit per byte pair, set for one pair of each cover word and for
     * every pair ending in '\n'; null when a cover word is one character long (then the cover words
     * are searched for one at a time).
     */
    private long[] pairTable;

    /** Per cover word: its bytes, the pair of it in {@link #pairTable}, and where that pair is. */
    private byte[][] coverBytes;

    private int[] coverPair;
    private int[] coverOffset;

    Scan(Prefilter prefilter) {
      this.prefilter = prefilter;
      this.seen = new long[prefilter.words.length];
    }

    /** The words now searched for in every block. */
    List<String> cover() {
      return cover == null ? List.of() : List.of(cover);
    }

    /**
     * Calls back, in order, the lines of a block of whole UTF-8 lines {@code buf[start, end)} that
     * might produce something, and returns how many lines the block holds.
     */
    int lines(byte[] buf, int start, int end, Lines out) throws java.io.IOException {
      if (prefilter.top == null) {
        return everyLine(buf, start, end, out);
      }
      String block = surveying(end - start) ? latin1(buf, start, end) : null;
      if (block != null) {
        survey(block);
      }
      if (pairTable != null && pairScan) {
        return onePass(buf, start, end, out);
      }
      if (block == null) {
        block = latin1(buf, start, end);
      }
      int size = 0;
      if (prefilter.json != JsonLines.NONE) {
        for (int p = block.startsWith("{") ? 0 : block.indexOf("\n{");
            p >= 0;
            p = block.indexOf("\n{", p + 1)) {
          size = add(size, block.charAt(p) == '{' ? p : p + 1);
        }
      }
      for (String w : cover) {
        for (int p = block.indexOf(w); p >= 0; p = block.indexOf(w, p + w.length())) {
          size = add(size, p);
        }
      }
      java.util.Arrays.sort(hits, 0, size);
      // lines are counted up to each line looked at, and its own '\n' once: every '\n' of the
      // block is found once, by the intrinsic indexOf (0.022 s for the bench's 117 MB against
      // 0.033 s for Newlines.count, C2)
      int index = 0;
      int countedTo = 0;
      for (int i = 0; i < size; i++) {
        int p = hits[i];
        if (p < countedTo) {
          continue; // in the line last looked at
        }
        int s = block.lastIndexOf('\n', p) + 1;
        int e = block.indexOf('\n', p);
        if (e < 0) {
          e = block.length();
        }
        index += newlines(block, countedTo, s);
        long[] words = passes(buf, start + s, start + e);
        if (words != null) {
          out.line(index, start + s, start + e, words == LOOKED ? null : words);
        }
        if (e == block.length()) {
          return index + 1;
        }
        index++;
        countedTo = e + 1;
      }
      int tail = end > start && buf[end - 1] != '\n' ? 1 : 0;
      return index + newlines(block, countedTo, block.length()) + tail;
    }

    /** The number of '\n' in {@code block[from, to)}. */
    private static int newlines(String block, int from, int to) {
      int n = 0;
      for (int q = block.indexOf('\n', from); q >= 0 && q < to; q = block.indexOf('\n', q + 1)) {
        n++;
      }
      return n;
    }

    /** A line looked at whatever its words: a JSON line (they are found after decoding it). */
    private static final long[] LOOKED = new long[0];

    /** The words of a line that passes (LOOKED: a JSON line looked at), null when it does not. */
    private long[] passes(byte[] buf, int bs, int be) {
      if (prefilter.json != JsonLines.NONE
          && be > bs
          && buf[bs] == '{'
          && prefilter.jsonLooked(buf, bs, be)) {
        return LOOKED;
      }
      long[] words = prefilter.finder.in(buf, bs, be);
      return prefilter.top.eval(words) ? words : null;
    }

    private int add(int size, int p) {
      if (size == hits.length) {
        hits = java.util.Arrays.copyOf(hits, size * 2);
      }
      hits[size] = p;
      return size + 1;
    }

    /**
     * {@link #lines} in one pass over the block for all the cover words at once (the server runs C1
     * only, which does not make {@code String.indexOf} a vector loop: one pass per cover word was
     * half the jail thread's time on the bench's 1M Asterisk lines). Each byte pair is looked up in
     * {@link #pairTable}, one test per byte; the rest of a line holding a cover word is not looked
     * at, that line is checked whole ({@link #passes}).
     */
    private int onePass(byte[] buf, int start, int end, Lines out) throws java.io.IOException {
      final long[] bits = pairTable;
      final boolean json = prefilter.json != JsonLines.NONE;
      int index = 0;
      int s = start;
      while (json && s < end && buf[s] == '{') {
        s = candidate(buf, s, s, end, index++, out);
      }
      // pair: the last byte pair looked up (a line start is as if after '\n')
      int pair = '\n';
      int p = s;
      while (p < end) {
        if (p + 4 <= end) {
          // four pairs at once, one branch: under C1 (no unrolling, a safepoint poll per loop
          // turn) a byte a turn cost ~3.5 ns a byte on the bench's log
          int b0 = buf[p] & 0xff;
          int b1 = buf[p + 1] & 0xff;
          int b2 = buf[p + 2] & 0xff;
          int b3 = buf[p + 3] & 0xff;
          int q0 = ((pair & 0xff) << 8) | b0;
          int q1 = (b0 << 8) | b1;
          int q2 = (b1 << 8) | b2;
          int q3 = (b2 << 8) | b3;
          if ((((bits[q0 >>> 6] >>> q0)
                      | (bits[q1 >>> 6] >>> q1)
                      | (bits[q2 >>> 6] >>> q2)
                      | (bits[q3 >>> 6] >>> q3))
                  & 1L)
              == 0) {
            pair = q3;
            p += 4;
            continue;
          }
        }
        // a pair in the table among the next four (or the block's last bytes): one at a time
        for (int stop = Math.min(p + 4, end); p < stop; p++) {
          pair = ((pair << 8) | (buf[p] & 0xff)) & 0xffff;
          if ((bits[pair >>> 6] & (1L << pair)) == 0) {
            continue;
          }
          if ((pair & 0xff) == '\n') {
            index++;
            s = p + 1;
            if (json && s < end && buf[s] == '{') {
              // JSON lines one after another: each looked at (the loop turn's test of the next
              // line start is skipped by the jump)
              while (s < end && buf[s] == '{') {
                s = candidate(buf, s, s, end, index++, out);
              }
              p = s;
              pair = '\n';
              break;
            }
          } else if (coverAt(buf, s, p, end, pair)) {
            s = candidate(buf, s, p, end, index++, out);
            // a JSON line right after it is looked at too (passed over before session 16)
            while (json && s < end && buf[s] == '{') {
              s = candidate(buf, s, s, end, index++, out);
            }
            p = s;
            pair = '\n';
            break;
          }
        }
      }
      return s < end ? index + 1 : index;
    }

    /** Whether a cover word whose table pair ends at {@code buf[p]} is there (line from s). */
    private boolean coverAt(byte[] buf, int s, int p, int end, int pair) {
      for (int i = 0; i < coverPair.length; i++) {
        byte[] w = coverBytes[i];
        int at = p - 1 - coverOffset[i];
        if (coverPair[i] == pair
            && at >= s
            && at + w.length <= end
            && java.util.Arrays.equals(buf, at, at + w.length, w, 0, w.length)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Checks the line starting at {@code s} (through {@code p}, no line end), hands it on if it
     * passes, and returns where the next line starts.
     */
    private int candidate(byte[] buf, int s, int p, int end, int index, Lines out)
        throws java.io.IOException {
      int e = p;
      while (e < end && buf[e] != '\n') {
        e++;
      }
      long[] words = passes(buf, s, e);
      if (words != null) {
        out.line(index, s, e, words == LOOKED ? null : words);
      }
      return e + 1;
    }

    /**
     * Builds {@link #pairTable} for the cover: of each word, the byte pair that occurs least often
     * in {@code sample} (on the bench's log the first pairs of "SECURITY", "acl" and "chan_iax2"
     * begin 1.7 M other words, their rarest pairs none).
     */
    private void pairTable(String sample) {
      for (String w : cover) {
        if (w.length() < 2) {
          pairTable = null;
          return;
        }
      }
      long[] bits = new long[1024];
      Map<Integer, int[]> seenPairs = new java.util.HashMap<>();
      for (String w : cover) {
        for (int k = 0; k + 1 < w.length(); k++) {
          int pair = (w.charAt(k) << 8) | w.charAt(k + 1);
          bits[pair >>> 6] |= 1L << pair;
          seenPairs.putIfAbsent(pair, new int[1]);
        }
      }
      int pair = '\n';
      for (int i = 0; i < sample.length(); i++) {
        pair = ((pair << 8) | (sample.charAt(i) & 0xff)) & 0xffff;
        if ((bits[pair >>> 6] & (1L << pair)) != 0) {
          seenPairs.get(pair)[0]++;
        }
      }
      java.util.Arrays.fill(bits, 0);
      for (int x = 0; x < 256; x++) {
        pair = (x << 8) | '\n';
        bits[pair >>> 6] |= 1L << pair;
      }
      coverBytes = new byte[cover.length][];
      coverPair = new int[cover.length];
      coverOffset = new int[cover.length];
      for (int i = 0; i < cover.length; i++) {
        String w = cover[i];
        int best = 0;
        for (int k = 1; k + 1 < w.length(); k++) {
          if (seenPairs.get((w.charAt(k) << 8) | w.charAt(k + 1))[0]
              < seenPairs.get((w.charAt(best) << 8) | w.charAt(best + 1))[0]) {
            best = k;
          }
        }
        coverBytes[i] = w.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        coverOffset[i] = best;
        coverPair[i] = (w.charAt(best) << 8) | w.charAt(best + 1);
        bits[coverPair[i] >>> 6] |= 1L << coverPair[i];
      }
      pairTable = bits;
    }

    private static int everyLine(byte[] buf, int start, int end, Lines out)
        throws java.io.IOException {
      int index = 0;
      int s = start;
      while (s < end) {
        int e = s;
        while (e < end && buf[e] != '\n') {
          e++;
        }
        out.line(index++, s, e, null);
        s = e + 1;
      }
      return index;
    }

    /**
     * Counts each word in the first {@link #SURVEY_BYTES} of the log (and again every 64 MB) and
     * re-chooses the cover.
     */
    private boolean surveying(int length) {
      sinceSurvey += length;
      return cover == null || surveyed < SURVEY_BYTES || sinceSurvey >= RESURVEY_AFTER;
    }

    private static String latin1(byte[] buf, int start, int end) {
      return new String(buf, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Called for a block when {@link #surveying} says so. */
    private void survey(String block) {
      if (sinceSurvey >= RESURVEY_AFTER) {
        // the log may have changed: older counts weigh half
        for (int i = 0; i < seen.length; i++) {
          seen[i] /= 2;
        }
        surveyed /= 2;
        sinceSurvey = 0;
      }
      String sample = block.length() <= SURVEY_BYTES ? block : block.substring(0, SURVEY_BYTES);
      prefilter.finder.count(sample, seen);
      surveyed += sample.length();
      if (cover == null || surveyed >= choseAt * 2 || surveyed >= SURVEY_BYTES) {
        // not at every block: a log written a line at a time hands over ~100-byte blocks, and
        // choosing anew for each took ~0.3 ms of the path from a line to its ban (more before the
        // JIT compiled it) for the first 256 KB after a start. Counts that double choose again.
        cover = Cover.choose(prefilter.whole, this::cost);
        choseAt = Math.max(1, surveyed);
        pairTable(sample);
      }
    }

    /**
     * What searching for a word costs per byte of log, in units of one byte scanned: the scan
     * itself, plus checking each line it occurs in (about 3,000 bytes' worth of vectorised
     * scanning, measured on a 1M-line Asterisk log).
     */
    private double cost(String word) {
      int id = prefilter.ids.get(word);
      double rate = (seen[id] + 1.0) / (surveyed + 4096.0);
      return 1.0 + 3000.0 * rate;
    }
  }

  /**
   * Finds, in one pass over a line, which of the words it holds: each position is looked up by its
   * first two characters (an 8 KB bit table says whether any word starts so), and only the words
   * starting with those two are compared. Words are ASCII, so a UTF-8 line's bytes give the same
   * answer as its decoded text. The answer is a bit set indexed by word id.
   */
  static final class Words {
    private static final int PAIRS = 1 << 14;

    private final byte[][] words;
    private final long[] pairBits = new long[PAIRS / 64];

    /**
     * {@link #pairBits} indexed by the two bytes as they are ({@code b0 << 8 | b1}, 8 KB): a line's
     * bytes need no test for NUL or bytes >= 0x80, which no word holds, before the lookup.
     */
    private final long[] bytePairBits = new long[1024];

    /** Whether a word is one character long (then {@link #in(byte[], int, int)} looks at each). */
    private boolean singles;

    private final int[][] byPair = new int[PAIRS][];
    private final int[][] byChar = new int[128][];
    private final int longs;

    Words(String[] text) {
      words = new byte[text.length][];
      longs = Math.max(1, (text.length + 63) / 64);
      for (int i = 0; i < text.length; i++) {
        words[i] = text[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] w = words[i];
        if (w.length == 1) {
          byChar[w[0]] = append(byChar[w[0]], i);
          singles = true;
        } else {
          int pair = (w[0] << 7) | w[1];
          pairBits[pair >>> 6] |= 1L << pair;
          int bytes = (w[0] << 8) | w[1];
          bytePairBits[bytes >>> 6] |= 1L << bytes;
          byPair[pair] = append(byPair[pair], i);
        }
      }
    }

    private static int[] append(int[] a, int v) {
      int[] out = a == null ? new int[1] : java.util.Arrays.copyOf(a, a.length + 1);
      out[out.length - 1] = v;
      return out;
    }

    /**
     * The words in {@code line[start, end)} (UTF-8 bytes). One lookup per byte pair, kept from the
     * last: on the bench's log the 50,114 lines the block scan hands on took 0.07 s of the scan's
     * 0.35 s (C2) with a test of each byte before its pair's lookup, as {@link #in(String)} does.
     */
    long[] in(byte[] line, int start, int end) {
      if (singles) {
        return inEach(line, start, end);
      }
      long[] present = new long[longs];
      if (end - start < 2) {
        return present;
      }
      final long[] bits = bytePairBits;
      int prev = line[start] & 0xff;
      for (int p = start + 1; p < end; p++) {
        int cur = line[p] & 0xff;
        int pair = (prev << 8) | cur;
        if ((bits[pair >>> 6] & (1L << pair)) != 0) {
          // both bytes ASCII: the bit is only set for a word's first two
          for (int id : byPair[(prev << 7) | cur]) {
            byte[] w = words[id];
            if (p - 1 + w.length <= end && matchesAt(line, p - 1, w)) {
              present[id >>> 6] |= 1L << id;
            }
          }
        }
        prev = cur;
      }
      return present;
    }

    /** {@link #in(byte[], int, int)} where some words are one character long. */
    private long[] inEach(byte[] line, int start, int end) {
      long[] present = new long[longs];
      for (int p = start; p < end; p++) {
        int c0 = line[p];
        if (c0 <= 0) {
          continue;
        }
        int[] single = byChar[c0];
        if (single != null) {
          for (int id : single) {
            present[id >>> 6] |= 1L << id;
          }
        }
        if (p + 1 >= end) {
          break;
        }
        int c1 = line[p + 1];
        if (c1 <= 0) {
          continue;
        }
        int pair = (c0 << 7) | c1;
        if ((pairBits[pair >>> 6] & (1L << pair)) == 0) {
          continue;
        }
        for (int id : byPair[pair]) {
          byte[] w = words[id];
          if (p + w.length <= end && matchesAt(line, p, w)) {
            present[id >>> 6] |= 1L << id;
          }
        }
      }
      return present;
    }

    private static boolean matchesAt(byte[] line, int at, byte[] w) {
      for (int k = 2; k < w.length; k++) {
        if (line[at + k] != w[k]) {
          return false;
        }
      }
      return true;
    }

    /**
     * Adds to {@code counts[id]} how often word {@code id} occurs in {@code text}, in one pass (one
     * {@code indexOf} pass per word was, for the shipped asterisk filter's 125 words over the first
     * 256 KB of a log, ~10% of the jail thread's time for 1M lines: the server runs C1 only).
     */
    void count(String text, long[] counts) {
      int end = text.length();
      for (int p = 0; p + 1 < end; p++) {
        int c0 = text.charAt(p);
        int c1 = text.charAt(p + 1);
        if (c0 == 0 || c0 >= 128 || c1 == 0 || c1 >= 128) {
          continue;
        }
        int pair = (c0 << 7) | c1;
        if ((pairBits[pair >>> 6] & (1L << pair)) == 0) {
          continue;
        }
        for (int id : byPair[pair]) {
          byte[] w = words[id];
          if (p + w.length <= end && matchesAt(text, p, w)) {
            counts[id]++;
          }
        }
      }
      for (int p = 0; p < end; p++) {
        int c = text.charAt(p);
        if (c > 0 && c < 128 && byChar[c] != null) {
          for (int id : byChar[c]) {
            counts[id]++;
          }
        }
      }
    }

    /** The words in a (decoded) line. */
    long[] in(String line) {
      long[] present = new long[longs];
      int end = line.length();
      for (int p = 0; p < end; p++) {
        int c0 = line.charAt(p);
        if (c0 == 0 || c0 >= 128) {
          continue;
        }
        int[] single = byChar[c0];
        if (single != null) {
          for (int id : single) {
            present[id >>> 6] |= 1L << id;
          }
        }
        if (p + 1 >= end) {
          break;
        }
        int c1 = line.charAt(p + 1);
        if (c1 == 0 || c1 >= 128) {
          continue;
        }
        int pair = (c0 << 7) | c1;
        if ((pairBits[pair >>> 6] & (1L << pair)) == 0) {
          continue;
        }
        for (int id : byPair[pair]) {
          byte[] w = words[id];
          if (p + w.length <= end && matchesAt(line, p, w)) {
            present[id >>> 6] |= 1L << id;
          }
        }
      }
      return present;
    }

    private static boolean matchesAt(String line, int at, byte[] w) {
      for (int k = 2; k < w.length; k++) {
        if (line.charAt(at + k) != w[k]) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * A {@link Need} compiled against a table of word ids. {@link #of} returns a {@link Flat} program
   * when the formula fits one (it nearly always does): the check tree's virtual calls are what the
   * JIT could not inline on fail2ban's asterisk filter (~28% of its time in the profile).
   */
  abstract static class Check {
    static final Check PASS =
        new Check() {
          @Override
          boolean eval(long[] p) {
            return true;
          }
        };

    abstract boolean eval(long[] p);

    static Check of(Need n, Map<String, Integer> ids) {
      Check tree = tree(n, ids);
      if (tree == PASS) {
        return PASS;
      }
      if (n instanceof Need.OneOf o) {
        // most lines fail every option on a word it requires: one mask test each
        Guarded[] options = new Guarded[o.options().size()];
        for (int i = 0; i < options.length; i++) {
          options[i] = guarded(o.options().get(i), ids);
        }
        return new AnyOf(options);
      }
      return guarded(n, ids);
    }

    /** {@code n} as a test of the words it requires, then (unless that is all) its program. */
    private static Guarded guarded(Need n, Map<String, Integer> ids) {
      Map<Integer, Long> required = new java.util.TreeMap<>();
      for (String w : required(n)) {
        int id = ids.computeIfAbsent(w, k -> ids.size());
        required.merge(id >>> 6, 1L << id, (a, b) -> a | b);
      }
      int[] slots = new int[required.size()];
      long[] masks = new long[required.size()];
      int k = 0;
      for (Map.Entry<Integer, Long> e : required.entrySet()) {
        slots[k] = e.getKey();
        masks[k++] = e.getValue();
      }
      Check rest = null;
      if (!conjunction(n)) {
        Flat flat = Flat.of(n, ids);
        rest = flat != null ? flat : tree(n, ids);
      }
      return new Guarded(slots, masks, rest);
    }

    /** The words every line satisfying {@code n} holds. */
    static java.util.Set<String> required(Need n) {
      if (n instanceof Need.Word w) {
        return java.util.Set.of(w.text());
      }
      if (n instanceof Need.All a) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        a.parts().forEach(p -> out.addAll(required(p)));
        return out;
      }
      if (n instanceof Need.OneOf o && !o.options().isEmpty()) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>(required(o.options().get(0)));
        o.options().forEach(p -> out.retainAll(required(p)));
        return out;
      }
      return java.util.Set.of();
    }

    /** Whether {@code n} is words that must all occur, so that its required words are all of it. */
    private static boolean conjunction(Need n) {
      if (n instanceof Need.Word) {
        return true;
      }
      if (n instanceof Need.All a) {
        for (Need p : a.parts()) {
          if (!conjunction(p)) {
            return false;
          }
        }
        return true;
      }
      return false;
    }

    static Check tree(Need n, Map<String, Integer> ids) {
      if (n instanceof Need.Word w) {
        int id = ids.computeIfAbsent(w.text(), k -> ids.size());
        int word = id >>> 6;
        long bit = 1L << id;
        return new Check() {
          @Override
          boolean eval(long[] p) {
            return (p[word] & bit) != 0;
          }
        };
      }
      if (n instanceof Need.All a) {
        Check[] parts = compile(a.parts(), ids);
        return new Check() {
          @Override
          boolean eval(long[] p) {
            for (Check c : parts) {
              if (!c.eval(p)) {
                return false;
              }
            }
            return true;
          }
        };
      }
      if (n instanceof Need.OneOf o) {
        Check[] options = compile(o.options(), ids);
        return new Check() {
          @Override
          boolean eval(long[] p) {
            for (Check c : options) {
              if (c.eval(p)) {
                return true;
              }
            }
            return false;
          }
        };
      }
      return PASS;
    }

    private static Check[] compile(List<Need> needs, Map<String, Integer> ids) {
      Check[] out = new Check[needs.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = tree(needs.get(i), ids);
      }
      return out;
    }
  }

  /**
   * A formula tested first for the words it requires, one mask per 64 words ({@code rest} null:
   * those are all of it), then, only when it holds them all, by its whole program.
   */
  static final class Guarded extends Check {
    private final int[] slots;
    private final long[] masks;
    private final Check rest;

    Guarded(int[] slots, long[] masks, Check rest) {
      this.slots = slots;
      this.masks = masks;
      this.rest = rest;
    }

    @Override
    boolean eval(long[] p) {
      for (int k = 0; k < slots.length; k++) {
        long m = masks[k];
        if ((p[slots[k]] & m) != m) {
          return false;
        }
      }
      return rest == null || rest.eval(p);
    }
  }

  /** ONE OF at the top of a formula: each option {@link Guarded}. */
  static final class AnyOf extends Check {
    private final Guarded[] options;

    AnyOf(Guarded[] options) {
      this.options = options;
    }

    @Override
    boolean eval(long[] p) {
      for (Guarded g : options) {
        if (g.eval(p)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A formula as one post-order program run in a single loop over a stack of truth values kept in
   * the bits of a long (so nothing is allocated per line). Each instruction is two ints: a word
   * test (push whether word {@code id} is present; a run of words under one ALL or ONE OF is folded
   * into one mask test), or ALL / ONE OF over the top {@code n} values.
   */
  static final class Flat extends Check {
    private static final int WORD = 0;
    private static final int ALL = 1;
    private static final int ANY = 2;
    private static final int MASK_ALL = 3;
    private static final int MASK_ANY = 4;

    private final int[] code;
    private final long[] masks;

    private Flat(int[] code, long[] masks) {
      this.code = code;
      this.masks = masks;
    }

    /** The program for {@code n}, or null when its stack would not fit in 63 bits. */
    static Flat of(Need n, Map<String, Integer> ids) {
      List<Integer> code = new java.util.ArrayList<>();
      List<Long> masks = new java.util.ArrayList<>();
      int[] height = new int[2]; // now, max
      if (!emit(n, ids, code, masks, height) || height[1] > 63) {
        return null;
      }
      int[] c = new int[code.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = code.get(i);
      }
      long[] m = new long[masks.size()];
      for (int i = 0; i < m.length; i++) {
        m[i] = masks.get(i);
      }
      return new Flat(c, m);
    }

    private static boolean emit(
        Need n, Map<String, Integer> ids, List<Integer> code, List<Long> masks, int[] height) {
      if (n instanceof Need.Word w) {
        int id = ids.computeIfAbsent(w.text(), k -> ids.size());
        code.add(WORD);
        code.add(id);
        push(height);
        return true;
      }
      boolean all = n instanceof Need.All;
      if (!all && !(n instanceof Need.OneOf)) {
        return false; // ANY (true) inside a formula: leave it to the tree
      }
      List<Need> parts = all ? ((Need.All) n).parts() : ((Need.OneOf) n).options();
      if (parts.isEmpty() || parts.size() > 63) {
        return false;
      }
      // words of one 64-word slot folded into a single mask test
      boolean allWords = true;
      int slot = -1;
      long mask = 0;
      for (Need p : parts) {
        if (!(p instanceof Need.Word w)) {
          allWords = false;
          break;
        }
        int id = ids.computeIfAbsent(w.text(), k -> ids.size());
        if (slot >= 0 && (id >>> 6) != slot) {
          allWords = false;
          break;
        }
        slot = id >>> 6;
        mask |= 1L << id;
      }
      if (allWords) {
        code.add(all ? MASK_ALL : MASK_ANY);
        code.add(slot | (masks.size() << 16));
        masks.add(mask);
        push(height);
        return true;
      }
      for (Need p : parts) {
        if (!emit(p, ids, code, masks, height)) {
          return false;
        }
      }
      code.add(all ? ALL : ANY);
      code.add(parts.size());
      height[0] -= parts.size() - 1;
      return true;
    }

    private static void push(int[] height) {
      height[0]++;
      height[1] = Math.max(height[1], height[0]);
    }

    @Override
    boolean eval(long[] p) {
      final int[] c = code;
      long stack = 0;
      for (int i = 0; i < c.length; i += 2) {
        int arg = c[i + 1];
        switch (c[i]) {
          case WORD -> stack = (stack << 1) | ((p[arg >>> 6] >>> arg) & 1L);
          case MASK_ALL -> {
            long m = masks[arg >>> 16];
            stack = (stack << 1) | ((p[arg & 0xFFFF] & m) == m ? 1L : 0L);
          }
          case MASK_ANY -> {
            long m = masks[arg >>> 16];
            stack = (stack << 1) | ((p[arg & 0xFFFF] & m) != 0 ? 1L : 0L);
          }
          case ALL -> {
            long top = (1L << arg) - 1;
            long v = (stack & top) == top ? 1L : 0L;
            stack = ((stack >>> arg) << 1) | v;
          }
          default -> {
            long top = (1L << arg) - 1;
            long v = (stack & top) != 0 ? 1L : 0L;
            stack = ((stack >>> arg) << 1) | v;
          }
        }
      }
      return (stack & 1L) != 0;
    }
  }
}
