package io.playlens;

import io.playlens.cli.AccountCommand;
import io.playlens.cli.BenchCommand;
import io.playlens.cli.DemoCommand;
import io.playlens.cli.GenerateCommand;
import io.playlens.cli.GeoCommand;
import io.playlens.cli.KeyCommand;
import io.playlens.cli.LoadgenCommand;
import io.playlens.cli.ServeCommand;
import io.playlens.cli.UserCommand;
import io.playlens.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code playlens} command line: one entry point for the server and its tools. */
@Command(
    name = "playlens",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Self-hosted video analytics: collects player events and answers Wistia- and api.video-style analytics APIs.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      GeoCommand.class,
      GenerateCommand.class,
      LoadgenCommand.class,
      AccountCommand.class,
      UserCommand.class,
      KeyCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static void main(String[] args) {
    int exit =
        new CommandLine(new Main())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setExecutionExceptionHandler(Main::reportFailure)
            .execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** Failures the user can act on are one line, not a stack trace. */
  private static int reportFailure(
      Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
    if (e instanceof StoreException
        || e instanceof IllegalArgumentException
        || e instanceof io.playlens.server.ClientError
        || e instanceof io.playlens.account.MetadataException
        || e instanceof java.io.UncheckedIOException
        || e instanceof java.io.IOException) {
      command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
      return 1;
    }
    command.getErr().println(command.getCommandSpec().qualifiedName() + " failed:");
    e.printStackTrace(command.getErr());
    return 2;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Reports the jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"playlens " + (version == null ? "(development build)" : version)};
    }
  }
}
