package io.portcullis.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.config.ConfigException;
import io.portcullis.config.FilterDefinition;
import io.portcullis.config.FilterReader;
import io.portcullis.config.OptionList;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterException;
import io.portcullis.filter.FilterMatch;
import io.portcullis.filter.FilterSpec;
import io.portcullis.source.LineScanner;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis regex}: tests a filter against a log, like fail2ban-regex, and explains misses.
 *
 * <p>Design note: long because it is fail2ban-regex's whole surface (filter by name, path or
 * literal regex; one line or a file; JSON or text output; the report of what matched, what was
 * ignored and, with --explain, why a line missed), and these options cross each other; the line
 * loop is {@code LineHandler}, the loading {@code load}, the printing {@code Report}.
 */
@Command(
    name = "regex",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a log file (or one line) through a filter and reports what it finds.",
      "FILTER is a filter name from the config's filter.d (with options: asterisk[mode=aggressive]),"
          + " a path to a filter file, or a literal failregex."
    },
    footer = {
      "",
      "Examples:",
      "  portcullis regex /var/log/asterisk/messages asterisk",
      "  portcullis regex --explain --print-all-missed /var/log/auth.log sshd[mode=aggressive]",
      "  portcullis regex --json /var/log/asterisk/full asterisk | jq .host",
      "  portcullis regex 'Jan 1 10:00:00 host sshd[1]: Invalid user x from 192.0.2.1' sshd",
      "",
      "Exit status: 0 when the filter loaded and the log was read, 1 on failure, 2 on usage errors."
    })
