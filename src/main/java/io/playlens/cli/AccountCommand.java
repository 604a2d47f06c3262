package io.playlens.cli;

import io.playlens.account.Account;
import io.playlens.account.AccountAdmin;
import io.playlens.account.Retention;
import io.playlens.api.admin.AdminViews;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code playlens account create|list|suspend|activate|set}, on a stopped server's data dir. */
@Command(
    name = "account",
    mixinStandardHelpOptions = true,
    description =
        "Manage accounts (while the server is stopped; see the admin REST API otherwise).",
    subcommands = {
      AccountCommand.Create.class,
      AccountCommand.ListAccounts.class,
      AccountCommand.Suspend.class,
      AccountCommand.Activate.class,
      AccountCommand.Set.class
    })
public final class AccountCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create an account with its owner, and an API key and a player key per environment. "
              + "The API keys are shown this once.")
  static final class Create implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--key", required = true, description = "Account key, [a-z0-9-]{2,40}")
    String key;

    @Option(names = "--name", required = true, description = "Display name")
    String name;

    @Option(names = "--email", required = true, description = "The owner's email")
    String email;

    @Option(
        names = "--password",
        required = true,
        interactive = true,
        arity = "0..1",
        description = "The owner's password (8-72 bytes); prompted for when given without a value")
    String password;

    @Option(
        names = "--retention",
        defaultValue = "30d",
        description = "Production data retention: 30d, 90d or 365d (default ${DEFAULT-VALUE})")
    String retention;

    @Option(
        names = "--timezone",
        defaultValue = "UTC",
        description = "IANA time zone for by-date results (default ${DEFAULT-VALUE})")
    String timeZone;

    @Option(names = "--operator", description = "Make the owner an operator of every account")
    boolean operator;

    @Option(names = "--json", description = "Print exactly one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
      Retention parsedRetention = Retention.parse(retention);
      ZoneId zone = Account.parseTimeZone(timeZone);
      store.run(
          admin -> {
            AccountAdmin.NewAccount created =
                admin.createAccount(key, name, email, password, parsedRetention, zone, operator);
            if (json) {
              System.out.println(AdminStore.json(AdminViews.newAccount(created)));
              return;
            }
            System.out.printf(
                "Created account '%s' (%s) with owner %s.%n"
                    + "Keep the API keys now: only their hashes are stored.%n"
                    + "  production API key:    %s%n"
                    + "  sandbox API key:       %s%n"
                    + "  production player key: %s%n"
                    + "  sandbox player key:    %s%n",
                created.account().key(),
                created.account().name(),
                created.owner().email(),
                created.productionApiKey().secret(),
                created.sandboxApiKey().secret(),
                created.productionPlayerKey().key(),
                created.sandboxPlayerKey().key());
          });
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List accounts.")
  static final class ListAccounts implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--json", description = "Print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
      store.run(
          admin -> {
            List<Account> accounts = admin.accounts();
            if (json) {
              System.out.println(
                  AdminStore.json(
                      java.util.Map.of(
                          "accounts", accounts.stream().map(AdminViews::account).toList())));
              return;
            }
            System.out.printf(
                "%-20s %-10s %-9s %-20s %s%n", "KEY", "STATE", "RETENTION", "TIME ZONE", "NAME");
            for (Account account : accounts) {
              System.out.printf(
                  "%-20s %-10s %-9s %-20s %s%n",
                  account.key(),
                  account.state().wireName(),
                  account.retention().wireName(),
                  account.timeZone().getId(),
                  account.name());
            }
          });
      return 0;
    }
  }

  /** Suspend and activate: the same change of state, in two words an operator remembers. */
  abstract static class StateChange implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--key", required = true, description = "Account key")
    String key;

    private final Account.State state;

    StateChange(Account.State state) {
      this.state = state;
    }

    @Override
    public Integer call() throws Exception {
      store.run(
          admin -> {
            admin.setState(key, state);
            System.out.printf("Account '%s' is %s.%n", key, state.wireName());
          });
      return 0;
    }
  }

  @Command(
      name = "suspend",
      mixinStandardHelpOptions = true,
      description = "Suspend an account: its keys and users are refused (403); data is kept.")
  static final class Suspend extends StateChange {
    Suspend() {
      super(Account.State.SUSPENDED);
    }
  }

  @Command(name = "activate", mixinStandardHelpOptions = true, description = "Lift a suspension.")
  static final class Activate extends StateChange {
    Activate() {
      super(Account.State.ACTIVE);
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = "Change an account's name, time zone or retention.")
  static final class Set implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--key", required = true, description = "Account key")
    String key;

    @Option(names = "--name", description = "New display name")
    String name;

    @Option(names = "--timezone", description = "New IANA time zone")
    String timeZone;

    @Option(names = "--retention", description = "New retention: 30d, 90d or 365d")
    String retention;

    @Override
    public Integer call() throws Exception {
      if (name == null && timeZone == null && retention == null) {
        throw new IllegalArgumentException(
            "nothing to change: give --name, --timezone or --retention");
      }
      store.run(
          admin -> {
            Account account = admin.set(key, name, timeZone, retention);
            System.out.println(AdminStore.json(AdminViews.account(account)));
          });
      return 0;
    }
  }
}
