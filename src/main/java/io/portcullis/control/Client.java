package io.portcullis.control;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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

  private <T> T call(String command, List<String> args, TypeReference<T> type)
      throws IOException, Protocol.CommandException {
    JsonNode result = ControlClient.call(socket, command, args);
    return Protocol.JSON.convertValue(result, type);
  }

  public String ping() throws IOException, Protocol.CommandException {
    return call("ping", List.of(), new TypeReference<String>() {});
  }

  public Replies.ServerStatus status() throws IOException, Protocol.CommandException {
    return call("status", List.of(), new TypeReference<Replies.ServerStatus>() {});
  }

  public Replies.JailStatus status(String jail) throws IOException, Protocol.CommandException {
    return call("status", List.of(jail), new TypeReference<Replies.JailStatus>() {});
  }

  /** Returns how many addresses were newly banned. */
  public int ban(String jail, List<String> ips) throws IOException, Protocol.CommandException {
    List<String> args = new ArrayList<>(List.of(jail));
    args.addAll(ips);
    return call("ban", args, new TypeReference<Integer>() {});
  }

  /** Lifts bans of these addresses ({@code --all}: every ban); returns how many. */
  public int unban(List<String> ips) throws IOException, Protocol.CommandException {
    return call("unban", ips, new TypeReference<Integer>() {});
  }

  public List<Replies.BanEntry> banned(String ip) throws IOException, Protocol.CommandException {
    return call(
        "banned",
        ip == null ? List.of() : List.of(ip),
        new TypeReference<List<Replies.BanEntry>>() {});
  }

  /** An address's bans in force and its history ({@code why}). */
  public Replies.History why(String ip) throws IOException, Protocol.CommandException {
    return call("why", List.of(ip), new TypeReference<Replies.History>() {});
  }

  /** A jail option's value: a number, a list of strings, or {@link Replies.Allowed} entries. */
  public sealed interface Value {
    record Number(long value) implements Value {}

    record Texts(List<String> values) implements Value {}

    record AllowedList(List<Replies.Allowed> entries) implements Value {}
  }

  public Value get(String jail, String option) throws IOException, Protocol.CommandException {
    JsonNode r = ControlClient.call(socket, "get", List.of(jail, option));
    return value(r, GetOption.of(option).orElse(null));
  }

  /** Changes an option; returns the value it shows afterwards. */
  public Value set(String jail, String option, List<String> values)
      throws IOException, Protocol.CommandException {
    List<String> args = new ArrayList<>(List.of(jail, option));
    args.addAll(values);
    JsonNode r = ControlClient.call(socket, "set", args);
    return value(r, SetOption.of(option).map(o -> o.shows).orElse(null));
  }

  private static Value value(JsonNode r, GetOption option) {
    if (option != null && option.numeric()) {
      return new Value.Number(r.asLong());
    }
    if (option == GetOption.ALLOWED) {
      return new Value.AllowedList(
          Protocol.JSON.convertValue(r, new TypeReference<List<Replies.Allowed>>() {}));
    }
    return new Value.Texts(Protocol.JSON.convertValue(r, new TypeReference<List<String>>() {}));
  }

  /** Returns the jails running after the reload. */
  public List<String> reload(String jail) throws IOException, Protocol.CommandException {
    return call(
        "reload", jail == null ? List.of() : List.of(jail), new TypeReference<List<String>>() {});
  }

  public String stop() throws IOException, Protocol.CommandException {
    return call("stop", List.of(), new TypeReference<String>() {});
  }

  public String flushLogs() throws IOException, Protocol.CommandException {
    return call("flushlogs", List.of(), new TypeReference<String>() {});
  }
}
