package io.portcullis.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the options of jail sections that nothing reads: not a jail option Portcullis or fail2ban
 * knows, and not named anywhere as a variable ({@code %(name)s} in the jail files, {@code <name>}
 * or {@code %(name)s} in filter.d and action.d), since any jail option may be a variable for its
 * filter and actions. Such an option is most often a typo ({@code maxretrys}, {@code enable}),
 * which is why each warning guesses the option meant.
 */
final class UnknownOptions {
  /** Jail options read by Portcullis, and those fail2ban reads that Portcullis accepts. */
  static final List<String> KNOWN =
      List.of(
          "enabled",
          "filter",
          "logpath",
          "backend",
          "systemd_if_nologs",
          "skip_if_nologs",
          "maxretry",
          "findtime",
          "bantime",
          "allowtime",
          "allowfailures",
          "accountmaxretry",
          "accountfindtime",
          "accountbantime",
          "accountallowtime",
          "maxusers",
          "registrations",
          "maxmatches",
          "netban4",
          "netban6",
          "ratelimit",
          "ratelimitfailure",
          "countries",
          "bantime.increment",
          "bantime.factor",
          "bantime.formula",
          "bantime.multipliers",
          "bantime.maxtime",
          "bantime.rndtime",
          "bantime.overalljails",
          "ignoreip",
          "ignoreself",
          "ignorecommand",
          "ignorecache",
          "usedns",
          "logtimezone",
          "logencoding",
          "action",
          "failregex",
          "ignoreregex",
          "successregex",
          "prefregex",
          "datepattern",
          "maxlines",
          "journalmatch",
          "port",
          "protocol",
          "chain",
          "banaction",
          "banaction_allports",
          "mode");

  private static final Pattern INTERPOLATION = Pattern.compile("%\\(([^)\\s]+)\\)s");
  private static final Pattern TAG = Pattern.compile("<([\\w.\\-/]+)>");

  private UnknownOptions() {}

  /** The warnings for the given jail sections of a jail config. */
  static List<ConfigWarning> of(Path configDir, IniConfig ini, Collection<String> jails) {
    Set<String> named = new HashSet<>();
    for (String raw : ini.rawValues()) {
      collect(raw, INTERPOLATION, named);
    }
    for (String dir : List.of("filter.d", "action.d")) {
      scan(configDir.resolve(dir), named);
    }
    List<ConfigWarning> out = new ArrayList<>();
    for (String jail : jails) {
      for (String option : ini.options(jail, false)) {
        if (KNOWN.contains(option) || named.contains(option) || option.contains("?")) {
          continue;
        }
        out.add(
            new ConfigWarning(
                ini.origin(jail, option),
                "["
                    + jail
                    + "] unknown option '"
                    + option
                    + "'"
                    + DidYouMean.closest(option, KNOWN)
                        .map(k -> " (did you mean '" + k + "'?)")
                        .orElse(
                            " (neither a jail option nor used by a filter or action; it has no effect)")));
      }
    }
    return out;
  }

  private static void scan(Path dir, Set<String> named) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir, 2)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".conf") || name.endsWith(".local")) {
          String text = Files.readString(f, StandardCharsets.UTF_8);
          collect(text, INTERPOLATION, named);
          collect(text, TAG, named);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // a file that cannot be read is reported where it is used
    }
  }

  private static void collect(String text, Pattern p, Set<String> out) {
    Matcher m = p.matcher(text);
    while (m.find()) {
      String name = m.group(1).toLowerCase(Locale.ROOT);
      out.add(name);
      int slash = name.lastIndexOf('/');
      if (slash >= 0) {
        out.add(name.substring(slash + 1));
      }
    }
  }
}
