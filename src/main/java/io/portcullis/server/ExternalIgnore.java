package io.portcullis.server;

import io.portcullis.net.IpAddress;
import io.portcullis.plan.JailPlan;
import io.portcullis.process.ProcessRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The ignore rules a jail cannot decide alone: {@code ignoreself} (this machine's addresses, read
 * at start) and {@code ignorecommand} (exit 0 means ignore; {@code <ip>} is the address in its
 * canonical form, which holds only hex digits, dots and colons: safe in a shell word).
 */
final class ExternalIgnore implements Predicate<IpAddress> {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private final String jail;
  private final List<IpAddress> self;
  private final String command;
  private final ServerLog log;
  private final ProcessRunner runner = new ProcessRunner(List.of(), COMMAND_TIMEOUT);

  private ExternalIgnore(String jail, List<IpAddress> self, String command, ServerLog log) {
    this.jail = jail;
    this.self = List.copyOf(self);
    this.command = command;
    this.log = log;
  }

  static ExternalIgnore of(JailPlan plan, ServerLog log) {
    List<IpAddress> self = new ArrayList<>();
    if (plan.ignoreSelf()) {
      try {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            IpAddress ip = IpAddress.parseOrNull(a.getHostAddress());
            if (ip != null) {
              self.add(ip);
            }
          }
        }
      } catch (IOException e) {
        log.warning(
            "["
                + plan.name()
                + "] ignoreself: cannot list this machine's addresses: "
                + e.getMessage());
      }
    }
    return new ExternalIgnore(plan.name(), self, plan.ignoreCommand(), log);
  }

  @Override
  public boolean test(IpAddress ip) {
    if (self.contains(ip)) {
      return true;
    }
    if (command == null) {
      return false;
    }
    String cmd = command.replace("<ip>", ip.toString()).replace("<name>", jail);
    try {
      return runner.run(List.of("/bin/sh", "-c", cmd), null).ok();
    } catch (IOException e) {
      log.warning("[" + jail + "] ignorecommand failed for " + ip + ": " + e.getMessage());
      return false;
    }
  }
}
