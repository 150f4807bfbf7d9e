package io.portcullis.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commonest client commands ({@code ping}, {@code status [JAIL]}, {@code ban JAIL IP...|--file
 * FILE}) in their plain forms, run without picocli: its classes are compiled for Java 5, so the
 * launcher's class-data-sharing archive cannot hold them, and loading them and building its model
 * by reflection was most of such a command's start (bench/cli.sh, README "Speed"). Anything else
 * (help, a version, an unknown or repeated option, a wrong number of arguments) goes to picocli,
 * which parses it and says what is wrong.
 */
final class QuickCommands {
  private QuickCommands() {}

  /** The command's exit code, or null when picocli must handle these arguments. */
  static Integer run(String[] args, PrintWriter out, PrintWriter err) {
    if (args.length == 0) {
      return null;
    }
    String name = args[0];
    if (name.equals("regex")) {
      return regex(args, err);
    }
    if (!name.equals("ping") && !name.equals("status") && !name.equals("ban")) {
      return null;
    }
    ClientCommands.Connection connection = new ClientCommands.Connection();
    String socket = null;
    String config = null;
    String file = null;
    boolean json = false;
    List<String> positional = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String option = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        option = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      switch (option) {
        case "--json" -> {
          if (value != null || json) {
            return null;
          }
          json = true;
        }
        case "--socket", "--config", "--file" -> {
          if (value == null) {
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
              return null;
            }
            value = args[++i];
          }
          if (option.equals("--socket")) {
            if (socket != null) {
              return null;
            }
            socket = value;
          } else if (option.equals("--config")) {
            if (config != null) {
              return null;
            }
            config = value;
          } else {
            if (file != null || !name.equals("ban")) {
              return null;
            }
            file = value;
          }
        }
        default -> {
          if (a.startsWith("-")) {
            return null;
          }
          positional.add(a);
        }
      }
    }
    connection.json = json;
    connection.socket = socket == null ? null : Path.of(socket);
    connection.config = config == null ? null : Path.of(config);
    ClientCommands.Base command;
    switch (name) {
      case "ping" -> {
        if (!positional.isEmpty()) {
          return null;
        }
        command = new ClientCommands.Ping();
      }
      case "status" -> {
        if (positional.size() > 1) {
          return null;
        }
        ClientCommands.Status s = new ClientCommands.Status();
        s.jail = positional.isEmpty() ? null : positional.get(0);
        command = s;
      }
      default -> {
        if (positional.isEmpty() || positional.size() == 1 && file == null) {
          return null;
        }
        ClientCommands.Ban b = new ClientCommands.Ban();
        b.jail = positional.get(0);
        b.ips = new ArrayList<>(positional.subList(1, positional.size()));
        b.file = file;
        command = b;
      }
    }
    command.connection = connection;
    command.out = out;
    command.err = err;
    try {
      return command.call();
    } catch (Exception e) {
      return Main.failed(e, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * {@code regex [--config DIR] [--now EPOCH] [--timezone ZONE] [--threads N] LOG FILTER} on a log
   * file, the plain form, without picocli: its start was a tenth of a 1M-line run (bench/regex.sh).
   * Any other form goes to picocli.
   */
  private static Integer regex(String[] args, PrintWriter err) {
    RegexCommand c = new RegexCommand();
    List<String> positional = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    try {
      for (int i = 1; i < args.length; i++) {
        String a = args[i];
        if (!a.startsWith("-")) {
          positional.add(a);
          continue;
        }
        int eq = a.indexOf('=');
        String option = eq > 0 ? a.substring(0, eq) : a;
        String value = eq > 0 ? a.substring(eq + 1) : null;
        if (!List.of("--config", "--now", "--timezone", "--threads").contains(option)
            || seen.contains(option)) {
          return null;
        }
        seen.add(option);
        if (value == null) {
          if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
            return null;
          }
          value = args[++i];
        }
        switch (option) {
          case "--config" -> c.config = Path.of(value);
          case "--now" -> c.now = Long.parseLong(value);
          case "--timezone" -> c.timezone = value;
          default -> c.threads = Integer.parseInt(value);
        }
      }
      if (positional.size() != 2
          || !java.nio.file.Files.isRegularFile(Path.of(positional.get(0)))) {
        return null;
      }
    } catch (RuntimeException e) {
      // a value picocli would refuse (not a number, not a path): let it say so
      return null;
    }
    c.log = positional.get(0);
    c.filter = positional.get(1);
    try {
      return c.call();
    } catch (Exception e) {
      return Main.failed(e, err);
    } finally {
      err.flush();
    }
  }
}
