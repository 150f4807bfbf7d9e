package io.portcullis.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The metrics text read by the official Prometheus client's own parser (Python's {@code
 * prometheus_client}, Debian's python3-prometheus-client): a line it cannot read fails the test.
 */
final class PrometheusText {
  /** One sample as the parser read it. */
  record Sample(
      String family, String type, String name, Map<String, String> labels, double value) {}

  private static final String SCRIPT =
      "import sys, json\n"
          + "from prometheus_client.parser import text_string_to_metric_families\n"
          + "out = []\n"
          + "for f in text_string_to_metric_families(sys.stdin.read()):\n"
          + "    for s in f.samples:\n"
          + "        out.append({'family': f.name, 'type': f.type, 'name': s.name,"
          + " 'labels': s.labels, 'value': s.value})\n"
          + "print(json.dumps(out))\n";

  private PrometheusText() {}

  static List<Sample> parse(String text) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("/usr/bin/python3", "-c", SCRIPT).redirectErrorStream(true).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("the parser did not finish");
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("prometheus_client could not parse the metrics:\n" + out);
    }
    List<Sample> samples = new ArrayList<>();
    for (JsonNode s : new ObjectMapper().readTree(out)) {
      Map<String, String> labels = new java.util.TreeMap<>();
      s.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      samples.add(
          new Sample(
              s.get("family").asText(),
              s.get("type").asText(),
              s.get("name").asText(),
              labels,
              s.get("value").asDouble()));
    }
    return samples;
  }

  /** The value of the sample with this name and exactly these labels, or NaN. */
  static double value(List<Sample> samples, String name, String... labels) {
    Map<String, String> want = new java.util.TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().equals(want))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElse(Double.NaN);
  }
}
