package io.playlens.cli;

import io.playlens.account.User;
import io.playlens.api.admin.AdminViews;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code playlens user add|list}: the people who read an account's statistics. */
@Command(
    name = "user",
    mixinStandardHelpOptions = true,
    description = "Manage users (while the server is stopped; see the admin REST API otherwise).",
    subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class})
public final class UserCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user to an account.")
  static final class Add implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--account", required = true, description = "Account key")
    String account;

    @Option(names = "--email", required = true, description = "Email (the sign-in name)")
    String email;

    @Option(
        names = "--password",
        required = true,
        interactive = true,
        arity = "0..1",
        description = "Password (8-72 bytes); prompted for when given without a value")
    String password;

    @Option(
        names = "--role",
        defaultValue = "member",
        description = "owner (administers the account) or member (default ${DEFAULT-VALUE})")
    String role;

    @Option(
        names = "--media",
        split = ",",
        description = "Limit the user to these media ids (default: the whole account)")
    List<String> media;

    @Option(names = "--operator", description = "Let the user administer every account")
    boolean operator;

    @Override
    public Integer call() throws Exception {
      User.Role parsedRole = User.Role.parse(role);
      store.run(
          admin -> {
            User user =
                admin.addUser(
                    account,
                    email,
                    password,
                    parsedRole,
                    operator,
                    media == null ? List.of() : media);
            System.out.println(AdminStore.json(AdminViews.user(user)));
          });
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List an account's users.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin AdminStore store;

    @Option(names = "--account", required = true, description = "Account key")
    String account;

    @Override
    public Integer call() throws Exception {
      store.run(
          admin -> {
            for (User user : admin.users(account)) {
              System.out.println(AdminStore.json(AdminViews.user(user)));
            }
          });
      return 0;
    }
  }
}
