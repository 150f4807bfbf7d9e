package io.portcullis.action;

import io.portcullis.config.Durations;
import io.portcullis.jail.BanDecision;
import io.portcullis.process.ProcessRunner;
import io.portcullis.worker.Worker;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * {@code mail[dest=admin@example.org, sender=portcullis@example.org, smtp=localhost:25, batch=20,
 * batchtime=1m, whois=no, country=no, user=, password=, starttls=no]}: mails the admin about bans,
 * several bans to a mail (after {@code batch} bans or {@code batchtime}, whichever comes first) so
 * that a flood does not send ten thousand mails. The body is plain text: jail, address, failures,
 * ban time, the matched lines, and with {@code whois=yes} the output of the {@code whois} program
 * (untrusted text, shown as text). Bans restored at start are not mailed again.
 */
public final class MailAction implements Action {
  /** The options of a mail action, checked: each problem says what would be valid. */
  public record Settings(
      String dest,
      String sender,
      String smtpHost,
      int smtpPort,
      int batch,
      Duration batchtime,
      boolean whois,
      boolean country,
      String user,
      String password,
      boolean starttls) {

    /**
     * @throws IllegalArgumentException naming the option, the bad value and what would be valid
     */
    public static Settings parse(Map<String, String> o) {
      String dest = o.get("dest");
      if (dest == null || dest.isBlank()) {
        throw new IllegalArgumentException("mail needs dest=ADDRESS");
      }
      String[] smtp = o.getOrDefault("smtp", "localhost:25").split(":", 2);
      int port = smtp.length > 1 ? number("smtp", smtp[1], 1, 65_535) : 25;
      Duration batchtime;
      try {
        batchtime = Durations.parse(o.getOrDefault("batchtime", "1m"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("batchtime: " + e.getMessage());
      }
      return new Settings(
          dest,
          o.getOrDefault("sender", "portcullis@localhost"),
          smtp[0],
          port,
          number("batch", o.getOrDefault("batch", "20"), 1, 100_000),
          batchtime,
          yes("whois", o),
          yes("country", o),
          o.get("user"),
          o.getOrDefault("password", ""),
          yes("starttls", o));
    }

    private static int number(String option, String v, int min, int max) {
      try {
        int n = Integer.parseInt(v.strip());
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // falls through
      }
      throw new IllegalArgumentException(
          option + ": '" + v + "' is not a whole number from " + min + " to " + max);
    }

    private static boolean yes(String option, Map<String, String> o) {
      String v = o.getOrDefault(option, "no").strip().toLowerCase(java.util.Locale.ROOT);
      return switch (v) {
        case "yes", "true", "1" -> true;
        case "no", "false", "0" -> false;
        default -> throw new IllegalArgumentException(option + ": '" + v + "' is not yes or no");
      };
    }
  }

  private final String jail;
  private final Settings settings;
  private final java.util.function.Function<io.portcullis.net.IpAddress, String> countries;
  private final Consumer<String> log;
  private final Clock clock;
  private final List<BanDecision> pending = new ArrayList<>();
  private final Worker<Object> timer;
  private Instant firstPending;

  public MailAction(String jail, Map<String, String> options, Clock clock, Consumer<String> log) {
    this(jail, Settings.parse(options), clock, log);
  }

  public MailAction(String jail, Settings settings, Clock clock, Consumer<String> log) {
    this(jail, settings, clock, log, null);
  }

  /**
   * @param countries the country of an address from countrydb (the lookup {@code why} and {@code
   *     banned} use), or null when no database is configured: then {@code geoiplookup} is asked
   */
  public MailAction(
      String jail,
      Settings settings,
      Clock clock,
      Consumer<String> log,
      java.util.function.Function<io.portcullis.net.IpAddress, String> countries) {
    this.countries = countries;
    this.jail = jail;
    this.settings = settings;
    this.clock = clock;
    this.log = log;
    Duration every = Duration.ofMillis(Math.max(200, settings.batchtime().toMillis() / 4));
    this.timer =
        Worker.named("mail-" + jail)
            .every(() -> every, this::sendIfDue)
            .errors(m -> log.accept("[" + jail + "] mail: " + m))
            .start();
  }

  /** Tells somebody; keeps nobody out. */
  @Override
  public boolean keepsOut() {
    return false;
  }

  @Override
  public String name() {
    return "mail";
  }

  @Override
  public void ban(BanDecision b) {
    List<BanDecision> toSend = null;
    synchronized (this) {
      if (pending.isEmpty()) {
        firstPending = clock.instant();
      }
      pending.add(b);
      if (pending.size() >= settings.batch()) {
        toSend = take();
      }
    }
    if (toSend != null) {
      send(toSend);
    }
  }

  @Override
  public void restore(BanDecision b) {
    // norestored: the admin heard of it when it happened
  }

  @Override
  public void restoreAll(List<BanDecision> bans) {
    // as restore
  }

  @Override
  public void unban(BanDecision b) {
    // bans are news; unbans are not mailed
  }

  /** An account under attack is news at once: its own mail, not batched with bans. */
  @Override
  public void alert(io.portcullis.jail.AccountAlert a) {
    String text =
        "Portcullis: in jail "
            + jail
            + ", account "
            + a.account().toString().replaceAll("\\p{Cntrl}", "?")
            + " is under attack: "
            + a.failures()
            + " failures from "
            + a.addresses()
            + " address(es) within "
            + Durations.format(a.findtime())
            + " (last at "
            + a.time()
            + ").\nUntil "
            + a.until()
            + " at least, every address failing on it that is not trusted is banned at its"
            + " first failure.\n";
    sendText(
        "[Portcullis] " + jail + ": account under attack", text, "an account-under-attack alert");
  }

  @Override
  public void stop() {
    List<BanDecision> rest;
    synchronized (this) {
      rest = take();
    }
    if (!rest.isEmpty()) {
      send(rest);
    }
    try {
      timer.stop(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<BanDecision> take() {
    List<BanDecision> out = new ArrayList<>(pending);
    pending.clear();
    firstPending = null;
    return out;
  }

  private void sendIfDue() {
    List<BanDecision> toSend = null;
    synchronized (this) {
      if (firstPending != null
          && !clock.instant().isBefore(firstPending.plus(settings.batchtime()))) {
        toSend = take();
      }
    }
    if (toSend != null && !toSend.isEmpty()) {
      send(toSend);
    }
  }

  private void send(List<BanDecision> bans) {
    sendText(
        bans.size() == 1
            ? "[Portcullis] " + jail + ": banned " + bans.get(0).fid()
            : "[Portcullis] " + jail + ": " + bans.size() + " addresses banned",
        body(bans),
        bans.size() + " ban(s)");
  }

  private void sendText(String subject, String text, String what) {
    try {
      Properties p = new Properties();
      p.put("mail.smtp.host", settings.smtpHost());
      p.put("mail.smtp.port", Integer.toString(settings.smtpPort()));
      p.put("mail.smtp.connectiontimeout", "10000");
      p.put("mail.smtp.timeout", "10000");
      p.put("mail.smtp.starttls.enable", Boolean.toString(settings.starttls()));
      String user = settings.user();
      Authenticator auth = null;
      if (user != null && !user.isBlank()) {
        p.put("mail.smtp.auth", "true");
        String password = settings.password();
        auth =
            new Authenticator() {
              @Override
              protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(user, password);
              }
            };
      }
      MimeMessage m = new MimeMessage(Session.getInstance(p, auth));
      m.setFrom(new InternetAddress(settings.sender()));
      m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(settings.dest()));
      m.setSubject(subject, "UTF-8");
      m.setText(text, "UTF-8");
      Transport.send(m);
    } catch (MessagingException | RuntimeException e) {
      log.accept("[" + jail + "] mail about " + what + " could not be sent: " + e.getMessage());
    }
  }

  String body(List<BanDecision> bans) {
    StringBuilder b = new StringBuilder();
    b.append("Portcullis banned ")
        .append(bans.size())
        .append(" address(es) in jail ")
        .append(jail)
        .append(".\n");
    for (BanDecision d : bans) {
      b.append("\n")
          .append(d.fid())
          .append("  banned ")
          .append(d.time())
          .append(" for ")
          .append(Durations.format(d.bantime()));
      b.append(" after ")
          .append(d.failures())
          .append(" failures (ban #")
          .append(d.count())
          .append(")\n");
      if (!d.matches().isEmpty()) {
        b.append("  matched lines:\n");
        for (String line : d.matches()) {
          b.append("    ").append(line.replaceAll("\\p{Cntrl}", "?")).append('\n');
        }
      }
      if (settings.country() && d.ip() != null) {
        b.append("  country: ").append(country(d.ip())).append('\n');
      }
      if (settings.whois() && d.ip() != null) {
        b.append("  whois:\n").append(indent(whois(d.ip().toString())));
      }
    }
    return b.toString();
  }

  private static String whois(String ip) {
    try {
      ProcessRunner.Result r =
          new ProcessRunner(List.of(), Duration.ofSeconds(15)).run(List.of("whois", ip), null);
      return r.output();
    } catch (IOException e) {
      return "(whois unavailable: " + e.getMessage() + ")";
    }
  }

  /**
   * The country from countrydb when one is configured, else from Debian's geoiplookup (package
   * geoip-bin) when installed; untrusted text.
   */
  private String country(io.portcullis.net.IpAddress ip) {
    if (countries != null) {
      String code = countries.apply(ip);
      return code != null ? code : "unknown (not in countrydb)";
    }
    try {
      ProcessRunner.Result r =
          new ProcessRunner(List.of(), Duration.ofSeconds(5))
              .run(List.of(ip.isV4() ? "geoiplookup" : "geoiplookup6", ip.toString()), null);
      String out = r.output().lines().findFirst().orElse("");
      int colon = out.indexOf(':');
      return (r.ok() && colon >= 0 ? out.substring(colon + 1).strip() : "unknown")
          .replaceAll("\\p{Cntrl}", "?");
    } catch (IOException e) {
      return "unknown (geoiplookup is not installed: apt-get install geoip-bin)";
    }
  }

  private static String indent(String text) {
    StringBuilder out = new StringBuilder();
    text.lines()
        .limit(60)
        .forEach(l -> out.append("    ").append(l.replaceAll("\\p{Cntrl}", "?")).append('\n'));
    return out.toString();
  }
}
