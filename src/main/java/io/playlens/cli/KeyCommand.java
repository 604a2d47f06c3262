package io.playlens.cli;

import io.playlens.account.AccountAdmin;
import io.playlens.account.ApiKey;
import io.playlens.account.Environment;
import io.playlens.account.PlayerKey;
import io.playlens.api.admin.AdminViews;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code playlens key create|list|revoke}: API keys (secret) and player keys (public). */
@Command(
    name = "key",
    mixinStandardHelpOptions = true,
    description =
        "Manage API and player keys (while the server is stopped; see the admin REST API otherwise).",
    subcommands = {KeyCommand.Create.class, KeyCommand.ListKeys.class, KeyCommand.Revoke.class})
public final class KeyCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static Environment environment(String value) {
    return Environment.parse(value)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "environment must be 'production' or 'sandbox' (got '" + value + "')"));
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a key. An API key's secret is printed this once.")
  static final class Create implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--account", required = true, description = "Account key")
    String account;

    @Option(
        names = "--type",
        defaultValue = "api",
        description =
            "api (secret, reads) or player (public, for the tracker); default ${DEFAULT-VALUE}")
    String type;

    @Option(
        names = "--environment",
        defaultValue = "production",
        description = "production or sandbox (default ${DEFAULT-VALUE})")
    String environment;

    @Option(
        names = "--origin",
        split = ",",
        description =
            "Player keys: origins allowed to send beacons, e.g. https://www.example.com (default: any)")
    List<String> origins;

    @Override
    public Integer call() throws Exception {
      Environment env = environment(environment);
      if (!type.equals("api") && !type.equals("player")) {
        throw new IllegalArgumentException("--type must be 'api' or 'player' (got '" + type + "')");
      }
      if (type.equals("api") && origins != null) {
        throw new IllegalArgumentException("--origin applies to player keys only");
      }
      store.run(
          admin -> {
            if (type.equals("api")) {
              AccountAdmin.CreatedApiKey created = admin.createApiKey(account, env);
              System.out.println(AdminStore.json(AdminViews.newApiKey(created)));
            } else {
              PlayerKey key =
                  admin.createPlayerKey(account, env, origins == null ? List.of() : origins);
              System.out.println(AdminStore.json(AdminViews.playerKey(key)));
            }
          });
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List an account's keys (API keys by id and hint; secrets are not stored).")
  static final class ListKeys implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--account", required = true, description = "Account key")
    String account;

    @Option(names = "--json", description = "Print one JSON object per line")
    boolean json;

    @Override
    public Integer call() throws Exception {
      store.run(
          admin -> {
            if (!json) {
              System.out.printf(
                  "%-34s %-7s %-11s %-10s %s%n", "ID", "TYPE", "ENVIRONMENT", "STATE", "CREATED");
            }
            for (ApiKey key : admin.apiKeys(account)) {
              print(
                  AdminViews.apiKey(key),
                  key.id(),
                  "api",
                  key.environment(),
                  key.revoked(),
                  key.createdAt());
            }
            for (PlayerKey key : admin.playerKeys(account)) {
              print(
                  AdminViews.playerKey(key),
                  key.key(),
                  "player",
                  key.environment(),
                  key.revoked(),
                  key.createdAt());
            }
          });
      return 0;
    }

    private void print(
        Object view,
        String id,
        String type,
        Environment environment,
        boolean revoked,
        java.time.Instant createdAt) {
      if (json) {
        System.out.println(AdminStore.json(view));
      } else {
        System.out.printf(
            "%-34s %-7s %-11s %-10s %s%n",
            id, type, environment.wireName(), revoked ? "revoked" : "active", createdAt);
      }
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a key: an API key by its id, a player key by its value. Immediate.")
  static final class Revoke implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--account", required = true, description = "Account key")
    String account;

    @Option(names = "--id", required = true, description = "API key id (key_...) or player key")
    String id;

    @Override
    public Integer call() throws Exception {
      store.run(
          admin -> {
            admin.revokeKey(account, id);
            System.out.printf("Revoked %s.%n", id);
          });
      return 0;
    }
  }
}