final class RegexCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "LOG", description = "A log file, or a single log line.")
  String log;

  @Parameters(
      index = "1",
      paramLabel = "FILTER",
      description = "Filter name[opts], filter file, or failregex.")
  String filter;

  @Parameters(
      index = "2",
      arity = "0..1",
      paramLabel = "IGNOREREGEX",
      description = "An ignoreregex, or a filter file whose ignoreregex to use.")
  String ignore;

  @Option(
      names = "--config",
      paramLabel = "DIR",
      description =
          "Config dir holding filter.d (default: the shipped config, else /etc/portcullis; /etc/fail2ban works too).")
  Path config;

  @Option(
      names = "--now",
      paramLabel = "EPOCH",
      description = "Reference time for dates without a year (default: now).")
  Long now;

  @Option(
      names = "--timezone",
      paramLabel = "ZONE",
      description =
          "Zone of dates that carry none: IANA id or +HHMM (default: the filter's logtimezone, else this machine's).")
  String timezone;

  @Option(
      names = "--logtype",
      paramLabel = "TYPE",
      description = "file (default) or journal: journal lines carry no date; their time is --now.")
  String logtype = "file";

  @Option(
      names = "--datepattern",
      paramLabel = "PATTERN",
      description = "Overrides the filter's datepattern.")
  String datepattern;

  @Option(names = "--maxlines", paramLabel = "N", description = "Overrides the filter's maxlines.")
  Integer maxlines;

  @Option(
      names = "--json",
      description = "One JSON object per line that produced a failure or success.")
  boolean json;

  @Option(
      names = "--explain",
      description =
          "For each missed line shown, say which failregex came closest and where it stopped.")
  boolean explain;

  @Option(names = "--print-all-missed", description = "Show every line that matched nothing.")
  boolean printMissed;

  @Option(names = "--print-all-matched", description = "Show every line that produced a failure.")
  boolean printMatched;

  @Option(names = "--print-all-ignored", description = "Show every line an ignoreregex cancelled.")
  boolean printIgnored;

  @Option(
      names = "--no-skip",
      description =
          "Look at every line, even those without a word the failregexes need (for comparison).")
  boolean noSkip;

  @Option(
      names = "--usedns",
      paramLabel = "yes|no",
      description = "Whether <HOST> also accepts host names (default yes).")
  String usedns = "yes";

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Threads that search the log for the words its failregexes need and decode the lines"
              + " found (default: this machine's cores). Lines are still read through the filter"
              + " one at a time, in order, so the output does not depend on N.")
  Integer threads;

  private static final int MISSED_SHOWN_BY_DEFAULT = 20;

  @Override
  public Integer call() throws IOException {
    if (!logtype.equals("file") && !logtype.equals("journal")) {
      throw new UsageException(
          "--logtype: '" + logtype + "' is not a log type (try file, journal)");
    }
    if (!usedns.equals("yes")
        && !usedns.equals("no")
        && !usedns.equals("warn")
        && !usedns.equals("raw")) {
      throw new UsageException("--usedns: '" + usedns + "' is not valid (try yes, no)");
    }
    if (threads != null && (threads < 1 || threads > 256)) {
      throw new UsageException("--threads: " + threads + " is not valid (1 to 256)");
    }
    Path configDir = config != null ? config : ConfigDirs.defaultDir();
    Loaded loaded = load(configDir);
    Filter f;
    try {
      f = Filter.builder(loaded.spec).noSkip(noSkip).build();
    } catch (FilterException e) {
      throw new CliException(
          "filter '" + loaded.spec.name() + "' cannot be used:\n" + e.getMessage(), Main.USAGE);
    }
    ZoneId zone = zone(loaded.timezone);
    Instant ref = now == null ? Instant.now() : Instant.ofEpochSecond(now);
    DateContext context = new DateContext(zone, ref);
    Path logPath = Path.of(log);
    boolean isFile = Files.isRegularFile(logPath);
    if (!isFile && (log.startsWith("/") || log.startsWith("./")) && !log.contains(" ")) {
      throw new CliException("log file " + log + " does not exist", Main.FAILURE);
    }
    Report report =
        new Report(
            f,
            loaded.description,
            isFile ? logPath.toString() : "(one line)",
            printMissed || explain,
            printMatched,
            printIgnored);
    PrintWriter out =
        new PrintWriter(
            new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16));
    // only --json writes JSON: Jackson's start costs a few hundred milliseconds of a 1 s run
    ObjectMapper mapper = json ? new ObjectMapper() : null;
    if (mapper != null) {
      mapper.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
    }
    long started = System.nanoTime();
    LineHandler handler = new LineHandler(f, report, mapper, out, context, ref);
    try {
      int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
      if (isFile && !(printMissed || explain) && n > 1) {
        try (InputStream in = Files.newInputStream(logPath)) {
          new Parallel(f, handler, n).read(in);
        }
      } else if (isFile && !(printMissed || explain)) {
        // fast path: lines no failregex can match are passed over before they are decoded
        try (InputStream in = Files.newInputStream(logPath)) {
          LineScanner.scanBlocks(
              in,
              (buf, start, end) -> {
                int base = handler.number;
                int[] found = {0};
                int lines =
                    f.candidates(
                        buf,
                        start,
                        end,
                        (index, s0, e0) -> {
                          found[0]++;
                          handler.lineAt(
                              base + index + 1,
                              new String(buf, s0, e0 - s0, StandardCharsets.UTF_8));
                        });
                handler.number = base + lines;
                handler.passedOver(lines - found[0]);
              });
        }
      } else {
        try (BufferedReader in =
            isFile ? reader(logPath) : new BufferedReader(new StringReader(log))) {
          String line;
          while ((line = in.readLine()) != null) {
            handler.line(line);
          }
        }
      }
    } catch (UncheckedIOException e) {
      throw new CliException("cannot read " + log + ": " + e.getCause().getMessage(), Main.FAILURE);
    } catch (IOException e) {
      throw new CliException("cannot read " + log + ": " + e.getMessage(), Main.FAILURE);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (!json) {
      report.print(out, seconds, printMissed, printMatched, printIgnored, explain, context);
    }
    out.flush();
    return Main.OK;
  }

  /**
   * The fast path on several threads. Only what does not depend on earlier lines runs beside the
   * reading thread: the search of each block for the filter's words ({@link Filter.BlockScanner})
   * and decoding the lines it found. Everything that does (the date template learnt from earlier
   * lines, the last date for dateless lines, the multi-line buffer, connections, the counts) stays
   * on this thread, which hands the blocks' lines to the filter one at a time in line order,
   * exactly as the one-thread path does: so the output is the same by construction, for every
   * filter (RegexParallelTest compares them byte for byte).
   */
  private static final class Parallel {
    private final Filter f;
    private final LineHandler handler;
    private final int threads;
    private final java.util.ArrayDeque<java.util.concurrent.Future<Scanned>> pending =
        new java.util.ArrayDeque<>();

    /** A block's own bytes, the lines in it that might match and their text, in order. */
    private record Scanned(byte[] bytes, Filter.Candidates found, String[] texts) {}

    Parallel(Filter f, LineHandler handler, int threads) {
      this.f = f;
      this.handler = handler;
      this.threads = threads;
    }

    void read(InputStream in) throws IOException {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, "regex-scan");
                t.setDaemon(true);
                return t;
              });
      ThreadLocal<Filter.BlockScanner> scanners = ThreadLocal.withInitial(f::blockScanner);
      try {
        LineScanner.scanBlocks(
            in,
            (buf, start, end) -> {
              byte[] bytes = java.util.Arrays.copyOfRange(buf, start, end);
              pending.add(pool.submit(() -> scan(scanners.get(), bytes)));
              // a few blocks ahead keep every thread busy; more would only hold memory
              while (pending.size() > 2 * threads + 2) {
                take();
              }
            });
        while (!pending.isEmpty()) {
          take();
        }
      } finally {
        pool.shutdownNow();
      }
    }

    private static Scanned scan(Filter.BlockScanner scanner, byte[] bytes) throws IOException {
      Filter.Candidates found = scanner.scan(bytes, 0, bytes.length);
      String[] texts = new String[found.count()];
      for (int k = 0; k < texts.length; k++) {
        int s = found.start(k);
        texts[k] = new String(bytes, s, found.end(k) - s, StandardCharsets.UTF_8);
      }
      return new Scanned(bytes, found, texts);
    }

    private void take() throws IOException {
      Scanned s;
      try {
        s = pending.removeFirst().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException(e.getCause());
      }
      int base = handler.number;
      int[] next = {0};
      int lines =
          f.candidates(
              s.bytes,
              0,
              s.bytes.length,
              s.found,
              (index, s0, e0) -> handler.lineAt(base + index + 1, s.texts[next[0]++]));
      handler.number = base + lines;
      handler.passedOver(lines - s.found.count());
    }
  }

  /** What happens to each line read. */
  private final class LineHandler {
    private final Filter f;
    private final Report report;
    private final ObjectMapper mapper;
    private final PrintWriter out;
    private final DateContext context;
    private final Instant ref;
    private int number;

    LineHandler(
        Filter f,
        Report report,
        ObjectMapper mapper,
        PrintWriter out,
        DateContext context,
        Instant ref) {
      this.f = f;
      this.report = report;
      this.mapper = mapper;
      this.out = out;
      this.context = context;
      this.ref = ref;
    }

    void passedOver(long count) {
      report.passedOver(count);
    }

    void line(String line) throws IOException {
      lineAt(++number, line);
    }

    void lineAt(int number, String line) throws IOException {
      long ignoredBefore = f.ignoredLines();
      Filter.Result r = logtype.equals("journal") ? f.process(line, ref) : f.process(line, context);
      boolean ignored = f.ignoredLines() > ignoredBefore;
      report.count(number, line, r, ignored);
      if (json) {
        for (FilterMatch m : r.matches()) {
          mapper.writeValue(out, jsonOf(number, m));
          out.println();
        }
      }
    }
  }

  private static BufferedReader reader(Path path) throws IOException {
    // logs hold whatever bytes clients sent: replace invalid UTF-8 instead of failing
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    return new BufferedReader(
        new java.io.InputStreamReader(Files.newInputStream(path), decoder), 1 << 20);
  }

  private ZoneId zone(String fromFilter) {
    return Zones.resolve(timezone, fromFilter);
  }

  private static Map<String, Object> jsonOf(int number, FilterMatch m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("line", number);
    if (m.kind() == FilterMatch.Kind.SUCCESS) {
      o.put("success", true);
    } else {
      o.put("fid", m.fid());
    }
    o.put("host", m.host());
    for (String k : List.of("ip4", "ip6", "dns", "user", "fport", "cidr")) {
      if (m.groups().containsKey(k)) {
        o.put(k, m.groups().get(k));
      }
    }
    for (Map.Entry<String, String> e : m.groups().entrySet()) {
      String k = e.getKey();
      if (!o.containsKey(k)
          && !k.equals("fid")
          && !k.startsWith("skiplines")
          && !k.startsWith("alt_")
          && !k.startsWith("tuple_")
          && !k.startsWith("_")
          && !k.startsWith("mlf")
          && !k.equals("content")) {
        o.put(k, e.getValue());
      }
    }
    if (m.time() != null) {
      o.put(
          "time",
          m.time().getEpochSecond() + m.time().getNano() / 1e9 == m.time().getEpochSecond()
              ? (Object) m.time().getEpochSecond()
              : (Object) (m.time().getEpochSecond() + m.time().getNano() / 1e9));
    } else {
      o.put("time", null);
    }
    if (m.kind() == FilterMatch.Kind.FAILURE) {
      o.put("attempts", m.attempts());
    }
    o.put("regex", m.regex());
    return o;
  }

  /** A loaded filter and how to describe where it came from. */
  private record Loaded(FilterSpec spec, String description, String timezone) {}

  private Loaded load(Path configDir) {
    boolean useDns = !usedns.equals("no");
    try {
      FilterDefinition d = null;
      String description;
      Path asPath = Path.of(filter);
      if (looksLikePath(filter) && Files.isRegularFile(asPath)) {
        d = FilterReader.readFile(asPath, Map.of());
        description = "filter file " + asPath;
      } else if (looksLikeName(filter)) {
        OptionList ol = OptionList.parse(filter);
        if (!Files.isDirectory(configDir.resolve("filter.d"))) {
          throw new CliException(
              "no filter.d in config dir " + configDir + " (use --config DIR)", Main.USAGE);
        }
        d = FilterReader.read(configDir, ol.name(), ol.options());
        description = "filter " + filter + " from " + configDir.resolve("filter.d");
      } else {
        description = "literal failregex";
      }
      FilterSpec base =
          d != null
              ? FilterSpec.of(d, useDns)
              : new FilterSpec(
                  "regex",
                  null,
                  List.of(new FilterSpec.Source(filter, "failregex (command line)")),
                  List.of(),
                  List.of(),
                  1,
                  null,
                  useDns);
      List<FilterSpec.Source> ignores = new ArrayList<>(base.ignoreregex());
      if (ignore != null) {
        Path ignorePath = Path.of(ignore);
        if (looksLikePath(ignore) && Files.isRegularFile(ignorePath)) {
          FilterReader.readFile(ignorePath, Map.of())
              .ignoreregex()
              .forEach(l -> ignores.add(new FilterSpec.Source(l.text(), l.where())));
        } else {
          ignores.add(new FilterSpec.Source(ignore, "ignoreregex (command line)"));
        }
      }
      FilterSpec.Source dp =
          datepattern != null
              ? new FilterSpec.Source(datepattern, "--datepattern")
              : base.datepattern();
      int ml = maxlines != null ? maxlines : base.maxlines();
      if (ml < 1) {
        throw new UsageException("--maxlines: must be at least 1");
      }
      FilterSpec spec =
          new FilterSpec(
              base.name(),
              base.prefregex(),
              base.failregex(),
              ignores,
              base.successregex(),
              ml,
              dp,
              useDns,
              base.jsonline());
      return new Loaded(spec, description, d == null ? null : d.logtimezone());
    } catch (ConfigException e) {
      throw new CliException(e.getMessage(), Main.USAGE);
    }
  }

  private static boolean looksLikePath(String s) {
    return s.contains("/") || s.endsWith(".conf") || s.endsWith(".local");
  }

  private static boolean looksLikeName(String s) {
    return s.matches("[\\w.\\-]+(\\[.*])?");
  }

  /** Counts and remembers what the lines did, for the human report. */
  private static final class Report {
    private final Filter filter;
    private final String filterDescription;
    private final String logDescription;
    private final long[] failHits;
    private final long[] successHits;
    private final Map<String, Long> templateHits = new LinkedHashMap<>();
    private final List<String[]> missed = new ArrayList<>();
    private final List<String[]> matched = new ArrayList<>();
    private final List<String[]> ignoredLines = new ArrayList<>();
    private final boolean keepMissed;
    private final boolean keepMatched;
    private final boolean keepIgnored;
    private long lines;
    private long matchedCount;
    private long successCount;
    private long ignoredCount;

    Report(
        Filter filter,
        String filterDescription,
        String logDescription,
        boolean keepMissed,
        boolean keepMatched,
        boolean keepIgnored) {
      this.keepMissed = keepMissed;
      this.keepMatched = keepMatched;
      this.keepIgnored = keepIgnored;
      this.filter = filter;
      this.filterDescription = filterDescription;
      this.logDescription = logDescription;
      this.failHits = new long[filter.failRegexCount()];
      this.successHits = new long[filter.successRegexSources().size()];
    }

    void passedOver(long count) {
      lines += count;
    }

    void count(int number, String line, Filter.Result r, boolean ignored) {
      lines++;
      if (r.template() != null) {
        templateHits.merge(r.template().name(), 1L, Long::sum);
      }
      boolean failure = false;
      boolean success = false;
      for (FilterMatch m : r.matches()) {
        if (m.kind() == FilterMatch.Kind.SUCCESS) {
          successHits[m.regex()]++;
          success = true;
        } else {
          failHits[m.regex()]++;
          failure = true;
        }
      }
      if (failure) {
        matchedCount++;
        if (keepMatched) {
          keep(matched, number, line);
        }
      } else if (success) {
        successCount++;
      } else if (ignored) {
        ignoredCount++;
        if (keepIgnored) {
          keep(ignoredLines, number, line);
        }
      } else if (keepMissed || missed.size() <= MISSED_SHOWN_BY_DEFAULT) {
        // a few misses are shown unasked; thousands only on request
        keep(missed, number, line);
      }
    }

    private static void keep(List<String[]> list, int number, String line) {
      if (list.size() < 100_000) {
        list.add(new String[] {String.valueOf(number), line});
      }
    }

    void print(
        PrintWriter out,
        double seconds,
        boolean allMissed,
        boolean allMatched,
        boolean allIgnored,
        boolean explain,
        DateContext context) {
      out.println("Filter:  " + filterDescription);
      out.println("Log:     " + logDescription);
      out.println();
      out.println("failregex hits:");
      List<String> sources = filter.failRegexSources();
      for (int i = 0; i < sources.size(); i++) {
        out.printf("  %2d) %8d  %s%n", i, failHits[i], sources.get(i));
      }
      if (successHits.length > 0) {
        out.println("successregex hits:");
        List<String> ss = filter.successRegexSources();
        for (int i = 0; i < ss.size(); i++) {
          out.printf("  %2d) %8d  %s%n", i, successHits[i], ss.get(i));
        }
      }
      if (!filter.ignoreRegexSources().isEmpty()) {
        out.println("ignoreregex:");
        for (String s : filter.ignoreRegexSources()) {
          out.println("      " + s);
        }
      }
      out.println("date templates used:");
      if (templateHits.isEmpty()) {
        out.println("      (none)");
      }
      templateHits.forEach((k, v) -> out.printf("      %8d  %s%n", v, k));
      out.println();
      long missedCount = lines - matchedCount - successCount - ignoredCount;
      out.printf(
          "Lines: %d read, %d matched, %d success, %d ignored, %d missed%n",
          lines, matchedCount, successCount, ignoredCount, missedCount);
      if (filter.budgetHits() > 0) {
        out.printf(
            "Warning: %d lines made a regex exceed its step budget and were counted as missed%n",
            filter.budgetHits());
      }
      out.printf(
          "[%d lines passed over without regex work; %.3f s, %.0f lines/s]%n",
          filter.skippedLines(), seconds, lines / Math.max(seconds, 1e-9));
      if (allMatched) {
        section(out, "Matched lines", matched, false, context);
      }
      if (allIgnored) {
        section(out, "Ignored lines", ignoredLines, false, context);
      }
      if (allMissed || (explain && !missed.isEmpty())) {
        section(out, "Missed lines", missed, explain, context);
      } else if (!missed.isEmpty()
          && missed.size() <= MISSED_SHOWN_BY_DEFAULT
          && missedCount == missed.size()
          && lines > missed.size()) {
        section(out, "Missed lines", missed, false, context);
      }
    }

    private void section(
        PrintWriter out, String title, List<String[]> list, boolean explain, DateContext context) {
      out.println();
      out.println(title + " (" + list.size() + "):");
      for (String[] l : list) {
        out.println("  " + l[0] + ": " + l[1]);
        if (explain) {
          for (String e : filter.explain(l[1], context)) {
            out.println("      " + e);
          }
        }
      }
    }
  }
}
