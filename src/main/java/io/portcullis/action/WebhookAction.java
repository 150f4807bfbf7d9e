package io.portcullis.action;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.config.Durations;
import io.portcullis.jail.BanDecision;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code webhook[url=https://..., format=generic|slack, retries=3, timeout=5s]}: tells a URL about
 * each ban (and unban, with {@code unban=yes}) with a JSON POST. The generic body is {@code
 * {"event":"ban","jail","ip","failures","bantime","bancount","time","matches"}}; {@code slack}
 * sends {@code {"text": "..."}} (Slack and Mattermost incoming webhooks). Calls run on the action's
 * own thread with a timeout and a few retries, so a slow receiver never holds up a ban; restored
 * bans are not sent again.
 */
public final class WebhookAction implements Action {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The options of a webhook action, checked. */
  public record Settings(URI url, boolean slack, boolean unbans, int retries, Duration timeout) {
    /**
     * @throws IllegalArgumentException naming the option, the bad value and what would be valid
     */
    public static Settings parse(Map<String, String> options) {
      String u = options.get("url");
      if (u == null || !(u.startsWith("http://") || u.startsWith("https://"))) {
        throw new IllegalArgumentException("webhook needs url=http(s)://... (got " + u + ")");
      }
      URI url;
      try {
        url = URI.create(u);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("url: '" + u + "' is not a URL: " + e.getMessage());
      }
      String format = options.getOrDefault("format", "generic").strip().toLowerCase(Locale.ROOT);
      if (!format.equals("generic") && !format.equals("slack")) {
        throw new IllegalArgumentException(
            "format: '" + format + "' is not valid (try generic, slack)");
      }
      String unban = options.getOrDefault("unban", "no").strip().toLowerCase(Locale.ROOT);
      if (!List.of("yes", "true", "1", "no", "false", "0").contains(unban)) {
        throw new IllegalArgumentException("unban: '" + unban + "' is not yes or no");
      }
      int retries;
      try {
        retries = Integer.parseInt(options.getOrDefault("retries", "3").strip());
        if (retries < 0 || retries > 20) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "retries: '" + options.get("retries") + "' is not a whole number from 0 to 20");
      }
      Duration timeout;
      try {
        timeout = Durations.parse(options.getOrDefault("timeout", "5s"));
        if (timeout.isNegative() || timeout.isZero()) {
          throw new IllegalArgumentException("'" + options.get("timeout") + "' is not positive");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("timeout: " + e.getMessage());
      }
      return new Settings(
          url,
          format.equals("slack"),
          List.of("yes", "true", "1").contains(unban),
          retries,
          timeout);
    }
  }

  private final String jail;
  private final URI url;
  private final boolean slack;
  private final boolean unbans;
  private final int retries;
  private final Duration timeout;
  private final Consumer<String> log;
  private final HttpClient client;

  public WebhookAction(String jail, Map<String, String> options, Consumer<String> log) {
    this(jail, Settings.parse(options), log);
  }

  public WebhookAction(String jail, Settings settings, Consumer<String> log) {
    this.jail = jail;
    this.url = settings.url();
    this.slack = settings.slack();
    this.unbans = settings.unbans();
    this.retries = settings.retries();
    this.timeout = settings.timeout();
    this.log = log;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Tells somebody; keeps nobody out. */
  @Override
  public boolean keepsOut() {
    return false;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public void ban(BanDecision b) throws IOException, InterruptedException {
    post(body("ban", b));
  }

  @Override
  public void restore(BanDecision b) {
    // restored at start: the receiver heard of it when it happened
  }

  @Override
  public void restoreAll(List<BanDecision> bans) {
    // as restore
  }

  @Override
  public void unban(BanDecision b) throws IOException, InterruptedException {
    if (unbans) {
      post(body("unban", b));
    }
  }

  @Override
  public void alert(io.portcullis.jail.AccountAlert a) throws IOException, InterruptedException {
    post(body(a));
  }

  /** The generic body of an account under attack (event "account-under-attack"). */
  record AccountEvent(
      String event,
      String jail,
      String account,
      String service,
      int failures,
      int addresses,
      long findtime,
      long time,
      long until) {}

  String body(io.portcullis.jail.AccountAlert a) throws IOException {
    if (slack) {
      return JSON.writeValueAsString(
          new SlackText(
              String.format(
                  "[%s] account %s under attack: %d failures from %d address(es) in %s;"
                      + " until %s new addresses failing on it are banned at once",
                  jail,
                  a.account(),
                  a.failures(),
                  a.addresses(),
                  Durations.format(a.findtime()),
                  a.until())));
    }
    return JSON.writeValueAsString(
        new AccountEvent(
            "account-under-attack",
            jail,
            a.account().user(),
            a.account().service(),
            a.failures(),
            a.addresses(),
            a.findtime().getSeconds(),
            a.time().getEpochSecond(),
            a.until().getEpochSecond()));
  }

  /** The generic body: one ban or unban. */
  record Event(
      String event,
      String jail,
      String ip,
      int failures,
      long bantime,
      int bancount,
      long time,
      List<String> matches) {}

  /** Slack's and Mattermost's incoming webhook body. */
  record SlackText(String text) {}

  String body(String event, BanDecision b) throws IOException {
    if (slack) {
      String text =
          event.equals("ban")
              ? String.format(
                  "[%s] banned %s for %s after %d failures (ban #%d)",
                  jail, b.fid(), Durations.format(b.bantime()), b.failures(), b.count())
              : String.format("[%s] unbanned %s", jail, b.fid());
      return JSON.writeValueAsString(new SlackText(text));
    }
    return JSON.writeValueAsString(
        new Event(
            event,
            jail,
            b.fid(),
            b.failures(),
            b.bantime().isNegative() ? -1 : b.bantime().getSeconds(),
            b.count(),
            b.time().getEpochSecond(),
            b.matches()));
  }

  private void post(String body) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "portcullis")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    IOException last = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      try {
        HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 == 2) {
          return;
        }
        last = new IOException(url + " answered " + r.statusCode());
        if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
          break; // our request is wrong: retrying does not help
        }
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(Math.min(5_000, 200L << attempt));
    }
    throw last;
  }
}
