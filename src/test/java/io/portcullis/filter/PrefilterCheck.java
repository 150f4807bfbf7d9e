package io.portcullis.filter;

import io.portcullis.config.FilterReader;
import io.portcullis.date.DateContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares a filter with its prefilter against the same filter without one ({@code noSkip}) on
 * lines built from the filter's sample log, the words of its own regexes and noise: the block path
 * ({@link Filter#candidates}) and the line path must give, line for line, exactly the matches the
 * unfiltered filter gives.
 */
final class PrefilterCheck {
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_]{2,}");
  private static final String[] NOISE = {
    " ",
    "'",
    "\"",
    "[",
    "]",
    "{",
    "}",
    "\\u0041",
    ":",
    "-",
    "é",
    "ü",
    "\t",
    "/",
    "(",
    ")",
    "@",
    "192.0.2.7",
    "2001:db8::5",
    "198.51.100.23:5060",
    "<sip:100@203.0.113.9>",
    "2024-05-01 10:00:00"
  };

  final String name;
  final FilterSpec spec;
  final List<String> samples = new ArrayList<>();
  final List<String> pieces = new ArrayList<>();
  final DateContext context;

  PrefilterCheck(Path configDir, String name, Path log, ZoneId zone, Instant now)
      throws IOException {
    this.name = name;
    this.spec = FilterSpec.of(FilterReader.read(configDir, name, Map.of()), true);
    this.context = new DateContext(zone, now);
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        samples.add(line);
      }
    }
    Set<String> words = new LinkedHashSet<>();
    List<FilterSpec.Source> sources = new ArrayList<>(spec.failregex());
    sources.addAll(spec.successregex());
    if (spec.prefregex() != null) {
      sources.add(spec.prefregex());
    }
    for (FilterSpec.Source s : sources) {
      Matcher m = WORD.matcher(s.text());
      while (m.find()) {
        words.add(m.group());
      }
    }
    pieces.addAll(words);
  }

  /** A sample line, a noise line, or a sample line changed by a few random edits. */
  String line(Random rnd) {
    StringBuilder b =
        new StringBuilder(
            samples.isEmpty() || rnd.nextInt(10) == 0
                ? ""
                : samples.get(rnd.nextInt(samples.size())));
    int edits = rnd.nextInt(5);
    for (int i = 0; i < edits; i++) {
      int at = b.length() == 0 ? 0 : rnd.nextInt(b.length() + 1);
      switch (rnd.nextInt(5)) {
        case 0 -> b.insert(at, piece(rnd));
        case 1 -> b.insert(at, " " + piece(rnd) + " ");
        case 2 -> {
          int to = Math.min(b.length(), at + 1 + rnd.nextInt(12));
          b.delete(at, to);
        }
        case 3 -> {
          int to = Math.min(b.length(), at + 1 + rnd.nextInt(6));
          b.replace(at, to, piece(rnd));
        }
        default -> {
          // a word of another sample line at the same place
          String other = samples.isEmpty() ? "" : samples.get(rnd.nextInt(samples.size()));
          Matcher m = WORD.matcher(other);
          List<String> w = new ArrayList<>();
          while (m.find()) {
            w.add(m.group());
          }
          if (!w.isEmpty()) {
            b.insert(at, w.get(rnd.nextInt(w.size())));
          }
        }
      }
    }
    return b.toString().replace('\n', ' ').replace('\r', ' ');
  }

  private String piece(Random rnd) {
    if (pieces.isEmpty() || rnd.nextInt(3) == 0) {
      return NOISE[rnd.nextInt(NOISE.length)];
    }
    return pieces.get(rnd.nextInt(pieces.size()));
  }

  /**
   * Null when the prefiltered filter (block path and line path) gives exactly the matches of the
   * unfiltered one on every line; else what differed.
   */
  String compare(List<String> lines) throws IOException {
    Filter slow = Filter.builder(spec).noSkip(true).build();
    Filter byLine = Filter.builder(spec).build();
    Filter byBlock = Filter.builder(spec).build();
    List<String> expected = new ArrayList<>();
    List<String> lineResults = new ArrayList<>();
    for (String l : lines) {
      expected.add(slow.process(l, context).matches().toString());
      lineResults.add(byLine.process(l, context).matches().toString());
    }
    List<String> blockResults = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      blockResults.add(List.of().toString());
    }
    byte[] block = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    byBlock.candidates(
        block,
        0,
        block.length,
        (index, s, e) ->
            blockResults.set(
                index,
                byBlock
                    .process(new String(block, s, e - s, StandardCharsets.UTF_8), context)
                    .matches()
                    .toString()));
    for (int i = 0; i < lines.size(); i++) {
      if (!expected.get(i).equals(lineResults.get(i))
          || !expected.get(i).equals(blockResults.get(i))) {
        return String.format(
            "%s, line %d %s:%n  unfiltered %s%n  line path  %s%n  block path %s",
            name, i, lines.get(i), expected.get(i), lineResults.get(i), blockResults.get(i));
      }
    }
    return null;
  }

  /**
   * {@link #compare} for each line alone, each with new filters: what a line gives then does not
   * depend on what the date detector learnt from the lines before it (it orders its templates by
   * use, so a mangled line may be read with another template after other lines).
   */
  String compareEach(List<String> lines) throws IOException {
    for (String l : lines) {
      String d = compare(List.of(l));
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  /** How many of the lines the unfiltered filter matches (to show the lines are not all noise). */
  long matching(List<String> lines) {
    Filter slow = Filter.builder(spec).noSkip(true).build();
    return lines.stream().filter(l -> !slow.process(l, context).matches().isEmpty()).count();
  }
}
