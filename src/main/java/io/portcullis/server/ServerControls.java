package io.portcullis.server;

import io.portcullis.config.ConfigException;
import io.portcullis.config.JailsReader;
import io.portcullis.config.UnknownJailException;
import io.portcullis.control.JailControl;
import io.portcullis.control.Replies;
import io.portcullis.control.ServerControl;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import io.portcullis.plan.Assembly;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The server as the control commands see it; the jails answer for themselves. */
final class ServerControls implements ServerControl {
  private final Server server;
  private final Shared shared;
  private final Instant started;

  ServerControls(Server server, Shared shared, Instant started) {
    this.server = server;
    this.shared = shared;
    this.started = started;
  }

  @Override
  public Replies.ServerStatus status() {
    JailSet j = server.jails();
    return new Replies.ServerStatus(
        List.copyOf(j.runners().keySet()),
        j.broken(),
        shared.bans().size(null),
        j.firewalls().status(),
        started.getEpochSecond());
  }

  @Override
  public List<JailControl> jails() {
    return server.jails().runners().values().stream().<JailControl>map(JailCommands::new).toList();
  }

  @Override
  public Optional<JailControl> jail(String name) {
    return Optional.ofNullable(server.jails().runners().get(name)).map(JailCommands::new);
  }

  @Override
  public List<String> problemsOf(String jail) {
    return server.jails().broken().getOrDefault(jail, List.of());
  }

  @Override
  public boolean configures(String jail) {
    if (server.jails().runners().containsKey(jail) || server.jails().broken().containsKey(jail)) {
      return true;
    }
    try {
      JailsReader.readJail(server.configDir(), jail);
      return true;
    } catch (UnknownJailException e) {
      return false;
    } catch (ConfigException e) {
      return true; // it is there, with problems that reload reports
    }
  }

  @Override
  public List<Replies.BanEntry> banned(IpAddress only) {
    List<Replies.BanEntry> out = new ArrayList<>();
    for (BanDecision b : shared.bans().list(null)) {
      if (only == null || b.fid().equals(only.toString())) {
        out.add(
            new Replies.BanEntry(
                b.jail(),
                b.fid(),
                b.time().getEpochSecond(),
                b.end() == null ? null : b.end().getEpochSecond(),
                b.failures(),
                b.count()));
      }
    }
    return out;
  }

  @Override
  public List<String> reload() throws Exception {
    Assembly a = server.assembler().assemble(server.configDir());
    if (!a.jailProblems().isEmpty()) {
      throw new ConfigProblems(
          String.join("\n", a.jailProblems().stream().map(ConfigException::getMessage).toList()));
    }
    return server.reload(a);
  }

  @Override
  public void reopenLog() {
    shared.log().reopen();
  }

  @Override
  public void requestStop() {
    server.requestStop();
  }
}
