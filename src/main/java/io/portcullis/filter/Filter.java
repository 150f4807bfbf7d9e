package io.portcullis.filter;

import io.portcullis.date.DateContext;
import io.portcullis.date.DateDetector;
import io.portcullis.date.DateHit;
import io.portcullis.date.DateTemplate;
import io.portcullis.date.DateTemplates;
import io.portcullis.regex.MatchBudget;
import io.portcullis.regex.MatchBudget.BudgetExceededException;
import io.portcullis.regex.Need;
import io.portcullis.regex.RegexSyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * A compiled filter: turns log lines into failures (and successful logins) with fail2ban's
 * semantics: the timestamp is found and cut out, {@code prefregex} must match and may narrow the
 * text to its {@code <F-CONTENT>}, the first matching {@code failregex} wins unless an {@code
 * ignoreregex} matches, and lines of one connection are merged by {@code <F-MLFID>}.
 *
 * <p>Lines that lack the literal words the regexes require ({@link Prefilter}: the prefregex's and
 * those of at least one failregex or successregex) are passed over before any date or regex work:
 * on a busy PBX log that is nearly all of them.
 *
 * <p>Design note: this class is the one place a line travels through, in order: decoded when it is
 * a JSON line ({@link JsonLine}), passed over without a needed word ({@link Prefilter}), its date
 * found ({@link DateDetector}) and cut out, the multi-line buffer, the prefregex, then each regex
 * ({@link FilterRegex}), the ignoreregexes, and a line's connection ({@link Connections}). Each of
 * those steps lives in its own class; what stays here is their order and the state of the log being
 * read, which is why it is longer than most.
 *
 * <p>Not thread-safe: a filter keeps the multi-line buffer, connection state and the date
 * statistics of the log it reads. Build one per log reader.
 */
public final class Filter {
  private static final Duration LAST_DATE_VALIDITY = Duration.ofSeconds(60);

  /**
   * How many passed-over lines a line without a date looks back through for the last date: a dated
   * line further back than this many dateless ones is not seen (the time then comes from the last
   * line read).
   */
  private static final int CATCH_UP_LINES = 16;

  private static final int MLFID_CAPACITY = 10_000;
  private static final Duration MLFID_TTL = Duration.ofMinutes(5);

  private final String name;
  private final FilterRegex prefregex;
  private final List<FilterRegex> failregex;
  private final List<FilterRegex> ignoreregex;
  private final List<FilterRegex> successregex;
  private final int maxlines;
  private final DateDetector dates;
  private final JsonLine json;
  private final Prefilter prefilter;
  private final Prefilter.Scan scan;
  private final MatchBudget budget;
  private final boolean checkAll;
  private final Connections connections = new Connections(MLFID_CAPACITY, MLFID_TTL);
  private final long[] hits;

  private List<LogLine> buffer = new ArrayList<>();

  /** The prefilter's words in the line being read (null: nothing to check), see Prefilter. */
  private long[] present;

  /**
   * The prefilter's words in the line a block scan is handing out right now, found in its bytes
   * (null: none), and that line's length in bytes: {@link #process} takes them instead of finding
   * the words again (1.1-1.7 us a line) when it is given that line decoded, which it tells by the
   * length for a line of ASCII only (any other line has its words found again).
   */
  private long[] handed;

  private int handedLength;

  private Instant lastDate;
  private String lastDateText = "";

  /**
   * Lines the prefilter passed over since the last line whose date was read, newest last (at most
   * {@link #CATCH_UP_LINES}): a later line without a date of its own takes the time of the latest
   * dated line before it, as it would if every line had been read, so their dates are read then.
   */
  private final java.util.ArrayDeque<String> passedOver = new java.util.ArrayDeque<>();

  /** The same for the block being scanned: its lines in {@code [regionStart, regionEnd)}. */
  private byte[] regionBuf;

  private int regionStart;
  private int regionEnd;
  private long budgetHits;
  private long skipped;
  private long ignoredLines;
  private long jsonLines;

