package io.portcullis.feed;

import io.portcullis.net.IpAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The entries that feeds no longer configured put into the firewall: read at start from the lists
 * kept for a restart ({@code NAME.list} and {@code NAME.meta} under the feeds' cache directory) of
 * every feed whose section is gone, or that now feeds another jail or another source.
 *
 * <p>The kernel keeps a feed's elements until their timeout (the feed's bantime, a day or more),
 * and the start's reconcile would otherwise take each of them for a ban nobody remembers and adopt
 * it as a ban of its jail. An admin who removes a blocklist, often because it listed somebody it
 * must not, expects its entries gone at the restart; so the reconcile removes these, unless a ban
 * in force (or a feed still configured) explains them. Once a reconcile has settled them, {@link
 * #forget} deletes the kept lists.
 */
public final class RetiredFeeds {
  private static final RetiredFeeds NONE = new RetiredFeeds(Map.of(), List.of(), List.of());

  /** What one retired feed listed. */
  public record Retired(String name, String jail, int entries) {}

  private final Map<String, Set<String>> byJail;
  private final List<Path> files;
  private final List<Retired> retired;
  private volatile boolean forgotten;

  private RetiredFeeds(Map<String, Set<String>> byJail, List<Path> files, List<Retired> retired) {
    this.byJail = byJail;
    this.files = files;
    this.retired = retired;
  }

  /** None: no cache directory, or nothing retired. */
  public static RetiredFeeds none() {
    return NONE;
  }

  /**
   * Reads the kept lists under {@code cacheDir} that no feed of {@code configured} owns any more. A
   * list that cannot be read is reported to {@code warning} and skipped (its entries then run out
   * with their timeout, as before).
   */
  public static RetiredFeeds read(
      Path cacheDir, List<FeedSettings> configured, Consumer<String> warning) {
    if (cacheDir == null || !Files.isDirectory(cacheDir)) {
      return NONE;
    }
    Map<String, FeedSettings> byName = new HashMap<>();
    for (FeedSettings s : configured) {
      byName.put(s.name(), s);
    }
    Map<String, Set<String>> byJail = new HashMap<>();
    List<Path> files = new ArrayList<>();
    List<Retired> retired = new ArrayList<>();
    try (DirectoryStream<Path> metas = Files.newDirectoryStream(cacheDir, "*.meta")) {
      for (Path meta : metas) {
        String file = meta.getFileName().toString();
        String name = file.substring(0, file.length() - ".meta".length());
        Path list = meta.resolveSibling(name + ".list");
        try {
          Properties p = new Properties();
          try (var in = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(in);
          }
          String jail = p.getProperty("jail");
          String source = p.getProperty("source");
          FeedSettings now = byName.get(name);
          if (jail == null
              || (now != null && now.jail().equals(jail) && now.source().equals(source))) {
            continue; // still this feed's: Feeds puts it back
          }
          int n = 0;
          if (Files.isRegularFile(list)) {
            Set<String> set = byJail.computeIfAbsent(jail, j -> new HashSet<>());
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
              IpAddress ip = IpAddress.parseOrNull(line.strip());
              if (ip != null && set.add(ip.toString())) {
                n++;
              }
            }
          }
          retired.add(new Retired(name, jail, n));
          if (now == null) {
            // a feed still configured (pointed elsewhere) overwrites its own files
            files.add(meta);
            files.add(list);
          }
        } catch (IOException | RuntimeException e) {
          warning.accept("[feed " + name + "] kept list " + meta + " not read: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      warning.accept("feeds' kept lists under " + cacheDir + " not read: " + e.getMessage());
    }
    return retired.isEmpty() ? NONE : new RetiredFeeds(byJail, files, List.copyOf(retired));
  }

  /** The feeds found retired, for the start's log. */
  public List<Retired> retired() {
    return retired;
  }

  /** Whether a retired feed put this element into the jail's sets (false once forgotten). */
  public boolean listed(String jail, IpAddress ip) {
    if (forgotten) {
      return false;
    }
    Set<String> s = byJail.get(jail);
    return s != null && s.contains(ip.toString());
  }

  /**
   * The firewall has settled the retired entries: deletes the kept lists, so a later start does not
   * remove again what a ban or another feed may have put there since.
   */
  public void forget(Consumer<String> warning) {
    if (forgotten || files.isEmpty()) {
      forgotten = true;
      return;
    }
    forgotten = true;
    for (Path f : files) {
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        warning.accept("cannot delete a retired feed's kept list " + f + ": " + e.getMessage());
      }
    }
  }
}
