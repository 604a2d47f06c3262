package io.playlens.cli;

import io.playlens.account.Environment;
import io.playlens.account.FilePlayerKeys;
import io.playlens.account.PlayerKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code playlens player-key add|list}: player keys in DATA/player-keys.json. */
@Command(
    name = "player-key",
    mixinStandardHelpOptions = true,
    description = "Manage player keys (read by the server at start-up).",
    subcommands = {PlayerKeyCommand.Add.class, PlayerKeyCommand.ListKeys.class})
public final class PlayerKeyCommand implements Runnable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  static String newKey() {
    StringBuilder key = new StringBuilder("pk_");
    for (int i = 0; i < 24; i++) {
      key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return key.toString();
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Create a player key and print it.")
  static final class Add implements Callable<Integer> {
    @Option(
        names = "--data",
        defaultValue = "${env:PLAYLENS_DATA:-./data}",
        description = "Data directory (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--account", required = true, description = "Account the key writes to")
    String account;

    @Option(
        names = "--environment",
        defaultValue = "production",
        description = "production or sandbox (default ${DEFAULT-VALUE})")
    String environment;

    @Option(
        names = "--origin",
        description =
            "Allowed page origin, e.g. https://www.example.com; repeatable (default: all)")
    List<String> origins = new ArrayList<>();

    @Override
    public Integer call() {
      Environment env =
          Environment.parse(environment)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException("--environment must be production or sandbox"));
      PlayerKey key = new PlayerKey(newKey(), account, env, origins);
      FilePlayerKeys.append(data.resolve("player-keys.json"), key);
      System.out.println(key.key());
      System.err.println("Restart the server to load the new key.");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List player keys.")
  static final class ListKeys implements Callable<Integer> {
    @Option(
        names = "--data",
        defaultValue = "${env:PLAYLENS_DATA:-./data}",
        description = "Data directory (default ${DEFAULT-VALUE})")
    Path data;

    @Override
    public Integer call() {
      for (PlayerKey key : FilePlayerKeys.load(data.resolve("player-keys.json")).all()) {
        System.out.printf(
            "%s\t%s\t%s\t%s%n",
            key.key(),
            key.account(),
            key.environment().wireName(),
            key.allowedOrigins().isEmpty() ? "*" : String.join(",", key.allowedOrigins()));
      }
      return 0;
    }
  }
}
