package io.portcullis.detection;

import io.portcullis.config.FilterReader;
import io.portcullis.date.DateContext;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A filter of the shipped config/filter.d, run on generated lines as the server runs it: dates
 * found in the line (zone {@link #ZONE}, reference time {@link #NOW}), or a journal entry's own
 * time.
 */
public final class ShippedFilter {
  public static final Path CONFIG = Path.of("config");
  public static final ZoneId ZONE = ZoneId.of("Europe/Zurich");
  public static final Instant NOW = Instant.parse("2024-06-01T00:00:00Z");

  private final FilterSpec spec;
  private Filter filter;

  private ShippedFilter(FilterSpec spec) {
    this.spec = spec;
    this.filter = Filter.builder(spec).build();
  }

  /** {@code config/filter.d/NAME.conf} with its default options. */
  public static ShippedFilter load(String name) {
    return load(name, Map.of());
  }

  /** {@code config/filter.d/NAME.conf} with options, as in {@code filter = NAME[k=v]}. */
  public static ShippedFilter load(String name, Map<String, String> options) {
    return of(FilterSpec.of(FilterReader.read(CONFIG, name, options), false));
  }

  /** A filter given as a spec (for testing the harness itself). */
  public static ShippedFilter of(FilterSpec spec) {
    return new ShippedFilter(spec);
  }

  public String name() {
    return spec.name();
  }

  /**
   * Reads lines of a log file, in order, each with the date found in it. A multi-line filter starts
   * from a fresh state for each call, so one case never sees another's lines.
   */
  public Verdict read(List<String> lines) {
    if (spec.maxlines() > 1) {
      filter = Filter.builder(spec).build();
    }
    DateContext context = new DateContext(ZONE, NOW);
    List<io.portcullis.filter.FilterMatch> found = new ArrayList<>();
    for (String line : lines) {
      found.addAll(filter.process(line, context).matches());
    }
    return new Verdict(lines, found);
  }

  /** Reads one log line. */
  public Verdict read(String line) {
    return read(List.of(line));
  }

  /** Reads a journal entry (the line fail2ban's journal backend makes of it) with its own time. */
  public Verdict readJournal(String line, Instant time) {
    if (spec.maxlines() > 1) {
      filter = Filter.builder(spec).build();
    }
    return new Verdict(List.of(line), filter.process(line, time).matches());
  }
}
