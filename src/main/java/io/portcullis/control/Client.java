package io.portcullis.control;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the control commands, typed: each answer is read into the record the server
 * wrote ({@link Replies}), never picked apart by path strings.
 */
public final class Client {
  private final Path socket;

  public Client(Path socket) {
    this.socket = socket;
  }

  public Path socket() {
    return socket;
  }

  private <T> T call(String command, List<String> args, Type type)
      throws IOException, Protocol.CommandException {
    Object result = ControlClient.result(socket, command, args);
    try {
      return ClientJson.bind(result, type);
    } catch (IllegalArgumentException e) {
      throw new IOException("the server's answer to " + command + ": " + e.getMessage(), e);
    }
  }

  public String ping() throws IOException, Protocol.CommandException {
    return call("ping", List.of(), String.class);
  }

  public Replies.ServerStatus status() throws IOException, Protocol.CommandException {
    return call("status", List.of(), Replies.ServerStatus.class);
  }

  public Replies.JailStatus status(String jail) throws IOException, Protocol.CommandException {
    return call("status", List.of(jail), Replies.JailStatus.class);
  }

  /**
   * Bans addresses; the answer says how many were newly banned and whether the store and the
   * firewall have them ({@code force}: even networks covering loopback, this host or ignored
   * addresses).
   */
  public Replies.BanResult ban(String jail, List<String> ips, boolean force)
      throws IOException, Protocol.CommandException {
    List<String> args = new ArrayList<>();
    if (force) {
      args.add("--force");
    }
    args.add(jail);
    args.addAll(ips);
    return call("ban", args, Replies.BanResult.class);
  }

  /** Lifts bans of these addresses ({@code --all}: every ban). */
  public Replies.BanResult unban(List<String> ips) throws IOException, Protocol.CommandException {
    return call("unban", ips, Replies.BanResult.class);
  }

  public List<Replies.BanEntry> banned(String ip) throws IOException, Protocol.CommandException {
    return call(
        "banned", ip == null ? List.of() : List.of(ip), ClientJson.listOf(Replies.BanEntry.class));
  }

  /** An address's bans in force and its history ({@code why}). */
  public Replies.History why(String ip) throws IOException, Protocol.CommandException {
    return call("why", List.of(ip), Replies.History.class);
  }

  /** A jail option's value: a number, a list of strings, or {@link Replies.Allowed} entries. */
  public sealed interface Value {
    record Number(long value) implements Value {}

    record Texts(List<String> values) implements Value {}

    record AllowedList(List<Replies.Allowed> entries) implements Value {}
  }

  public Value get(String jail, String option) throws IOException, Protocol.CommandException {
    Object r = ControlClient.result(socket, "get", List.of(jail, option));
    return value(r, GetOption.of(option).orElse(null));
  }

  /** Changes an option; returns the value it shows afterwards. */
  public Value set(String jail, String option, List<String> values)
      throws IOException, Protocol.CommandException {
    List<String> args = new ArrayList<>(List.of(jail, option));
    args.addAll(values);
    Object r = ControlClient.result(socket, "set", args);
    return value(r, SetOption.of(option).map(o -> o.shows).orElse(null));
  }

  private static Value value(Object r, GetOption option) throws IOException {
    try {
      if (option != null && option.numeric()) {
        return new Value.Number(ClientJson.<Long>bind(r, long.class));
      }
      if (option == GetOption.ALLOWED) {
        return new Value.AllowedList(ClientJson.bind(r, ClientJson.listOf(Replies.Allowed.class)));
      }
      return new Value.Texts(ClientJson.bind(r, ClientJson.listOf(String.class)));
    } catch (IllegalArgumentException e) {
      throw new IOException("the server's answer: " + e.getMessage(), e);
    }
  }

  /** Returns the jails running after the reload. */
  public List<String> reload(String jail) throws IOException, Protocol.CommandException {
    return call(
        "reload", jail == null ? List.of() : List.of(jail), ClientJson.listOf(String.class));
  }

  public String stop() throws IOException, Protocol.CommandException {
    return call("stop", List.of(), String.class);
  }

  public String flushLogs() throws IOException, Protocol.CommandException {
    return call("flushlogs", List.of(), String.class);
  }
}
