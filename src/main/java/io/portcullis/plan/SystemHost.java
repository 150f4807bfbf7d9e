package io.portcullis.plan;

import io.portcullis.net.IpAddress;
import io.portcullis.source.Globs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** This machine, as {@link Host} describes it. */
public final class SystemHost implements Host {
  private static final Path SERVICES = Path.of("/etc/services");

  private final boolean lookUpNames;
  private Set<String> services;

  /**
   * @param lookUpNames whether host names in ignoreip are looked up (replay does not: a replay is
   *     repeatable and works offline)
   */
  public SystemHost(boolean lookUpNames) {
    this.lookUpNames = lookUpNames;
  }

  @Override
  public boolean anyFile(String glob) {
    return Globs.anyFile(glob);
  }

  @Override
  public List<IpAddress> addresses(String name) {
    if (!lookUpNames) {
      return List.of();
    }
    try {
      List<IpAddress> out = new ArrayList<>();
      for (InetAddress a : InetAddress.getAllByName(name)) {
        out.add(IpAddress.parse(a.getHostAddress()));
      }
      return out;
    } catch (UnknownHostException e) {
      return List.of();
    }
  }

  @Override
  public synchronized boolean service(String name) {
    if (services == null) {
      services = readServices();
    }
    return services.contains(name);
  }

  /** Names and aliases of /etc/services ({@code name port/proto alias... # comment}). */
  private static Set<String> readServices() {
    Set<String> names = new HashSet<>();
    try {
      for (String line : Files.readAllLines(SERVICES)) {
        int hash = line.indexOf('#');
        String[] f = (hash < 0 ? line : line.substring(0, hash)).strip().split("\\s+");
        if (f.length >= 2) {
          names.add(f[0]);
          for (int i = 2; i < f.length; i++) {
            names.add(f[i]);
          }
        }
      }
    } catch (IOException e) {
      // no /etc/services: only port numbers are valid
    }
    return names;
  }

  @Override
  public boolean program(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }
}
