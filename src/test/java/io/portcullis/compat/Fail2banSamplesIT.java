package io.portcullis.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs every annotated line of fail2ban's sample-log suite (Debian's fail2ban package, unpacked at
 * test time by scripts/fetch-reference.sh) through our engine with fail2ban's own filter.d files,
 * in the suite's zone (CET/CEST) and reference time, and prints the pass count. Every field an
 * annotation states is compared (host, user, the users of a multi-line failure, attempts, time,
 * ip4/ip6/dns), and, as in fail2ban's own suite, every failregex needs a sample line.
 */
class Fail2banSamplesIT {
  @Test
  void everyAnnotatedSampleLine_matchesAsFail2banExpects() throws IOException {
    Path ref = Path.of(System.getProperty("portcullis.reference.dir", "target/reference"));
    Path tests = ref.resolve("usr/lib/python3/dist-packages/fail2ban/tests");
    Path logs = tests.resolve("files/logs");
    assertThat(logs).as("fail2ban sample logs (scripts/fetch-reference.sh)").isDirectory();
    SampleSuite suite =
        new SampleSuite(ZoneId.of("Europe/Zurich"), Instant.ofEpochSecond(1124013600L));
    for (String name : filterNames(ref.resolve("etc/fail2ban/filter.d"), "")) {
      suite.run(ref.resolve("etc/fail2ban"), name, logs);
    }
    for (String name : filterNames(tests.resolve("config/filter.d"), "zzz-")) {
      suite.run(tests.resolve("config"), name, logs);
    }
    suite.requireSampleForEveryRegex();
    String summary =
        String.format(
            "fail2ban sample suite: %d of %d annotated line checks pass (%d filters)%n"
                + "  fields compared: %s%n%s",
            suite.passed(),
            suite.total(),
            suite.perFilter.size(),
            suite.fieldsCompared(),
            suite.table());
    System.out.println(summary);
    suite.failures().forEach(f -> System.out.println("  FAIL " + f));
    Files.createDirectories(Path.of("target"));
    Files.writeString(
        Path.of("target/fail2ban-compat.txt"),
        summary + String.join("\n", suite.failures()) + "\n",
        StandardCharsets.UTF_8);
    assertThat(suite.total()).as("annotated checks found").isGreaterThan(1000);
    assertThat(suite.failures()).as("sample lines that do not match as fail2ban expects").isEmpty();
  }

  private static List<String> filterNames(Path dir, String prefix) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix) && n.endsWith(".conf") && !n.endsWith("common.conf"))
          .sorted()
          .forEach(n -> names.add(n.substring(0, n.length() - ".conf".length())));
    }
    return names;
  }
}
