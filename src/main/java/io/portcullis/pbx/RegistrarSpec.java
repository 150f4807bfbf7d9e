package io.portcullis.pbx;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a jail reads the phones registered on its SIP server, as the plan checked it from a line of
 * the jail's {@code registrations} option:
 *
 * <pre>
 * registrations = kamailio[fifo=/run/kamailio/kamailio_rpc.fifo, every=30s]
 *                 kamailio[udp=127.0.0.1:8090]
 *                 asterisk[host=127.0.0.1, port=5038, username=portcullis, secretfile=/etc/portcullis/ami.secret, rewritecontact=yes]
 * </pre>
 */
public sealed interface RegistrarSpec {
  Duration DEFAULT_EVERY = Duration.ofSeconds(30);
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** How often to ask. */
  Duration every();

  /** In a few words, for check, the start log and status. */
  String describe();

  /** A client for this spec; each call of {@link Registrar#read} asks the server once. */
  Registrar open(Clock clock);

  /**
   * Kamailio's {@code ul.dump} through the jsonrpcs module: its FIFO (the module's default; {@code
   * replydir} is its {@code fifo_reply_dir}, default /tmp) or its datagram socket on UDP.
   */
  record Kamailio(Path fifo, Path replyDir, InetSocketAddress udp, Duration timeout, Duration every)
      implements RegistrarSpec {
    @Override
    public String describe() {
      return "kamailio ul.dump over "
          + (fifo != null
              ? "fifo " + fifo
              : "udp "
                  + (udp.getHostString().contains(":")
                      ? "[" + udp.getHostString() + "]"
                      : udp.getHostString())
                  + ":"
                  + udp.getPort());
    }

    @Override
    public Registrar open(Clock clock) {
      return new KamailioRegistrar(this, clock);
    }
  }

  /**
   * Asterisk's manager interface: {@code PJSIPShowContacts} (whose contact URI is the source
   * address only when the endpoints have {@code rewrite_contact = yes}: {@code rewritecontact}) and
   * {@code SIPpeers} (chan_sip, whose address is the source only for peers with {@code
   * force_rport}).
   */
  record Asterisk(
      String host,
      int port,
      String username,
      String secret,
      Path secretFile,
      boolean rewriteContact,
      Duration timeout,
      Duration every)
      implements RegistrarSpec {
    @Override
    public String describe() {
      return "asterisk manager " + username + "@" + host + ":" + port;
    }

    @Override
    public Registrar open(Clock clock) {
      return new AsteriskRegistrar(this, clock);
    }

    @Override
    public String toString() {
      // never the secret
      return describe();
    }
  }

  /**
   * Checks one {@code registrations} line.
   *
   * @throws IllegalArgumentException naming the option, the bad value and what would be valid
   */
  static RegistrarSpec parse(String kind, Map<String, String> options) {
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "kamailio" -> kamailio(options);
      case "asterisk" -> asterisk(options);
      default ->
          throw new IllegalArgumentException(
              "'" + kind + "' is not a registrar (try kamailio[...], asterisk[...])");
    };
  }

  private static Kamailio kamailio(Map<String, String> o) {
    known(o, Set.of("fifo", "replydir", "udp", "timeout", "every"));
    String fifo = o.get("fifo");
    String udp = o.get("udp");
    if ((fifo == null) == (udp == null)) {
      throw new IllegalArgumentException(
          "kamailio needs fifo=PATH (jsonrpcs' fifo_name) or udp=HOST:PORT (its dgram_socket),"
              + " one of them");
    }
    InetSocketAddress address = null;
    if (udp != null) {
      int colon = udp.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("udp: '" + udp + "' is not HOST:PORT");
      }
      String host = udp.substring(0, colon).replace("[", "").replace("]", "");
      address = InetSocketAddress.createUnresolved(host, port("udp", udp.substring(colon + 1)));
    }
    Path fifoPath = fifo == null ? null : absolute("fifo", fifo);
    Path reply = absolute("replydir", o.getOrDefault("replydir", "/tmp"));
    return new Kamailio(
        fifoPath,
        reply,
        address,
        duration(o, "timeout", DEFAULT_TIMEOUT),
        duration(o, "every", DEFAULT_EVERY));
  }

  private static Asterisk asterisk(Map<String, String> o) {
    known(
        o,
        Set.of(
            "host",
            "port",
            "username",
            "secret",
            "secretfile",
            "rewritecontact",
            "timeout",
            "every"));
    String user = o.get("username");
    if (user == null || user.isBlank() || user.contains("\r") || user.contains("\n")) {
      throw new IllegalArgumentException("asterisk needs username=NAME (a manager.conf user)");
    }
    String secret = o.get("secret");
    String file = o.get("secretfile");
    if ((secret == null) == (file == null)) {
      throw new IllegalArgumentException(
          "asterisk needs secret=... or secretfile=PATH (a file readable by root only), one of"
              + " them");
    }
    if (secret != null && (secret.contains("\r") || secret.contains("\n"))) {
      throw new IllegalArgumentException("secret: a line break cannot be part of it");
    }
    String rewrite = o.getOrDefault("rewritecontact", "no").strip().toLowerCase(Locale.ROOT);
    if (!Set.of("yes", "no", "true", "false").contains(rewrite)) {
      throw new IllegalArgumentException(
          "rewritecontact: '"
              + rewrite
              + "' is not yes or no (yes: every PJSIP endpoint has"
              + " rewrite_contact = yes)");
    }
    return new Asterisk(
        o.getOrDefault("host", "127.0.0.1").strip(),
        port("port", o.getOrDefault("port", "5038")),
        user.strip(),
        secret,
        file == null ? null : absolute("secretfile", file),
        rewrite.equals("yes") || rewrite.equals("true"),
        duration(o, "timeout", DEFAULT_TIMEOUT),
        duration(o, "every", DEFAULT_EVERY));
  }

  private static void known(Map<String, String> o, Set<String> valid) {
    for (String k : o.keySet()) {
      if (!valid.contains(k)) {
        throw new IllegalArgumentException(
            "unknown option '"
                + k
                + "' (valid: "
                + String.join(", ", new java.util.TreeSet<>(valid))
                + ")");
      }
    }
  }

  private static int port(String option, String text) {
    try {
      int p = Integer.parseInt(text.strip());
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not a port (1 to 65535)");
    }
  }

  private static Path absolute(String option, String text) {
    Path p = Path.of(text.strip());
    if (!p.isAbsolute()) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not an absolute path");
    }
    return p;
  }

  private static Duration duration(Map<String, String> o, String option, Duration dflt) {
    String v = o.get(option);
    if (v == null) {
      return dflt;
    }
    try {
      Duration d = io.portcullis.config.Durations.parse(v.strip());
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("'" + v + "' is not positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage() + " (try 5s, 30s, 1m)");
    }
  }
}
