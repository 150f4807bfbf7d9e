package io.portcullis.action;

import io.portcullis.config.Durations;
import io.portcullis.jail.BanDecision;
import io.portcullis.process.ProcessRunner;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
  private final String jail;
  private final Map<String, String> options;
  private final int batch;
  private final Duration batchtime;
  private final boolean whois;
  private final boolean country;
  private final Consumer<String> log;
  private final Clock clock;
  private final List<BanDecision> pending = new ArrayList<>();
  private final ScheduledExecutorService timer;
  private Instant firstPending;

  public MailAction(String jail, Map<String, String> options, Clock clock, Consumer<String> log) {
    this.jail = jail;
    this.options = Map.copyOf(options);
    if (!options.containsKey("dest")) {
      throw new IllegalArgumentException("mail needs dest=ADDRESS");
    }
    this.batch = Integer.parseInt(options.getOrDefault("batch", "20"));
    this.batchtime = Durations.parse(options.getOrDefault("batchtime", "1m"));
    this.whois = List.of("yes", "true", "1").contains(options.getOrDefault("whois", "no"));
    this.country = List.of("yes", "true", "1").contains(options.getOrDefault("country", "no"));
    this.clock = clock;
    this.log = log;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mail-" + jail);
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(200, batchtime.toMillis() / 4);
    timer.scheduleWithFixedDelay(this::sendIfDue, every, every, TimeUnit.MILLISECONDS);
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
      if (pending.size() >= batch) {
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

  @Override
  public void stop() {
    List<BanDecision> rest;
    synchronized (this) {
      rest = take();
    }
    if (!rest.isEmpty()) {
      send(rest);
    }
    timer.shutdownNow();
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
      if (firstPending != null && !clock.instant().isBefore(firstPending.plus(batchtime))) {
        toSend = take();
      }
    }
    if (toSend != null && !toSend.isEmpty()) {
      send(toSend);
    }
  }

  private void send(List<BanDecision> bans) {
    try {
      Properties p = new Properties();
      String[] smtp = options.getOrDefault("smtp", "localhost:25").split(":");
      p.put("mail.smtp.host", smtp[0]);
      p.put("mail.smtp.port", smtp.length > 1 ? smtp[1] : "25");
      p.put("mail.smtp.connectiontimeout", "10000");
      p.put("mail.smtp.timeout", "10000");
      p.put(
          "mail.smtp.starttls.enable",
          options.getOrDefault("starttls", "no").equals("yes") ? "true" : "false");
      String user = options.get("user");
      Authenticator auth = null;
      if (user != null && !user.isBlank()) {
        p.put("mail.smtp.auth", "true");
        String password = options.getOrDefault("password", "");
        auth =
            new Authenticator() {
              @Override
              protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(user, password);
              }
            };
      }
      MimeMessage m = new MimeMessage(Session.getInstance(p, auth));
      m.setFrom(new InternetAddress(options.getOrDefault("sender", "portcullis@localhost")));
      m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(options.get("dest")));
      m.setSubject(
          bans.size() == 1
              ? "[Portcullis] " + jail + ": banned " + bans.get(0).fid()
              : "[Portcullis] " + jail + ": " + bans.size() + " addresses banned",
          "UTF-8");
      m.setText(body(bans), "UTF-8");
      Transport.send(m);
    } catch (MessagingException | RuntimeException e) {
      log.accept(
          "["
              + jail
              + "] mail about "
              + bans.size()
              + " ban(s) could not be sent: "
              + e.getMessage());
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
      if (country && d.ip() != null) {
        b.append("  country: ").append(country(d.ip())).append('\n');
      }
      if (whois && d.ip() != null) {
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

  /** The country from Debian's geoiplookup (package geoip-bin) when installed; untrusted text. */
  private static String country(io.portcullis.net.IpAddress ip) {
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