  private Filter(Builder b) {
    FilterSpec spec = b.spec;
    List<String> problems = new ArrayList<>();
    this.name = spec.name();
    this.maxlines = spec.maxlines();
    boolean multi = maxlines > 1;
    this.prefregex =
        spec.prefregex() == null ? null : compile(spec.prefregex(), multi, spec.useDns(), problems);
    this.failregex = compileAll(spec.failregex(), multi, spec.useDns(), problems);
    this.ignoreregex = compileAll(spec.ignoreregex(), multi, spec.useDns(), problems);
    this.successregex = compileAll(spec.successregex(), multi, spec.useDns(), problems);
    if (spec.failregex().isEmpty() && spec.successregex().isEmpty()) {
      problems.add("filter '" + name + "' has no failregex");
    }
    checkIdentifiers(spec.failregex(), failregex, problems);
    checkIdentifiers(spec.successregex(), successregex, problems);
    List<DateTemplate> templates = null;
    if (spec.datepattern() != null) {
      try {
        templates = DateTemplates.parse(spec.datepattern().text());
      } catch (IllegalArgumentException e) {
        problems.add(spec.datepattern().where() + ": " + e.getMessage());
      }
    }
    JsonLine jsonLine = null;
    if (spec.jsonline() != null) {
      try {
        jsonLine = JsonLine.parse(spec.jsonline().text());
      } catch (IllegalArgumentException e) {
        problems.add(spec.jsonline().where() + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new FilterException(String.join("\n", problems));
    }
    this.json = jsonLine;
    this.dates = new DateDetector(templates == null ? DateTemplates.defaults() : templates);
    this.budget = new MatchBudget(b.budgetSteps);
    this.checkAll = b.checkAll;
    this.hits = new long[failregex.size() + successregex.size()];
    this.prefilter = b.noSkip || multi ? Prefilter.none() : prefilter(json, dates, prefregex);
    this.scan = prefilter.scan();
  }

  /**
   * The words lines must hold, or none when the filter reads several lines at once or a date
   * template could join two words when its date is cut out.
   */
  private Prefilter prefilter(JsonLine json, DateDetector dates, FilterRegex prefregex) {
    for (DateTemplate t : dates.templates()) {
      if (t.mayJoinWords()) {
        return Prefilter.none();
      }
    }
    List<Need> needs = new ArrayList<>();
    failregex.forEach(r -> needs.add(r.need()));
    successregex.forEach(r -> needs.add(r.need()));
    Prefilter.JsonLines jsonLines =
        json == null
            ? Prefilter.JsonLines.NONE
            : json.wordSafe() ? Prefilter.JsonLines.UNLESS_ESCAPED : Prefilter.JsonLines.ALWAYS;
    return Prefilter.of(prefregex == null ? Need.ANY : prefregex.need(), needs, jsonLines);
  }

  private FilterRegex compile(
      FilterSpec.Source s, boolean multi, boolean useDns, List<String> problems) {
    try {
      return new FilterRegex(s.text(), multi, useDns);
    } catch (RegexSyntaxException e) {
      problems.add(
          s.where() + ": regex does not compile: " + e.problem() + "\n    regex: " + s.text());
    } catch (IllegalArgumentException e) {
      problems.add(s.where() + ": " + e.getMessage());
    }
    return null;
  }

  /**
   * Compiles regexes, several at once when there are many: a filter like asterisk's has twenty, and
   * reading each one's words and compiling it took most of a {@code portcullis regex} run's start.
   * Each regex is compiled on its own, so the result and the problems (in order) are the same.
   */
  private List<FilterRegex> compileAll(
      List<FilterSpec.Source> sources, boolean multi, boolean useDns, List<String> problems) {
    int n = sources.size();
    FilterRegex[] compiled = new FilterRegex[n];
    List<List<String>> found = new ArrayList<>(java.util.Collections.nCopies(n, List.of()));
    java.util.stream.IntStream indices = java.util.stream.IntStream.range(0, n);
    if (n >= 4) {
      indices = indices.parallel();
    }
    indices.forEach(
        i -> {
          List<String> own = new ArrayList<>();
          compiled[i] = compile(sources.get(i), multi, useDns, own);
          found.set(i, own);
        });
    List<FilterRegex> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(compiled[i]);
      problems.addAll(found.get(i));
    }
    return out;
  }

  /** A failregex must capture an address or failure id, itself or through the prefregex. */
  private void checkIdentifiers(
      List<FilterSpec.Source> sources, List<FilterRegex> compiled, List<String> problems) {
    for (int i = 0; i < compiled.size(); i++) {
      FilterRegex r = compiled.get(i);
      if (r == null) {
        continue;
      }
      if (!identifies(r) && (prefregex == null || !identifies(prefregex))) {
        problems.add(
            sources.get(i).where()
                + ": regex has no <HOST>, <ADDR>, <F-ID> or <F-MLFID> to say whom to ban\n    regex: "
                + sources.get(i).text());
      }
    }
  }

  private static boolean identifies(FilterRegex r) {
    for (String g : List.of("fid", "ip4", "ip6", "dns", "mlfid")) {
      if (r.hasGroup(g)) {
        return true;
      }
    }
    return false;
  }

  public String name() {
    return name;
  }

  public int failRegexCount() {
    return failregex.size();
  }

  public List<String> failRegexSources() {
    return failregex.stream().map(FilterRegex::source).toList();
  }

  public List<String> successRegexSources() {
    return successregex.stream().map(FilterRegex::source).toList();
  }

  public List<String> ignoreRegexSources() {
    return ignoreregex.stream().map(FilterRegex::source).toList();
  }

  public List<DateTemplate> dateTemplates() {
    return dates.templates();
  }

  /** Lines whose regex search ran out of its step budget (and were treated as not matching). */
  public long budgetHits() {
    return budgetHits;
  }

  /** Lines whose failure match an ignoreregex cancelled. */
  public long ignoredLines() {
    return ignoredLines;
  }

  /** Lines passed over because they held none of the words a failregex needs. */
  public long skippedLines() {
    return skipped;
  }

  /**
   * Receives a line of a block that might match: its number in the block (0-based) and bytes. Given
   * to {@link #process} within the call, decoded as it is, the line's words are not looked for
   * again.
   */
  @FunctionalInterface
  public interface BlockLines {
    void line(int index, int start, int end) throws java.io.IOException;
  }

  /**
   * Passes over, in a block of whole UTF-8 lines {@code buf[start..end)}, every line that cannot
   * produce anything, and hands the others to {@code out} in order (to decode and {@link
   * #process}). Returns the number of lines in the block.
   */
  public int candidates(byte[] buf, int start, int end, BlockLines out) throws java.io.IOException {
    int[] found = new int[1];
    int[] handedTo = {start};
    int lines;
    try {
      lines =
          scan.lines(
              buf,
              start,
              end,
              (index, s, e, words) -> {
                found[0]++;
                region(buf, handedTo[0], s);
                hand(words, e - s);
                try {
                  out.line(index, s, e);
                } finally {
                  handed = null;
                }
                handedTo[0] = Math.min(end, e + 1);
              });
      region(buf, handedTo[0], end);
      flushRegion();
    } finally {
      regionBuf = null;
    }
    skipped += lines - found[0];
    return lines;
  }

  /**
   * Finds the lines of blocks that might produce something ({@link #candidates(byte[], int, int,
   * BlockLines)}'s first half) on a thread of its own: it reads only the filter's immutable
   * prefilter, never the state of the log being read, so any number of them may run beside the
   * thread that calls {@link #candidates(byte[], int, int, Candidates, BlockLines)}. One per
   * thread.
   */
  public BlockScanner blockScanner() {
    return new BlockScanner(prefilter.scan());
  }

  /** See {@link #blockScanner()}. */
  public static final class BlockScanner {
    private final Prefilter.Scan scan;
    private int[] index = new int[64];
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    private long[][] words = new long[64][];

    private BlockScanner(Prefilter.Scan scan) {
      this.scan = scan;
    }

    /** The lines of the block of whole UTF-8 lines {@code buf[start, end)} that might match. */
    public Candidates scan(byte[] buf, int start, int end) throws java.io.IOException {
      int[] size = {0};
      int lines =
          scan.lines(
              buf,
              start,
              end,
              (i, s, e, w) -> {
                int n = size[0];
                if (n == index.length) {
                  index = java.util.Arrays.copyOf(index, n * 2);
                  starts = java.util.Arrays.copyOf(starts, n * 2);
                  ends = java.util.Arrays.copyOf(ends, n * 2);
                  words = java.util.Arrays.copyOf(words, n * 2);
                }
                index[n] = i;
                starts[n] = s;
                ends[n] = e;
                words[n] = w;
                size[0] = n + 1;
              });
      int n = size[0];
      long[][] found = java.util.Arrays.copyOf(words, n);
      java.util.Arrays.fill(words, 0, n, null);
      return new Candidates(
          lines,
          java.util.Arrays.copyOf(index, n),
          java.util.Arrays.copyOf(starts, n),
          java.util.Arrays.copyOf(ends, n),
          found);
    }
  }

  /**
   * The lines of one block a {@link BlockScanner} found might match, in order: for line {@code k},
   * its 0-based index in the block and its bytes {@code [start(k), end(k))}.
   */
  public static final class Candidates {
    private final int lines;
    private final int[] index;
    private final int[] starts;
    private final int[] ends;
    private final long[][] words;

    private Candidates(int lines, int[] index, int[] starts, int[] ends, long[][] words) {
      this.lines = lines;
      this.index = index;
      this.starts = starts;
      this.ends = ends;
      this.words = words;
    }

    /** How many lines the block holds. */
    public int lines() {
      return lines;
    }

    /** How many of them might match. */
    public int count() {
      return index.length;
    }

    public int start(int k) {
      return starts[k];
    }

    public int end(int k) {
      return ends[k];
    }
  }

  /**
   * {@link #candidates(byte[], int, int, BlockLines)} for a block whose candidate lines a {@link
   * BlockScanner} already found (on any thread): hands them to {@code out} in order, keeping this
   * filter's state exactly as that method does, and returns the number of lines in the block.
   */
  public int candidates(byte[] buf, int start, int end, Candidates found, BlockLines out)
      throws java.io.IOException {
    int handedTo = start;
    try {
      for (int k = 0; k < found.index.length; k++) {
        int s = found.starts[k];
        int e = found.ends[k];
        region(buf, handedTo, s);
        hand(found.words[k], e - s);
        try {
          out.line(found.index[k], s, e);
        } finally {
          handed = null;
        }
        handedTo = Math.min(end, e + 1);
      }
      region(buf, handedTo, end);
      flushRegion();
    } finally {
      regionBuf = null;
    }
    skipped += found.lines - found.index.length;
    return found.lines;
  }

  private void hand(long[] words, int length) {
    handed = words;
    handedLength = length;
  }

  /**
   * The prefilter's words in {@code text}: those a block scan found in the line it is handing out
   * when {@code line} is that line (the same length in UTF-16 as in bytes: ASCII only, so the same
   * words), else found now. Takes them once.
   */
  private long[] wordsIn(String line, String text) {
    long[] given = handed;
    handed = null;
    if (given != null && text == line && line.length() == handedLength) {
      return given;
    }
    return prefilter.wordsIn(text);
  }

  /** The lines passed over right before the line now handed out: {@code buf[from, to)}. */
  private void region(byte[] buf, int from, int to) {
    regionBuf = from < to ? buf : null;
    regionStart = from;
    regionEnd = to;
  }

  /** Moves the last lines of the block region into {@link #passedOver}, oldest first. */
  private void flushRegion() {
    if (regionBuf == null) {
      return;
    }
    java.util.ArrayDeque<String> newestFirst = new java.util.ArrayDeque<>();
    int e = regionEnd;
    while (e > regionStart && newestFirst.size() < CATCH_UP_LINES) {
      int lineEnd = regionBuf[e - 1] == '\n' ? e - 1 : e;
      int s = lineEnd;
      while (s > regionStart && regionBuf[s - 1] != '\n') {
        s--;
      }
      newestFirst.add(
          new String(regionBuf, s, lineEnd - s, java.nio.charset.StandardCharsets.UTF_8));
      e = s;
    }
    while (!newestFirst.isEmpty()) {
      passOver(newestFirst.removeLast());
    }
    regionBuf = null;
  }

  private void passOver(String text) {
    if (passedOver.size() == CATCH_UP_LINES) {
      passedOver.removeFirst();
    }
    passedOver.addLast(text);
  }

  /**
   * Reads the dates of the lines passed over right before a line without one, newest first, until
   * one has a date: that becomes the last date, as if every line had been read.
   */
  private void catchUpDate(DateContext context) {
    flushRegion();
    while (!passedOver.isEmpty()) {
      String text = decode(passedOver.removeLast());
      DateHit hit = dates.find(text, context);
      if (hit != null && hit.start() < hit.end()) {
        lastDate = hit.time();
        lastDateText = text.substring(hit.start(), hit.end());
        break;
      }
    }
    passedOver.clear();
  }

  /**
   * Whether a raw UTF-8 line could produce anything, asked before decoding it. A line this answers
   * false for is counted as passed over and need not be given to {@link #process}.
   */
  public boolean mayMatch(byte[] line, int start, int end) {
    if (prefilter.mayMatch(line, start, end)) {
      return true;
    }
    skipped++;
    return false;
  }

  /**
   * Reads one log line and finds its timestamp in it.
   *
   * @param context zone for dates without one, and "now" for year inference and dateless lines
   */
  public Result process(String line, DateContext context) {
    String text = decode(line);
    present = wordsIn(line, text);
    if (present != null && !prefilter.mayMatch(present)) {
      skipped++;
      flushRegion();
      passOver(line);
      return Result.NONE;
    }
    String raw = text == line ? null : line;
    DateHit hit = dates.find(text, context);
    if (hit != null && hit.start() < hit.end()) {
      passedOver.clear();
      regionBuf = null;
    } else if (!passedOver.isEmpty() || regionBuf != null) {
      catchUpDate(context);
    }
    Instant time = null;
    LogLine parts;
    if (hit != null && hit.start() < hit.end()) {
      parts =
          new LogLine(
              text.substring(0, hit.start()),
              text.substring(hit.start(), hit.end()),
              text.substring(hit.end()),
              // the line itself when it was read as it is: original() then makes no copy
              line);
      time = hit.time();
      lastDate = time;
      lastDateText = parts.date();
    } else if (hit != null) {
      // a template that matches nothing ({NONE}): the line has no date of its own
      parts = new LogLine("", lastDateText, text, raw);
      time = recentLastDate(context);
      if (time == null) {
        time = context.now();
      }
    } else {
      parts = new LogLine("", "", text, line);
      time = recentLastDate(context);
    }
    return new Result(hit == null ? null : hit.template(), find(parts, time));
  }

  /** Reads a line whose time is already known (from the journal): no date is looked for. */
  public Result process(String line, Instant time) {
    String text = decode(line);
    present = wordsIn(line, text);
    if (present != null && !prefilter.mayMatch(present)) {
      skipped++;
      return Result.NONE;
    }
    lastDate = time;
    return new Result(null, find(new LogLine("", "", text, line), time));
  }

  /**
   * The text a line reads as: a JSON line decoded per the filter's {@code jsonline}, any other line
   * as it is (the same object, so callers can tell). Lines not starting with a brace cost one
   * character comparison.
   */
  private String decode(String line) {
    if (json == null || !JsonLine.looksLikeJson(line)) {
      return line;
    }
    String text = json.render(line);
    if (text == null) {
      return line;
    }
    jsonLines++;
    return text;
  }

  /** JSON lines read through the filter's {@code jsonline} template. */
  public long jsonLines() {
    return jsonLines;
  }

  /** The filter's {@code jsonline} template, or null when it reads JSON lines as they are. */
  public String jsonLineTemplate() {
    return json == null ? null : json.template();
  }

  private Instant recentLastDate(DateContext context) {
    if (lastDate != null && lastDate.isAfter(context.now().minus(LAST_DATE_VALIDITY))) {
      return lastDate;
    }
    return null;
  }

  /**
   * A line's outcome: the date template that read its time, and the failures and successful logins
   * that count. A line that only informs its connection ({@code F-NOFAIL}, {@code F-MLFGAINED}) or
   * names nobody yet gives none.
   */
  public record Result(DateTemplate template, List<FilterMatch> matches) {
    static final Result NONE = new Result(null, List.of());

    public Result {
      matches = List.copyOf(matches);
    }
  }

  private List<FilterMatch> find(LogLine line, Instant time) {
    List<LogLine> lines;
    if (maxlines > 1) {
      buffer.add(line);
      if (buffer.size() > maxlines) {
        buffer = new ArrayList<>(buffer.subList(buffer.size() - maxlines, buffer.size()));
      }
      lines = buffer;
    } else {
      // one line at a time: nothing is added to the buffer, so it need not be a copy
      lines = List.of(line);
      buffer = lines;
    }
    String text = join(lines);
    List<FilterMatch> out = new ArrayList<>();
    Map<String, String> pre = Map.of();
    try {
      if (prefregex != null) {
        Matcher pm = prefregex.find(text, budget);
        if (pm == null) {
          return out;
        }
        pre = prefregex.groups(pm);
        String content = pre.remove("content");
        if (content != null && !content.isEmpty()) {
          List<LogLine> narrowed = List.of(new LogLine("", "", content));
          buffer = maxlines > 1 ? new ArrayList<>(narrowed) : narrowed;
          text = null;
        }
      }
      boolean matchedFailure =
          scan(failregex, FilterMatch.Kind.FAILURE, pre, time, text, lines, out);
      if (!matchedFailure && !successregex.isEmpty()) {
        scan(
            successregex,
            FilterMatch.Kind.SUCCESS,
            pre,
            time,
            text == null ? join(buffer) : text,
            lines,
            out);
      }
    } catch (BudgetExceededException e) {
      budgetHits++;
      return List.of();
    }
    return out;
  }

  /** Runs one list of regexes over the text; true when one of them matched. */
  private boolean scan(
      List<FilterRegex> regexes,
      FilterMatch.Kind kind,
      Map<String, String> pre,
      Instant time,
      String text,
      List<LogLine> lines,
      List<FilterMatch> out) {
    boolean any = false;
    int hintOffset = kind == FilterMatch.Kind.FAILURE ? 0 : failregex.size();
    for (int i = 0; i < regexes.size(); i++) {
      if (present != null && !prefilter.mayMatch(hintOffset + i, present)) {
        continue;
      }
      if (text == null) {
        text = join(buffer);
      }
      FilterRegex r = regexes.get(i);
      List<LogLine> current = buffer;
      Matcher m = r.find(text, budget);
      if (m == null) {
        continue;
      }
      Map<String, String> captured = r.groups(m);
      // the lines as the log holds them, also when the prefregex narrowed the text (as fail2ban)
      FilterRegex.Span span =
          r.span(m, text, current.size() == 1 && lines.size() == 1 ? lines : current);
      if (ignored(span, text)) {
        ignoredLines++;
        if (maxlines > 1) {
          buffer = new ArrayList<>(span.unmatched());
        }
        text = null;
        if (!checkAll) {
          return any;
        }
        continue;
      }
      any = true;
      hits[hintOffset + i]++;
      if (!checkAll || maxlines > 1) {
        buffer = new ArrayList<>(span.unmatched());
        text = null;
      }
      if (!pre.isEmpty()) {
        Map<String, String> joined = new LinkedHashMap<>(pre);
        joined.putAll(captured);
        captured = joined;
      }
      Connections.LineFlags flags = Connections.LineFlags.take(captured);
      String mlfid = captured.get("mlfid");
      FilterMatch result;
      if (mlfid != null) {
        Connections.Connection c =
            connections.merge(mlfid, captured, flags, linesOf(span.matched()), time);
        if (!c.counts() && !checkAll) {
          return any;
        }
        result = FilterMatch.of(kind, i, c.fields, c.lines, c.users, time);
        if (!FilterMatch.names(c.fields)) {
          c.pending = true;
        }
        if (!c.counts()) {
          // a line that is no failure only informs its connection
          result = null;
        }
      } else if (flags.noFail()) {
        // F-NOFAIL: the line is no failure. fail2ban's own sample suite reads it so; its server
        // would count it when the filter has no F-MLFID, which no filter relies on
        result = null;
      } else {
        result = FilterMatch.of(kind, i, captured, linesOf(span.matched()), Set.of(), time);
      }
      if (result != null) {
        out.add(result);
      }
      if (!checkAll) {
        return any;
      }
    }
    return any;
  }

  private boolean ignored(FilterRegex.Span span, String text) {
    if (ignoreregex.isEmpty()) {
      return false;
    }
    String target = maxlines > 1 ? join(span.matched()) : text;
    for (FilterRegex ig : ignoreregex) {
      if (ig.find(target, budget) != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * How often each failregex (then each successregex) matched a line, an ignoreregex aside:
   * failures, lines that only inform a connection, and failures still waiting for an address.
   */
  public long regexHits(FilterMatch.Kind kind, int index) {
    return hits[(kind == FilterMatch.Kind.FAILURE ? 0 : failregex.size()) + index];
  }

  private static List<String> linesOf(List<LogLine> lines) {
    List<String> out = new ArrayList<>(lines.size());
    for (LogLine l : lines) {
      out.add(l.original());
    }
    return out;
  }

  private static String join(List<LogLine> lines) {
    if (lines.size() == 1) {
      LogLine l = lines.get(0);
      // one concatenation, one copy of the line
      return l.before().isEmpty() ? l.after() + "\n" : l.before() + l.after() + "\n";
    }
    StringBuilder sb = new StringBuilder();
    for (LogLine l : lines) {
      sb.append(l.withoutDate()).append('\n');
    }
    return sb.toString();
  }

  /**
   * Explains, for a line that produced nothing, how far the date, the prefregex and each failregex
   * got: the closest failregex and the character where it stopped matching.
   */
  public List<String> explain(String line, DateContext context) {
    return new Explanation(json, dates.templates(), prefilter, prefregex, failregex)
        .of(line, context);
  }

  /**
   * Makes every filter's block scan look for its words in one pass over byte pairs, for a JVM whose
   * JIT stops at C1 (see {@code Prefilter.pairScan}); the result is the same either way.
   */
  public static void scanByBytePairs(boolean on) {
    Prefilter.pairScan = on;
  }

  public static Builder builder(FilterSpec spec) {
    return new Builder(spec);
  }

  /** Options of a filter that are about how it runs rather than what it matches. */
  public static final class Builder {
    private final FilterSpec spec;
    private long budgetSteps = MatchBudget.DEFAULT_LIMIT;
    private boolean checkAll;
    private boolean noSkip;

    private Builder(FilterSpec spec) {
      this.spec = spec;
    }

    /** How many characters one regex search may read before it gives up. */
    public Builder budgetSteps(long steps) {
      this.budgetSteps = steps;
      return this;
    }

    /** Report every failregex that matches a line, not just the first (for testing filters). */
    public Builder checkAllRegex(boolean all) {
      this.checkAll = all;
      return this;
    }

    /** Run every line through the regexes, even those without a required word (to compare). */
    public Builder noSkip(boolean noSkip) {
      this.noSkip = noSkip;
      return this;
    }

    public Filter build() {
      return new Filter(this);
    }
  }

  /** The zone used when nothing else is said: the machine's. */
  public static ZoneId systemZone() {
    return ZoneId.systemDefault();
  }
}
