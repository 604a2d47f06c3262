package io.playlens.account;

import static java.util.Objects.requireNonNull;

import io.playlens.server.ClientError;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The administration operations, shared by the CLI (server stopped) and the admin REST API (server
 * running): input is checked here once, and refusals are {@link ClientError}s whose messages suit
 * both a terminal and a JSON body. Secrets it creates are returned once, in the result, and stored
 * only as hashes (player keys, being public, as they are).
 */
public final class AccountAdmin {
  private final MetadataStore store;
  private final Passwords passwords;
  private final Clock clock;
  private final Runnable onChange;

  /**
   * @param onChange called after every change, so caches of a running server (player keys) drop
   *     what they hold
   */
  public AccountAdmin(MetadataStore store, Passwords passwords, Clock clock, Runnable onChange) {
    this.store = requireNonNull(store, "store is null");
    this.passwords = requireNonNull(passwords, "passwords is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.onChange = requireNonNull(onChange, "onChange is null");
  }

  /** A new account with everything needed to use it; the only time its API keys are shown. */
  public record NewAccount(
      Account account,
      User owner,
      CreatedApiKey productionApiKey,
      CreatedApiKey sandboxApiKey,
      PlayerKey productionPlayerKey,
      PlayerKey sandboxPlayerKey) {}

  /** A new API key and its secret, which exists nowhere else after this. */
  public record CreatedApiKey(ApiKey key, String secret) {}

  public NewAccount createAccount(
      String key,
      String name,
      String email,
      String password,
      Retention retention,
      ZoneId timeZone,
      boolean operator) {
    Account account =
        valid(
            () ->
                new Account(key, name, timeZone, retention, Account.State.ACTIVE, clock.instant()));
    if (store.account(account.key()).isPresent()) {
      throw new ClientError(409, "an account with key '" + key + "' already exists");
    }
    User owner = newUser(account.key(), email, password, User.Role.OWNER, operator, List.of());
    try {
      store.createAccount(account, owner);
    } catch (MetadataStore.Conflict e) {
      throw new ClientError(409, e.getMessage());
    }
    NewAccount created =
        new NewAccount(
            account,
            owner,
            newApiKey(account.key(), Environment.PRODUCTION),
            newApiKey(account.key(), Environment.SANDBOX),
            newPlayerKey(account.key(), Environment.PRODUCTION, List.of()),
            newPlayerKey(account.key(), Environment.SANDBOX, List.of()));
    onChange.run();
    return created;
  }

  public List<Account> accounts() {
    return store.accounts();
  }

  public Account account(String key) {
    return store
        .account(key)
        .orElseThrow(() -> new ClientError(404, "no account with key '" + key + "'"));
  }

  public Account setState(String key, Account.State state) {
    Account account = account(key).withState(state);
    store.updateAccount(account);
    onChange.run();
    return account;
  }

  /** Changes what is given (null leaves a setting as it is). */
  public Account set(String key, String name, String timeZone, String retention) {
    Account current = account(key);
    Account changed =
        valid(
            () ->
                current.withSettings(
                    name == null ? current.name() : name,
                    timeZone == null ? current.timeZone() : Account.parseTimeZone(timeZone),
                    retention == null ? current.retention() : Retention.parse(retention)));
    store.updateAccount(changed);
    onChange.run();
    return changed;
  }

  public User addUser(
      String accountKey,
      String email,
      String password,
      User.Role role,
      boolean operator,
      List<String> media) {
    account(accountKey);
    User user = newUser(accountKey, email, password, role, operator, media);
    try {
      store.createUser(user);
    } catch (MetadataStore.Conflict e) {
      throw new ClientError(409, e.getMessage());
    }
    onChange.run();
    return user;
  }

  public List<User> users(String accountKey) {
    account(accountKey);
    return store.users(accountKey);
  }

  public CreatedApiKey createApiKey(String accountKey, Environment environment) {
    account(accountKey);
    CreatedApiKey key = newApiKey(accountKey, environment);
    onChange.run();
    return key;
  }

  public PlayerKey createPlayerKey(
      String accountKey, Environment environment, List<String> allowedOrigins) {
    account(accountKey);
    for (String origin : allowedOrigins) {
      checkOrigin(origin);
    }
    PlayerKey key = newPlayerKey(accountKey, environment, allowedOrigins);
    onChange.run();
    return key;
  }

  public List<ApiKey> apiKeys(String accountKey) {
    account(accountKey);
    return store.apiKeys(accountKey);
  }

  public List<PlayerKey> playerKeys(String accountKey) {
    account(accountKey);
    return store.playerKeys(accountKey);
  }

  /** Revokes an API key (by id) or a player key (by its value); takes effect at once. */
  public void revokeKey(String accountKey, String id) {
    account(accountKey);
    boolean revoked =
        store.revokeApiKey(accountKey, id, clock.instant())
            || store.revokePlayerKey(accountKey, id, clock.instant());
    if (!revoked) {
      throw new ClientError(404, "no active key '" + id + "' in account '" + accountKey + "'");
    }
    onChange.run();
  }

  public List<Media> media(String accountKey, Environment environment) {
    account(accountKey);
    return store.media(accountKey, environment);
  }

  public Media media(String accountKey, Environment environment, String id) {
    account(accountKey);
    return store
        .media(accountKey, environment, id)
        .orElseThrow(() -> new ClientError(404, "no media '" + id + "'"));
  }

  /** Changes what is given (null leaves a field as it is). */
  public Media updateMedia(
      String accountKey,
      Environment environment,
      String id,
      String name,
      Double duration,
      String type,
      List<String> tags) {
    Media current = media(accountKey, environment, id);
    Media changed =
        valid(
            () ->
                new Media(
                    current.account(),
                    current.environment(),
                    current.id(),
                    name == null ? current.name() : name,
                    duration == null ? current.duration() : duration,
                    type == null ? current.type() : Media.Type.parse(type),
                    tags == null ? current.tags() : tags,
                    current.createdAt()));
    store.updateMedia(changed);
    return changed;
  }

  public Optional<User> user(String email) {
    return store.userByEmail(email);
  }

  private User newUser(
      String accountKey,
      String email,
      String password,
      User.Role role,
      boolean operator,
      List<String> media) {
    String normalised = valid(() -> User.normaliseEmail(email));
    valid(
        () -> {
          Passwords.checkPolicy(password);
          media.forEach(Media::checkId);
          return null;
        });
    if (store.userByEmail(normalised).isPresent()) {
      throw new ClientError(409, "a user with email '" + normalised + "' already exists");
    }
    return new User(
        UUID.randomUUID().toString(),
        accountKey,
        normalised,
        passwords.hash(password),
        role,
        operator,
        new ArrayList<>(media),
        clock.instant());
  }

  private CreatedApiKey newApiKey(String accountKey, Environment environment) {
    String secret = Secrets.newApiKey(environment);
    ApiKey key =
        new ApiKey(
            Secrets.random("key_", 16),
            accountKey,
            environment,
            secret.substring(0, 12),
            clock.instant(),
            null);
    store.createApiKey(key, Secrets.hash(secret));
    return new CreatedApiKey(key, secret);
  }

  private PlayerKey newPlayerKey(
      String accountKey, Environment environment, List<String> allowedOrigins) {
    PlayerKey key =
        new PlayerKey(
            Secrets.newPlayerKey(environment),
            accountKey,
            environment,
            allowedOrigins,
            clock.instant(),
            null);
    store.createPlayerKey(key);
    return key;
  }

  /** An origin as browsers send it: scheme, host and optional port, nothing else. */
  static void checkOrigin(String origin) {
    if (origin == null || !origin.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
      throw new ClientError(
          400, "an allowed origin looks like https://www.example.com (got '" + origin + "')");
    }
  }

  private static <T> T valid(java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw new ClientError(400, e.getMessage());
    }
  }
}
