package io.portcullis.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portcullis} command line: a function from arguments to an exit code. */
@Command(
    name = "portcullis",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Intrusion prevention for internet servers, VoIP first; reads fail2ban configuration.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:ok",
      "1:failure (server not running, file missing, address not banned ...)",
      "2:wrong request (unknown command, option, jail, bad address or duration)"
    },
    footerHeading = "%nSee also:%n",
    footer =
        "portcullis COMMAND --help, the man pages portcullis-COMMAND(1) and portcullis.conf(5)",
    subcommands = {
      ServerCommand.class,
      ClientCommands.Status.class,
      ClientCommands.Ping.class,
      ClientCommands.Ban.class,
      ClientCommands.Unban.class,
      ClientCommands.Banned.class,
      WhyCommand.class,
      ClientCommands.Set.class,
      ClientCommands.Get.class,
      ClientCommands.Reload.class,
      ClientCommands.Stop.class,
      ClientCommands.FlushLogs.class,
      RegexCommand.class,
      ReplayCommand.class,
      CheckCommand.class,
      ImportCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Everything went as asked. */
  public static final int OK = 0;

  /** The command ran but failed (file missing, filter broken, nothing to do). */
  public static final int FAILURE = 1;

  /** The command was called wrongly. */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw NoCommand.error(spec);
  }

  /**
   * Where the "no command" error is made: a {@code throw new ParameterException} in Main itself
   * made the JVM load picocli's exception classes from the jar when it verified Main, at every
   * short command, though those never reach picocli ({@link QuickCommands}).
   */
  private static final class NoCommand {
    static RuntimeException error(CommandLine.Model.CommandSpec spec) {
      return new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the command line with the given streams and returns its exit code. The commonest client
   * commands in their plain forms do not reach picocli at all ({@link QuickCommands}).
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Integer quick = QuickCommands.run(args, out, err);
    return quick != null ? quick : withPicocli(args, out, err);
  }

  /** The exit code of a command that threw, after saying why on {@code err}. */
  static int failed(Exception e, PrintWriter err) {
    if (e instanceof UsageException) {
      err.println("error: " + e.getMessage());
      return USAGE;
    }
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    err.println("error: " + message);
    if (Boolean.getBoolean("portcullis.debug")) {
      e.printStackTrace(err);
    }
    return e instanceof CliException ce ? ce.exitCode() : FAILURE;
  }

  private static int withPicocli(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl =
        args.length > 0 && args[0].equals("server") ? serverOnly() : new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(
        e -> e instanceof CommandLine.ParameterException ? USAGE : FAILURE);
    cl.setParameterExceptionHandler(
        (e, a) -> {
          err.println("error: " + e.getMessage());
          e.getCommandLine().usage(err);
          return USAGE;
        });
    cl.setExecutionExceptionHandler((e, c, parsed) -> failed(e, err));
    versionEverywhere(cl);
    return cl.execute(args);
  }

  /**
   * {@code portcullis server ...}: picocli's model of that command alone under a bare "portcullis",
   * not of every command (their options, types and classes stay unloaded in a daemon that runs for
   * months: ~2 MB resident, bench/daemon.sh (c)).
   */
  private static CommandLine serverOnly() {
    CommandLine.Model.CommandSpec top =
        CommandLine.Model.CommandSpec.create()
            .name("portcullis")
            .exitCodeOnExecutionException(FAILURE);
    CommandLine cl = new CommandLine(top);
    cl.addSubcommand("server", new ServerCommand());
    return cl;
  }

  /**
   * Every command's {@code -V/--version} prints the version, as {@code portcullis --version} does
   * ({@code portcullis server --version} printed nothing and exited 0: picocli gives a subcommand
   * the option of the help mixin but not its parent's version provider).
   */
  private static void versionEverywhere(CommandLine cl) {
    Version version = new Version();
    java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(cl));
    while (!todo.isEmpty()) {
      CommandLine c = todo.pop();
      c.getCommandSpec().versionProvider(version);
      todo.addAll(c.getSubcommands().values());
    }
  }

  /** Reports the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"portcullis " + (v == null ? "(development build)" : v)};
    }
  }
}
