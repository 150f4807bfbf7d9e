package io.portcullis.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.AsteriskLines;
import io.portcullis.testing.Await;
import io.portcullis.testing.ServerProcess;
import io.portcullis.testing.Shell;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in Debian's chromium (headless, driven through the DevTools protocol): a real
 * server process with a real log and nftables in a network namespace the test makes. A failure
 * burst shows as a ban within 2 s; the unban button asks for the token (a wrong one changes
 * nothing), and with the right one the address leaves the kernel set. Screenshots go to target/.
 */
class DashboardBrowserIT {
  private static final String ATTACKER = "203.0.113.66";
  private static final String TOKEN = "d2b7e1c0a9f84e3b6c5d4a3f2e1b0c9d";
  private static final Pattern HTTP_LINE =
      Pattern.compile("HTTP: API, dashboard and metrics on http://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path dir;

  private String netns;
  private double inKernel;

  private static String failure(String ip, String user) {
    return AsteriskLines.wrongPassword(user, "pbx", ip + ":5060") + "\n";
  }

  private String kernelSet() throws Exception {
    return Shell.sh("ip netns exec " + netns + " nft list set inet portcullis asterisk-v4");
  }

  private String serverLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void aBanAppearsWithin2s_andTheUnbanButtonWithTheToken_takesItOutOfTheKernel() throws Exception {
    netns = "pc-web-" + ProcessHandle.current().pid();
    Shell.sh("ip netns add " + netns);
    ServerProcess server = null;
    try {
      Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
      Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
      Path log = Files.createFile(dir.resolve("messages"));
      Path token = dir.resolve("api.token");
      Files.writeString(token, TOKEN + "\n");
      Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(
          dir.resolve("conf/portcullis.conf"),
          ServerProcess.settings(dir)
              + "netns = "
              + netns
              + "\n[http]\nlisten = 127.0.0.1:0\ntokenfile = "
              + token
              + "\n");
      Files.writeString(
          dir.resolve("conf/jail.conf"),
          "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
              + log
              + "\nmaxretry = 3\nbantime = 1h\nfindtime = 10m\nlogtimezone = UTC\n"
              + "ignoreself = false\naction = firewall[port=5060, protocol=udp, backend=nftables]\n");
      server =
          new ServerProcess(
              List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"));
      String base = startAndAwaitHttp(server);
      // some history before the page opens: a failure of somebody else, a phone's allow
      Files.writeString(log, failure("198.51.100.23", "200"), StandardOpenOption.APPEND);
      assertThat(server.cli("set", "asterisk", "addallow", "192.0.2.10")).contains("192.0.2.10");

      try (Chromium browser =
          Chromium.launch(dir.resolve("profile"), dir.resolve("chromium.log"))) {
        openLive(browser, base);

        // a failure burst
        String row = "#bans tr[data-ip='" + ATTACKER + "']";
        long t0 = System.nanoTime();
        Files.writeString(
            log,
            failure(ATTACKER, "100") + failure(ATTACKER, "101") + failure(ATTACKER, "102"),
            StandardOpenOption.APPEND);
        long deadline = t0 + Duration.ofSeconds(2).toNanos();
        while (!browser.eval("!!document.querySelector(\"" + row + "\")").asBoolean()) {
          assertThat(System.nanoTime())
              .as("the ban on the page within 2 s of the burst")
              .isLessThan(deadline);
          Thread.sleep(20);
        }
        long shown = System.nanoTime() - t0;
        System.out.printf(
            "DashboardBrowserIT: the ban was on the page %.0f ms after the burst was written%n",
            shown / 1e6);
        Await.until(
            "the ban in the kernel set",
            Duration.ofSeconds(10),
            Await.quietly(() -> kernelSet().contains(ATTACKER)));
        inKernel = (System.nanoTime() - t0) / 1e9;
        Await.until(
            "the charts and tiles",
            Duration.ofSeconds(10),
            Await.quietly(
                () ->
                    browser
                            .eval("document.querySelector('#t-bans').textContent")
                            .asText()
                            .equals("1")
                        && browser
                                .eval("document.querySelectorAll('#charts .chart').length")
                                .asInt()
                            == 1));
        browser.screenshot(Path.of("target/dashboard-ban.png"));

        // the address's evidence, from a click on it
        browser.click(row + " td.ip a");
        Await.until(
            "the why panel with the three lines",
            Duration.ofSeconds(10),
            Await.quietly(
                () -> browser.eval("document.querySelectorAll('#why .line').length").asInt() == 3));
        assertThat(browser.eval("document.querySelector('#why').textContent").asText())
            .contains("failed for '" + ATTACKER + ":5060' - Wrong password")
            .contains("matched by asterisk: ");
        browser.screenshot(Path.of("target/dashboard-why.png"));

        // unban: the page asks for the token; a wrong one is refused and changes nothing
        browser.click(row + " button[data-action='unban']");
        awaitDialog(browser, false);
        browser.type("not-the-token-at-all-0000");
        browser.click("#token-ok");
        awaitDialog(browser, true);
        assertThat(kernelSet()).contains(ATTACKER);
        assertThat(browser.eval("!!document.querySelector(\"" + row + "\")").asBoolean()).isTrue();
        browser.type(TOKEN);
        browser.enter();
        Await.until(
            "the row gone from the page",
            Duration.ofSeconds(10),
            Await.quietly(
                () -> !browser.eval("!!document.querySelector(\"" + row + "\")").asBoolean()));
        Await.until(
            "the address out of the kernel set",
            Duration.ofSeconds(10),
            Await.quietly(() -> !kernelSet().contains(ATTACKER)));
        assertThat(serverLog()).contains("[asterisk] Unban " + ATTACKER + " (by command)");
        Await.until(
            "the unban in the live feed",
            Duration.ofSeconds(10),
            Await.quietly(
                () ->
                    browser
                            .eval("document.querySelectorAll('#feed li[data-kind=unban]').length")
                            .asInt()
                        >= 1));
        browser.eval("document.querySelector('#why').hidden = true");
        browser.screenshot(Path.of("target/dashboard.png"));
        browser.viewport(390, 844, true);
        browser.eval("window.scrollTo(0, 0)");
        browser.screenshot(Path.of("target/dashboard-phone.png"));
      }

      // the time from the line to the kernel, in the metrics
      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      List<PrometheusText.Sample> samples = PrometheusText.parse(metrics);
      assertThat(
              PrometheusText.value(
                  samples, "portcullis_ban_latency_seconds_count", "jail", "asterisk"))
          .isEqualTo(1);
      double sum =
          PrometheusText.value(samples, "portcullis_ban_latency_seconds_sum", "jail", "asterisk");
      // measured inside the server: after the burst was written, before the test saw the set
      assertThat(sum).isGreaterThan(0).isLessThan(inKernel);
      // buckets only grow, and the last holds every observation
      double previous = 0;
      for (PrometheusText.Sample s : samples) {
        if (s.name().equals("portcullis_ban_latency_seconds_bucket")) {
          assertThat(s.value()).isGreaterThanOrEqualTo(previous);
          previous = s.value();
        }
      }
      assertThat(previous).isEqualTo(1);
      // every metric the Grafana dashboard asks for is there
      Matcher names =
          Pattern.compile("portcullis_[a-z_]+")
              .matcher(Files.readString(Path.of("docs/grafana-dashboard.json")));
      java.util.Set<String> present = new java.util.HashSet<>();
      samples.forEach(s -> present.add(s.name()));
      int asked = 0;
      while (names.find()) {
        assertThat(present).as("docs/grafana-dashboard.json asks for it").contains(names.group());
        asked++;
      }
      assertThat(asked).isGreaterThan(10);
      System.out.printf(
          "DashboardBrowserIT: ban latency from the line to the kernel %.1f ms%n", sum * 1000);
      server.stop();
    } finally {
      if (server != null) {
        server.close();
      }
      new ProcessBuilder("ip", "netns", "del", netns).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  // issue #15: the dashboard shows a ban's country (countrydb) and a network ban with the addresses
  // that earned it; app.js rendered both, and no test looked
  @Test
  void aNetworkBan_showsTheAddressesThatEarnedIt_andTheCountry() throws Exception {
    netns = "pc-web2-" + ProcessHandle.current().pid();
    Shell.sh("ip netns add " + netns);
    ServerProcess server = null;
    try {
      Path conf = Files.createDirectories(dir.resolve("conf/filter.d"));
      Files.copy(Path.of("config/filter.d/asterisk.conf"), conf.resolve("asterisk.conf"));
      Path log = Files.createFile(dir.resolve("messages"));
      Path mmdb =
          io.portcullis.geo.CountryDatabaseIT.write(dir.resolve("c.mmdb"), "198.51.100.0/24=CN");
      Files.writeString(
          dir.resolve("conf/portcullis.conf"),
          ServerProcess.settings(dir)
              + "countrydb = "
              + mmdb
              + "\nnetns = "
              + netns
              + "\n[http]\nlisten = 127.0.0.1:0\n");
      Files.writeString(
          dir.resolve("conf/jail.conf"),
          "[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = "
              + log
              + "\nmaxretry = 1\nbantime = 1h\nfindtime = 10m\nlogtimezone = UTC\n"
              + "netban4 = 24:5\nignoreself = false\n"
              + "action = firewall[port=5060, protocol=udp, backend=nftables]\n");
      server =
          new ServerProcess(
              List.of(), dir.resolve("conf"), dir.resolve("s.sock"), dir.resolve("server.out"));
      String base = startAndAwaitHttp(server);
      try (Chromium browser =
          Chromium.launch(dir.resolve("profile"), dir.resolve("chromium.log"))) {
        openLive(browser, base);
        StringBuilder burst = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
          burst.append(failure("198.51.100." + i, "10" + i));
        }
        Files.writeString(log, burst.toString(), StandardOpenOption.APPEND);
        String row = "#bans tr[data-ip='198.51.100.0/24']";
        Await.until(
            "the network's ban on the page",
            Duration.ofSeconds(15),
            Await.quietly(
                () -> browser.eval("!!document.querySelector(\"" + row + "\")").asBoolean()));
        // the live feed's row comes at once; the refresh it sets off brings the details
        String text = "document.querySelector(\"" + row + "\").textContent";
        Await.until(
            "the network's row saying which addresses earned it",
            Duration.ofSeconds(15),
            Await.quietly(() -> browser.eval(text).asText().contains("earned by 5: ")),
            () -> {
              try {
                return browser.eval(text).asText();
              } catch (Exception e) {
                return e.toString();
              }
            });
        assertThat(browser.eval(text).asText()).contains("198.51.100.1").contains("198.51.100.5");
        Await.until(
            "an address's row with its country",
            Duration.ofSeconds(15),
            Await.quietly(
                () ->
                    browser
                        .eval(
                            "document.querySelector(\"#bans tr[data-ip='198.51.100.3'] .country\")"
                                + ".textContent")
                        .asText()
                        .strip()
                        .equals("CN")));
        browser.screenshot(Path.of("target/dashboard-network.png"));
      }
      server.stop();
    } finally {
      if (server != null) {
        server.close();
      }
      new ProcessBuilder("ip", "netns", "del", netns).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Starts the server and returns the base URL its HTTP listener logged. */
  private String startAndAwaitHttp(ServerProcess server) throws Exception {
    server.start();
    Await.until(
        "the HTTP listener in the log",
        Duration.ofSeconds(30),
        () -> HTTP_LINE.matcher(serverLog()).find());
    Matcher m = HTTP_LINE.matcher(serverLog());
    assertThat(m.find()).isTrue();
    return "http://127.0.0.1:" + m.group(1);
  }

  /** Opens the dashboard and waits until its live feed is connected. */
  private static void openLive(Chromium browser, String base) throws Exception {
    browser.open(base + "/");
    Await.until(
        "the live feed connected",
        Duration.ofSeconds(15),
        Await.quietly(
            () ->
                browser
                    .eval("document.querySelector('#feed-status').dataset.state")
                    .asText()
                    .equals("live")));
  }

  /** Waits for the token dialog; {@code refused}: with the message that the token was refused. */
  private static void awaitDialog(Chromium browser, boolean refused) throws InterruptedException {
    Await.until(
        refused ? "the token dialog again, saying the token was refused" : "the token dialog",
        Duration.ofSeconds(10),
        Await.quietly(
            () ->
                browser.eval("document.querySelector('#token-dialog').open").asBoolean()
                    && browser.eval("document.querySelector('#token-error').hidden").asBoolean()
                        != refused));
  }
}
