package io.portcullis.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.config.FilterReader;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterMatch;
import io.portcullis.filter.FilterSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs annotated sample logs through filters the way fail2ban's sample suite does: a {@code #
 * failJSON:} line says what the next line must produce (match, host, user(s), attempts, time in the
 * suite's zone), {@code filterOptions} switch filter options, {@code addFILE} adds a log and {@code
 * constraint} limits a check to some option sets. Every failregex needs a sample.
 */
public final class SampleSuite {
  private static final Pattern ANNOTATION =
      Pattern.compile("^#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)$");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> OPTIONS =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};

  private final ZoneId zone;
  private final Instant now;
  private final Map<String, Filter> filters = new LinkedHashMap<>();
  private final Map<String, Set<Integer>> regexesUsed = new LinkedHashMap<>();
  final List<String> failures = new ArrayList<>();
  final Map<String, int[]> perFilter = new TreeMap<>();
  private final Map<String, Integer> fieldsCompared = new TreeMap<>();

  public SampleSuite(ZoneId zone, Instant now) {
    this.zone = zone;
    this.now = now;
  }

  /** Runs one filter over its sample log {@code logs/NAME} (and the files it adds). */
  public void run(Path configDir, String name, Path logs) throws IOException {
    runFilter(configDir, name, logs);
  }

  /** Fails every filter run that has a failregex no sample line exercised. */
  public void requireSampleForEveryRegex() {
    // as in fail2ban's suite, a regex is covered when any option set of the filter exercised it
    Map<String, Set<String>> usedText = new LinkedHashMap<>();
    regexesUsed.forEach(
        (label, indexes) -> {
          List<String> sources = filters.get(label).failRegexSources();
          Set<String> texts =
              usedText.computeIfAbsent(baseName(label), k -> new java.util.HashSet<>());
          indexes.forEach(i -> texts.add(sources.get(i)));
        });
    filters.forEach(
        (label, f) -> {
          Set<String> used = usedText.getOrDefault(baseName(label), Set.of());
          for (int i = 0; i < f.failRegexCount(); i++) {
            if (!used.contains(f.failRegexSources().get(i))) {
              failures.add(
                  label + ": failregex[" + i + "] has no sample: " + f.failRegexSources().get(i));
            }
          }
        });
  }

  private static String baseName(String label) {
    int brace = label.indexOf('{');
    return brace < 0 ? label : label.substring(0, brace);
  }

  public int passed() {
    return perFilter.values().stream().mapToInt(c -> c[0]).sum();
  }

  public int total() {
    return perFilter.values().stream().mapToInt(c -> c[1]).sum();
  }

  public List<String> failures() {
    return failures;
  }

  /**
   * How many times each annotated field (host, user, users, attempts, time, ...) was compared with
   * what the filter found, over every line that matched as expected.
   */
  public Map<String, Integer> fieldsCompared() {
    return fieldsCompared;
  }

  /** One line per filter that is not fully passing. */
  public String table() {
    StringBuilder table = new StringBuilder();
    for (Map.Entry<String, int[]> e : perFilter.entrySet()) {
      if (e.getValue()[0] != e.getValue()[1]) {
        table.append(
            String.format("  %-28s %4d / %4d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
      }
    }
    return table.toString();
  }

  private void runFilter(Path configDir, String name, Path logs) throws IOException {
    List<String> files = new ArrayList<>(List.of(name));
    Map<String, Object> common = Map.of();
    List<FilterRun> current = null;
    for (int fi = 0; fi < files.size(); fi++) {
      Path log = logs.resolve(files.get(fi));
      if (!Files.isRegularFile(log)) {
        fail(name, files.get(fi), 0, "no sample log", "");
        continue;
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      boolean ignoreBlock = false;
      Iterator<String> it = lines.iterator();
      int lineNo = 0;
      while (it.hasNext()) {
        String line = it.next();
        lineNo++;
        JsonNode expected = null;
        Matcher m = ANNOTATION.matcher(line);
        if (m.matches()) {
          JsonNode data = JSON.readTree(m.group(2));
          switch (m.group(1)) {
            case "fileOptions" -> {
              common = JSON.convertValue(data, OPTIONS);
              continue;
            }
            case "filterOptions" -> {
              current = new ArrayList<>();
              ignoreBlock = false;
              List<JsonNode> sets = new ArrayList<>();
              if (data.isArray()) {
                data.forEach(sets::add);
              } else {
                sets.add(data);
              }
              for (JsonNode set : sets) {
                @SuppressWarnings("unchecked")
                Map<String, Object> opts = new LinkedHashMap<>(common);
                @SuppressWarnings("unchecked")
                Map<String, Object> own = JSON.convertValue(set, OPTIONS);
                opts.putAll(own);
                Object cond = opts.get("test.condition");
                if (cond != null) {
                  ignoreBlock = !Conditions.eval((String) cond, name, opts);
                }
                if (!ignoreBlock) {
                  current.add(filterRun(configDir, name, opts));
                }
              }
              continue;
            }
            case "addFILE" -> {
              files.add(data.asText());
              continue;
            }
            default -> {
              expected = data;
              if (!it.hasNext()) {
                continue;
              }
              line = it.next();
              lineNo++;
            }
          }
        } else if (ignoreBlock || line.startsWith("#") || line.isBlank()) {
          continue;
        } else {
          expected = JSON.createObjectNode();
        }
        if (ignoreBlock) {
          continue;
        }
        if (current == null) {
          current = new ArrayList<>(List.of(filterRun(configDir, name, Map.of())));
        }
        for (FilterRun run : current) {
          JsonNode constraint = expected.get("constraint");
          if (constraint != null && !Conditions.eval(constraint.asText(), name, run.opts)) {
            continue;
          }
          check(name, run, files.get(fi), lineNo, line, expected);
        }
      }
    }
  }

  private record FilterRun(String label, Filter filter, Map<String, Object> opts, String error) {}

  private FilterRun filterRun(Path configDir, String name, Map<String, Object> opts) {
    Map<String, String> filterOpts = new TreeMap<>();
    opts.forEach(
        (k, v) -> {
          if (!k.startsWith("test.")) {
            filterOpts.put(k, String.valueOf(v));
          }
        });
    String label = name + (filterOpts.isEmpty() ? "" : filterOpts.toString());
    Filter cached = filters.get(label);
    if (cached != null) {
      return new FilterRun(label, cached, opts, null);
    }
    try {
      FilterSpec spec = FilterSpec.of(FilterReader.read(configDir, name, filterOpts), true);
      Filter f = Filter.builder(spec).checkAllRegex(true).build();
      filters.put(label, f);
      return new FilterRun(label, f, opts, null);
    } catch (RuntimeException e) {
      return new FilterRun(label, null, opts, e.getMessage());
    }
  }

  private void check(
      String name, FilterRun run, String file, int lineNo, String line, JsonNode expected) {
    int[] counts = perFilter.computeIfAbsent(name, k -> new int[2]);
    counts[1]++;
    if (run.filter == null) {
      fail(run.label, file, lineNo, "filter does not load: " + run.error, line);
      return;
    }
    List<FilterMatch> found = new ArrayList<>();
    long[] hitsBefore = hits(run.filter);
    try {
      Filter.Result result;
      if ("journal".equals(run.opts.get("logtype"))) {
        Object prefix = run.opts.get("test.prefix-line");
        result = run.filter.process(prefix == null ? line : prefix + line, now);
      } else {
        result = run.filter.process(line, new DateContext(zone, now));
      }
      found.addAll(result.matches());
    } catch (RuntimeException e) {
      fail(run.label, file, lineNo, "error: " + e, line);
      return;
    }
    // as in fail2ban's suite, a regex is exercised by any line it matched, also by a line that
    // only informs a connection (F-NOFAIL) or waits for its address
    long[] hitsAfter = hits(run.filter);
    for (int i = 0; i < hitsAfter.length; i++) {
      if (hitsAfter[i] > hitsBefore[i]) {
        regexesUsed.computeIfAbsent(run.label, k -> new java.util.HashSet<>()).add(i);
      }
    }
    boolean shouldMatch = expected.path("match").asBoolean(false);
    if (!shouldMatch) {
      if (found.isEmpty()) {
        counts[0]++;
      } else {
        fail(run.label, file, lineNo, "matched but should not (" + found.get(0).fid() + ")", line);
      }
      return;
    }
    if (found.size() != 1) {
      fail(
          run.label,
          file,
          lineNo,
          found.isEmpty() ? "not matched" : "matched by " + found.size() + " regexes",
          line);
      return;
    }
    FilterMatch m = found.get(0);
    String problem = compare(m, expected);
    if (problem == null) {
      counts[0]++;
    } else {
      fail(run.label, file, lineNo, problem, line);
    }
  }

  private static long[] hits(Filter f) {
    long[] out = new long[f.failRegexCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.regexHits(FilterMatch.Kind.FAILURE, i);
    }
    return out;
  }

  private String compare(FilterMatch m, JsonNode expected) {
    boolean wantSuccess = expected.path("success").asBoolean(false);
    if (wantSuccess != (m.kind() == FilterMatch.Kind.SUCCESS)) {
      return "found a " + m.kind() + " but expected " + (wantSuccess ? "a success" : "a failure");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = expected.properties().iterator();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String k = f.getKey();
      JsonNode v = f.getValue();
      if (!List.of("time", "match", "desc", "constraint", "success").contains(k)) {
        fieldsCompared.merge(k, 1, Integer::sum);
      }
      switch (k) {
        case "time", "match", "desc", "constraint", "success" -> {}
        case "host" -> {
          // the suite reads hosts raw, as written in the log (fail2ban-regex's returnRawHost)
          String got = m.groups().containsKey("fid") || m.host() == null ? m.fid() : m.host();
          if (!v.asText().equals(got)) {
            return "host " + got + " != " + v.asText();
          }
        }
        case "attempts" -> {
          if (m.attempts() != v.asInt()) {
            return "attempts " + m.attempts() + " != " + v.asInt();
          }
        }
        case "users" -> {
          Set<String> want = new TreeSet<>();
          v.forEach(x -> want.add(x.asText()));
          if (!want.equals(new TreeSet<>(m.users()))) {
            return "users " + new TreeSet<>(m.users()) + " != " + want;
          }
        }
        default -> {
          String got = m.groups().get(k);
          if (v.isNull() ? got != null : !v.asText().equals(got)) {
            return k + " " + got + " != " + v.asText();
          }
        }
      }
    }
    JsonNode t = expected.get("time");
    if (t != null && !t.isNull()) {
      fieldsCompared.merge("time", 1, Integer::sum);
      Instant want = parseLocal(t.asText());
      if (m.time() == null || !want.equals(m.time())) {
        return "time " + m.time() + " != " + want + " (" + t.asText() + " local)";
      }
    }
    return null;
  }

  private static final Pattern LOCAL_TIME =
      Pattern.compile("(\\d+)-(\\d+)-(\\d+)T(\\d+):(\\d+):(\\d+)(?:\\.(\\d{1,6}))?");

  /** Reads an annotation's local time as Python's strptime does (one-digit fields allowed). */
  Instant parseLocal(String text) {
    Matcher m = LOCAL_TIME.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad annotation time: " + text);
    }
    int[] f = new int[6];
    for (int i = 0; i < 6; i++) {
      f[i] = Integer.parseInt(m.group(i + 1));
    }
    int micros = m.group(7) == null ? 0 : Integer.parseInt((m.group(7) + "00000").substring(0, 6));
    return LocalDateTime.of(f[0], f[1], f[2], f[3], f[4], f[5], micros * 1000)
        .atZone(zone)
        .toInstant();
  }

  private void fail(String label, String file, int lineNo, String problem, String line) {
    failures.add(label + " " + file + ":" + lineNo + ": " + problem + "\n        " + line);
  }
}
