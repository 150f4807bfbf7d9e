package io.portcullis.web;

import io.portcullis.control.JailControl;
import io.portcullis.control.Replies;
import io.portcullis.control.ServerControl;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code GET /metrics} with the official Prometheus client: the jails' counters (read on each
 * scrape, one snapshot per jail, without waiting for the jails' threads) and the histogram of the
 * time from reading the line that crossed maxretry to the kernel accepting the ban. Counters start
 * again at a reload, as after a restart.
 */
final class Metrics implements AutoCloseable {
  /** Seconds: a ban normally reaches the kernel in a few milliseconds. */
  private static final double[] LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Histogram latency;
  private final AutoCloseable subscription;

  Metrics(ServerControl server, LongSupplier feedDropped) {
    latency =
        Histogram.builder()
            .name("portcullis_ban_latency_seconds")
            .help(
                "Time from reading the log line that crossed maxretry to the kernel accepting the"
                    + " ban")
            .unit(Unit.SECONDS)
            .labelNames("jail")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .withoutExemplars()
            .register(registry);
    registry.register(new Counters(server, feedDropped));
    subscription =
        server.subscribe(
            e -> {
              if (e.kind() == Replies.EventKind.BLOCKED && e.latency() != null) {
                latency.labelValues(e.jail()).observe(e.latency());
              }
            });
  }

  String contentType() {
    return writer.getContentType();
  }

  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    writer.write(out, registry.scrape());
    return out.toByteArray();
  }

  @Override
  public void close() throws Exception {
    subscription.close();
  }

  /** Every counter and gauge from one reading of the server's counters. */
  private static final class Counters implements MultiCollector {
    private final ServerControl server;
    private final LongSupplier feedDropped;

    Counters(ServerControl server, LongSupplier feedDropped) {
      this.server = server;
      this.feedDropped = feedDropped;
    }

    @Override
    public MetricSnapshots collect() {
      Map<String, Replies.JailCounters> jails = new LinkedHashMap<>();
      for (JailControl j : server.jails()) {
        jails.put(j.name(), j.counters());
      }
      List<MetricSnapshot> out = new ArrayList<>();
      out.add(perJail("portcullis_lines", "Log lines read", jails, Replies.JailCounters::lines));
      out.add(
          perJail(
              "portcullis_failures",
              "Failures counted (lines a failregex matched, from addresses not ignored)",
              jails,
              Replies.JailCounters::failures));
      out.add(perJail("portcullis_bans", "Bans put in force", jails, Replies.JailCounters::bans));
      out.add(
          perJail(
              "portcullis_unbans",
              "Bans lifted (ended or by command)",
              jails,
              Replies.JailCounters::unbans));
      out.add(
          perJail(
              "portcullis_regex_budget_hits",
              "Lines whose regex search ran out of its step budget (treated as not matching)",
              jails,
              Replies.JailCounters::regexBudgetHits));
      GaugeSnapshot.Builder banned =
          GaugeSnapshot.builder().name("portcullis_banned").help("Addresses banned now, by family");
      GaugeSnapshot.Builder allowed =
          GaugeSnapshot.builder()
              .name("portcullis_allowed")
              .help("Addresses allowed now after a successful login (or by command)");
      CounterSnapshot.Builder actionErrors =
          CounterSnapshot.builder()
              .name("portcullis_action_errors")
              .help("Failed action calls (each attempt counts)");
      jails.forEach(
          (name, c) -> {
            banned.dataPoint(gauge(c.bannedV4(), "jail", name, "family", "ipv4"));
            banned.dataPoint(gauge(c.bannedV6(), "jail", name, "family", "ipv6"));
            allowed.dataPoint(gauge(c.allowed(), "jail", name));
            c.actionErrors()
                .forEach(
                    (action, n) ->
                        actionErrors.dataPoint(counter(n, "jail", name, "action", action)));
          });
      out.add(banned.build());
      out.add(allowed.build());
      out.add(actionErrors.build());
      GaugeSnapshot.Builder limitedNow =
          GaugeSnapshot.builder()
              .name("portcullis_ratelimited_now")
              .help("Sources (IPv4 addresses, IPv6 /64) over the jail's rate limit now");
      CounterSnapshot.Builder limited =
          CounterSnapshot.builder()
              .name("portcullis_ratelimited")
              .help("Distinct sources seen over the jail's rate limit since start");
      jails.forEach(
          (name, c) -> {
            if (c.ratelimited() != null) {
              limitedNow.dataPoint(gauge(c.ratelimited().now().size(), "jail", name));
              limited.dataPoint(counter(c.ratelimited().total(), "jail", name));
            }
          });
      if (jails.values().stream().anyMatch(c -> c.ratelimited() != null)) {
        out.add(limitedNow.build());
        out.add(limited.build());
      }
      out.add(
          CounterSnapshot.builder()
              .name("portcullis_firewall_repairs")
              .help("Times the kernel differed from the bans in force and was repaired")
              .dataPoint(counter(server.firewallRepairs()))
              .build());
      List<Replies.FeedStatus> feeds = server.status().feeds();
      if (!feeds.isEmpty()) {
        GaugeSnapshot.Builder entries =
            GaugeSnapshot.builder()
                .name("portcullis_blocklist_entries")
                .help("Blocklist feed entries in force in the kernel (not counted in banned)");
        CounterSnapshot.Builder fetches =
            CounterSnapshot.builder()
                .name("portcullis_blocklist_fetches")
                .help("Blocklist fetches, by result (ok, not_modified, failed)");
        for (Replies.FeedStatus f : feeds) {
          entries.dataPoint(gauge(f.entries(), "feed", f.name(), "jail", f.jail()));
          fetches.dataPoint(
              counter(
                  f.fetches() - f.failures() - f.notModified(), "feed", f.name(), "result", "ok"));
          fetches.dataPoint(counter(f.notModified(), "feed", f.name(), "result", "not_modified"));
          fetches.dataPoint(counter(f.failures(), "feed", f.name(), "result", "failed"));
        }
        out.add(entries.build());
        out.add(fetches.build());
      }
      out.add(
          CounterSnapshot.builder()
              .name("portcullis_http_feed_dropped")
              .help("Live-feed events not sent to a client that read too slowly")
              .dataPoint(counter(feedDropped.getAsLong()))
              .build());
      return new MetricSnapshots(out);
    }

    private static CounterSnapshot perJail(
        String name,
        String help,
        Map<String, Replies.JailCounters> jails,
        java.util.function.ToLongFunction<Replies.JailCounters> value) {
      CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
      jails.forEach((jail, c) -> b.dataPoint(counter(value.applyAsLong(c), "jail", jail)));
      return b.build();
    }

    private static CounterSnapshot.CounterDataPointSnapshot counter(double v, String... labels) {
      return CounterSnapshot.CounterDataPointSnapshot.builder()
          .value(v)
          .labels(Labels.of(labels))
          .build();
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(double v, String... labels) {
      return GaugeSnapshot.GaugeDataPointSnapshot.builder()
          .value(v)
          .labels(Labels.of(labels))
          .build();
    }
  }
}
