package io.portcullis.feed;

import io.portcullis.config.ConfigException;
import io.portcullis.config.Durations;
import io.portcullis.config.IniConfig;
import io.portcullis.config.Origin;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One {@code [feed-NAME]} section of {@code portcullis.conf}: a blocklist whose entries go into a
 * jail's firewall sets.
 *
 * <pre>
 * [feed-apiban]
 * url = https://apiban.org/api/KEY/banned
 * format = apiban
 * jail = asterisk
 * interval = 1h
 * bantime = 3h
 * maxentries = 100000
 * </pre>
 *
 * @param url http or https; null when {@code file} is given
 * @param file a local file; null when {@code url} is given
 * @param interval how often it is fetched
 * @param bantime the kernel timeout of its entries, renewed by each good fetch; longer than
 *     interval, so that a failed fetch or two keep the entries in force
 * @param timeout the deadline of one download (all its pages)
 */
public record FeedSettings(
    String name,
    URI url,
    Path file,
    FeedFormat format,
    Duration interval,
    String jail,
    Duration bantime,
    int maxentries,
    Duration timeout,
    Origin origin) {
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final String PREFIX = "feed-";
  static final Set<String> KNOWN =
      Set.of(
          "url",
          "file",
          "format",
          "column",
          "delimiter",
          "header",
          "path",
          "interval",
          "jail",
          "bantime",
          "maxentries",
          "timeout");

  public FeedSettings {
    if ((url == null) == (file == null)) {
      throw new IllegalArgumentException("a feed needs a url or a file, not both");
    }
    if (bantime.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("bantime must be longer than interval");
    }
  }

  /** Where the feed comes from, for status and the log (a URL's user info and query hidden). */
  public String source() {
    if (file != null) {
      return file.toString();
    }
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + "/...";
  }

  /**
   * Reads every {@code [feed-NAME]} section of a config dir's {@code portcullis.conf} (its .local
   * and .d files included).
   *
   * @throws ConfigException every problem, with file:line
   */
  public static List<FeedSettings> read(Path configDir) {
    if (!Files.isRegularFile(configDir.resolve("portcullis.conf"))
        && !Files.isRegularFile(configDir.resolve("portcullis.local"))) {
      return List.of();
    }
    IniConfig ini = IniConfig.load(configDir, "portcullis");
    List<FeedSettings> out = new ArrayList<>();
    List<ConfigException> problems = new ArrayList<>();
    for (String section : ini.sectionNames()) {
      if (section.startsWith(PREFIX)) {
        FeedSettings f = section(ini, section, problems);
        if (f != null) {
          out.add(f);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigException.of(problems);
    }
    return List.copyOf(out);
  }

  private static FeedSettings section(IniConfig ini, String section, List<ConfigException> p) {
    int before = p.size();
    String name = section.substring(PREFIX.length());
    if (!NAME.matcher(name).matches()) {
      p.add(
          new ConfigException(
              ini.origin(section, "jail"),
              "["
                  + section
                  + "]: '"
                  + name
                  + "' is not a feed name (letters, digits, '.', '_', '-', up to 64)"));
    }
    for (String option : ini.options(section, false)) {
      if (!KNOWN.contains(option)) {
        p.add(
            new ConfigException(
                ini.origin(section, option),
                "unknown option '"
                    + option
                    + "' in ["
                    + section
                    + "] (known: "
                    + String.join(", ", new java.util.TreeSet<>(KNOWN))
                    + ")"));
      }
    }
    String urlText = value(ini, section, "url");
    String fileText = value(ini, section, "file");
    URI url = null;
    Path file = null;
    if ((urlText == null) == (fileText == null)) {
      p.add(
          new ConfigException(
              ini.origin(section, urlText == null ? "jail" : "url"),
              "[" + section + "]: write either url (http or https) or file"));
    } else if (urlText != null) {
      try {
        url = new URI(urlText);
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())
            || url.getHost() == null) {
          throw new URISyntaxException(urlText, "not http or https with a host");
        }
      } catch (URISyntaxException e) {
        p.add(
            new ConfigException(
                ini.origin(section, "url"),
                "url: '" + urlText + "' is not an http:// or https:// address with a host"));
        url = null;
      }
    } else {
      file = Path.of(fileText);
      if (!file.isAbsolute()) {
        p.add(
            new ConfigException(
                ini.origin(section, "file"), "file: '" + fileText + "' is not an absolute path"));
      }
    }
    FeedFormat format = format(ini, section, p);
    Duration interval = duration(ini, section, "interval", Duration.ofHours(1), p);
    Duration bantime = duration(ini, section, "bantime", interval.multipliedBy(3), p);
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      p.add(
          new ConfigException(
              ini.origin(section, "interval"), "interval: at least 1s (e.g. 30m, 1h)"));
    }
    if (bantime.compareTo(interval) <= 0) {
      p.add(
          new ConfigException(
              ini.origin(section, "bantime"),
              "bantime: "
                  + Durations.format(bantime)
                  + " is not longer than interval ("
                  + Durations.format(interval)
                  + "): the entries would leave the kernel before the next fetch (try "
                  + Durations.format(interval.multipliedBy(3))
                  + ")"));
    }
    Duration timeout = duration(ini, section, "timeout", Duration.ofSeconds(60), p);
    String jail = value(ini, section, "jail");
    if (jail == null) {
      p.add(
          new ConfigException(
              ini.origin(section, "url"),
              "[" + section + "]: jail: missing (the jail whose firewall actions carry the feed)"));
    }
    int max = (int) number(ini, section, "maxentries", 100_000, 1, 2_000_000, p);
    if (p.size() > before) {
      return null;
    }
    return new FeedSettings(
        name,
        url,
        file,
        format,
        interval,
        jail,
        bantime,
        max,
        timeout,
        ini.origin(section, "jail"));
  }

  private static FeedFormat format(IniConfig ini, String section, List<ConfigException> p) {
    String f = value(ini, section, "format");
    String kind = f == null ? "plain" : f.toLowerCase(Locale.ROOT);
    switch (kind) {
      case "plain":
        return new FeedFormat.Plain();
      case "apiban":
        return new FeedFormat.Apiban();
      case "csv":
        {
          int column = (int) number(ini, section, "column", 1, 1, 1000, p);
          String d = ini.get(section, "delimiter").orElse(",");
          char delimiter =
              d.equals("\\t") || d.equals("tab") ? '\t' : d.isEmpty() ? ',' : d.charAt(0);
          if (d.length() > 1 && delimiter != '\t') {
            p.add(
                new ConfigException(
                    ini.origin(section, "delimiter"),
                    "delimiter: '" + d + "' is not one character (or tab)"));
          }
          String h = value(ini, section, "header");
          boolean header =
              h != null && Set.of("true", "yes", "1", "on").contains(h.toLowerCase(Locale.ROOT));
          if (h != null
              && !header
              && !Set.of("false", "no", "0", "off").contains(h.toLowerCase(Locale.ROOT))) {
            p.add(
                new ConfigException(
                    ini.origin(section, "header"), "header: '" + h + "' is not true or false"));
          }
          return new FeedFormat.Csv(column, delimiter, header);
        }
      case "json":
        {
          String path = value(ini, section, "path");
          if (path == null) {
            p.add(
                new ConfigException(
                    ini.origin(section, "format"),
                    "format = json needs a path (e.g. path = $.ipaddress[*])"));
            return new FeedFormat.Plain();
          }
          try {
            return new FeedFormat.Json(JsonPath.parse(path));
          } catch (IllegalArgumentException e) {
            p.add(new ConfigException(ini.origin(section, "path"), "path: " + e.getMessage()));
            return new FeedFormat.Plain();
          }
        }
      default:
        p.add(
            new ConfigException(
                ini.origin(section, "format"),
                "format: '" + f + "' is not a feed format (plain, csv, json, apiban)"));
        return new FeedFormat.Plain();
    }
  }

  private static String value(IniConfig ini, String section, String key) {
    return ini.get(section, key).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
  }

  private static Duration duration(
      IniConfig ini, String section, String key, Duration dflt, List<ConfigException> p) {
    String v = value(ini, section, key);
    if (v == null) {
      return dflt;
    }
    try {
      Duration d = Durations.parse(v);
      if (!d.isNegative() && !d.isZero()) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    p.add(
        new ConfigException(
            ini.origin(section, key),
            key + ": '" + v + "' is not a positive duration (try 600, 10m, 1h, 1d)"));
    return dflt;
  }

  private static long number(
      IniConfig ini,
      String section,
      String key,
      long dflt,
      long min,
      long max,
      List<ConfigException> p) {
    String v = value(ini, section, key);
    if (v == null) {
      return dflt;
    }
    try {
      long n = Long.parseLong(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    p.add(
        new ConfigException(
            ini.origin(section, key),
            key + ": '" + v + "' is not a number from " + min + " to " + max));
    return dflt;
  }
}
