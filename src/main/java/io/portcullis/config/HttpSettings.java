package io.portcullis.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code [http]} section of {@code portcullis.conf}: where the HTTP API, the dashboard and the
 * metrics listen, and the file holding the API's token. Off unless {@code listen} is written; only
 * the addresses written are bound (IP literals, never a name that could resolve elsewhere).
 *
 * <pre>
 * [http]
 * listen = 127.0.0.1:9180 [::1]:9180
 * tokenfile = /etc/portcullis/api.token
 * </pre>
 *
 * @param listen addresses to bind, in the order written; empty: no HTTP at all
 * @param tokenfile the file holding the bearer token writes need; null: the API is read-only
 */
public record HttpSettings(List<Listen> listen, Path tokenfile, Origin origin) {
  /** The default token file (root-readable only). */
  public static final Path DEFAULT_TOKENFILE = Path.of("/etc/portcullis/api.token");

  /** No HTTP. */
  public static final HttpSettings OFF = new HttpSettings(List.of(), null, Origin.NONE);

  private static final Pattern ADDRESS =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|(\\d{1,3}(?:\\.\\d{1,3}){3})):(\\d{1,5})");

  /**
   * One address to listen on.
   *
   * @param port 0: any free port (the server logs which)
   */
  public record Listen(InetAddress address, int port) {
    public Listen {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }

    public InetSocketAddress socketAddress() {
      return new InetSocketAddress(address, port);
    }

    /** Whether only this machine can reach it (127.0.0.0/8, ::1). */
    public boolean loopback() {
      return address.isLoopbackAddress();
    }

    @Override
    public String toString() {
      String host = address.getHostAddress();
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  public HttpSettings {
    listen = List.copyOf(listen);
  }

  public boolean enabled() {
    return !listen.isEmpty();
  }

  /**
   * Reads {@code [http]} of a config dir's {@code portcullis.conf} (its .local and .d files
   * included); {@link #OFF} when there is no such section or no {@code listen}.
   *
   * @throws ConfigException every problem, with file:line
   */
  public static HttpSettings read(Path configDir) {
    if (!Files.isRegularFile(configDir.resolve("portcullis.conf"))
        && !Files.isRegularFile(configDir.resolve("portcullis.local"))) {
      return OFF;
    }
    IniConfig ini = IniConfig.load(configDir, "portcullis");
    if (!ini.hasSection("http")) {
      return OFF;
    }
    String listen = ini.get("http", "listen").map(String::strip).orElse("");
    if (listen.isEmpty()) {
      return OFF;
    }
    Origin where = ini.origin("http", "listen");
    List<ConfigException> problems = new ArrayList<>();
    List<Listen> out = new ArrayList<>();
    for (String word : listen.split("[\\s,]+")) {
      try {
        Listen l = listen(word);
        if (out.contains(l)) {
          throw new IllegalArgumentException("'" + word + "' is written twice");
        }
        out.add(l);
      } catch (IllegalArgumentException e) {
        problems.add(new ConfigException(where, "listen: " + e.getMessage()));
      }
    }
    Path token = DEFAULT_TOKENFILE;
    String tokenfile = ini.get("http", "tokenfile").map(String::strip).orElse(null);
    if (tokenfile != null) {
      if (tokenfile.isEmpty() || !Path.of(tokenfile).isAbsolute()) {
        problems.add(
            new ConfigException(
                ini.origin("http", "tokenfile"),
                "tokenfile: '"
                    + tokenfile
                    + "' is not an absolute path (try /etc/portcullis/api.token)"));
      } else {
        token = Path.of(tokenfile);
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigException.of(problems);
    }
    return new HttpSettings(out, token, where);
  }

  private static Listen listen(String word) {
    Matcher m = ADDRESS.matcher(word);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + word
              + "' is not ADDRESS:PORT with an IP address (try 127.0.0.1:9180, [::1]:9180,"
              + " 0.0.0.0:9180 to listen on every address)");
    }
    String host = m.group(1) != null ? m.group(1) : m.group(2);
    InetAddress address;
    try {
      if (m.group(2) != null) {
        for (String part : host.split("\\.")) {
          if (Integer.parseInt(part) > 255) {
            throw new UnknownHostException();
          }
        }
      }
      // a literal: InetAddress does not look it up
      address = InetAddress.getByName(m.group(1) != null ? "[" + host + "]" : host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + host + "' in '" + word + "' is not an IP address");
    }
    int port = Integer.parseInt(m.group(3));
    if (port > 65_535) {
      throw new IllegalArgumentException(
          "port " + port + " in '" + word + "' is out of range (0 to 65535; 0: any free port)");
    }
    return new Listen(address, port);
  }
}
