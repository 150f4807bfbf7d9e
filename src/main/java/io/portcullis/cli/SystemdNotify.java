package io.portcullis.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells systemd that the server is ready when it runs as a Type=notify service. sd_notify is a
 * datagram on the Unix socket named by $NOTIFY_SOCKET, which Java 17 cannot send (its Unix domain
 * sockets are stream sockets only), so systemd's own {@code systemd-notify} sends it; the unit's
 * NotifyAccess=all lets that child speak for the service, and systemd-notify waits until systemd
 * has read the message, so the message is not lost when the child exits.
 */
final class SystemdNotify {
  private SystemdNotify() {}

  /**
   * Sends READY=1 (and a status line) if systemd asked for it; otherwise does nothing.
   *
   * @return a problem to report, or null
   */
  static String ready(String status) {
    String socket = System.getenv("NOTIFY_SOCKET");
    if (socket == null || socket.isEmpty()) {
      return null;
    }
    List<String> cmd = new ArrayList<>(List.of("systemd-notify", "--ready"));
    if (status != null) {
      cmd.add("--status=" + status);
    }
    try {
      // what it says goes where the server's own output goes: the journal
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      // systemd-notify waits at most 5 s for systemd to read the message
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "systemd-notify --ready did not finish in 15 s";
      }
      return p.exitValue() == 0
          ? null
          : "systemd-notify --ready failed (exit " + p.exitValue() + ")";
    } catch (IOException e) {
      return "cannot run systemd-notify to tell systemd the server is ready: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while telling systemd the server is ready";
    }
  }
}
