package io.playlens;

import io.playlens.cli.DemoCommand;
import io.playlens.cli.GeoCommand;
import io.playlens.cli.PlayerKeyCommand;
import io.playlens.cli.ServeCommand;
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
      GeoCommand.class,
      PlayerKeyCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static void main(String[] args) {
    int exit = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
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
