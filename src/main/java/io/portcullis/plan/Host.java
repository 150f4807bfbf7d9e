package io.portcullis.plan;

import io.portcullis.net.IpAddress;
import java.util.List;

/**
 * What assembling a plan asks of the machine it runs on: the same config can mean files on one host
 * and the journal on another ({@code backend = auto}), and a firewall port may be a service name.
 * {@link SystemHost} answers for this machine.
 */
public interface Host {
  /** Whether a log path glob names at least one existing file. */
  boolean anyFile(String glob);

  /** The addresses of a host name (for ignoreip); empty when it does not resolve. */
  List<IpAddress> addresses(String name);

  /** Whether a service name is known here ({@code /etc/services}), for firewall ports. */
  boolean service(String name);

  /** Whether a program can be run from the PATH ({@code journalctl}). */
  boolean program(String name);
}
