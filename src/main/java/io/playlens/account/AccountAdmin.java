package io.playlens.account;

import static java.util.Objects.requireNonNull;

import io.playlens.server.ClientError;
import io.playlens.server.ClientError.FieldError;
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
    valid("key", () -> Account.checkKey(key));
    valid("name", () -> Account.checkName(name));
    Account account =
        new Account(key, name, timeZone, retention, Account.State.ACTIVE, clock.instant());
    if (store.account(account.key()).isPresent()) {
      throw new ClientError(409, "an account with key '" + key + "' already exists");
    }
    User owner = newUser(account.key(), email, password, User.Role.OWNER, operator, List.of());
    NewAccount created =
        new NewAccount(
            account,
            owner,
            newApiKey(account.key(), Environment.PRODUCTION),
            newApiKey(account.key(), Environment.SANDBOX),
            newPlayerKey(account.key(), Environment.PRODUCTION, List.of()),
            newPlayerKey(account.key(), Environment.SANDBOX, List.of()));
    try {
      // All of it or nothing: a failure leaves no account without keys behind.
      store.createAccount(
          account,
          owner,
          List.of(hashed(created.productionApiKey()), hashed(created.sandboxApiKey())),
          List.of(created.productionPlayerKey(), created.sandboxPlayerKey()));
    } catch (MetadataStore.Conflict e) {
      throw new ClientError(409, e.getMessage());
    }
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
    account(key);
    store.setAccountState(key, state);
    onChange.run();
    return account(key);
  }

  /** Changes what is given (null leaves a setting as it is). */
  public Account set(String key, String name, String timeZone, String retention) {
    Account current = account(key);
    Account changed =
        current.withSettings(
            name == null ? current.name() : valid("name", () -> Account.checkName(name)),
            timeZone == null
                ? current.timeZone()
                : valid("timezone", () -> Account.parseTimeZone(timeZone)),
            retention == null
                ? current.retention()
                : valid("retention", () -> Retention.parse(retention)));
    store.updateAccount(changed);
    onChange.run();
    return account(key);
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

  /**
   * Changes a user's role and the media they may read (empty: all). An account keeps at least one
   * owner.
   */
  public User setUserAccess(String accountKey, String userId, User.Role role, List<String> media) {
    User user = user(accountKey, userId);
    valid(
        "media",
        () -> {
          media.forEach(Media::checkId);
          return null;
        });
    if (user.owner() && role != User.Role.OWNER) {
      checkAnotherOwner(accountKey, userId);
    }
    store.updateUserAccess(accountKey, userId, role, media);
    onChange.run();
    return user(accountKey, userId);
  }

  /** Removes a user; their dashboard sessions end at once. An account keeps at least one owner. */
  public void removeUser(String accountKey, String userId) {
    User user = user(accountKey, userId);
    if (user.owner()) {
      checkAnotherOwner(accountKey, userId);
    }
    store.deleteUser(accountKey, userId);
    onChange.run();
  }

  /** The account's user with the id; 404 when it has none. */
  public User user(String accountKey, String userId) {
    return users(accountKey).stream()
        .filter(user -> user.id().equals(userId))
        .findFirst()
        .orElseThrow(() -> new ClientError(404, "no user with id '" + userId + "'"));
  }

  private void checkAnotherOwner(String accountKey, String userId) {
    boolean another =
        users(accountKey).stream().anyMatch(other -> other.owner() && !other.id().equals(userId));
    if (!another) {
      throw new ClientError(409, "an account keeps at least one owner");
    }
  }

  public List<User> users(String accountKey) {
    account(accountKey);
    return store.users(accountKey);
  }

  public CreatedApiKey createApiKey(String accountKey, Environment environment) {
    account(accountKey);
    CreatedApiKey key = newApiKey(accountKey, environment);
    store.createApiKey(key.key(), Secrets.hash(key.secret()));
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
    store.createPlayerKey(key);
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

  public List<Project> projects(String accountKey) {
    account(accountKey);
    return store.projects(accountKey);
  }

  public Project project(String accountKey, String id) {
    account(accountKey);
    return store
        .project(accountKey, id)
        .orElseThrow(() -> new ClientError(404, "no project '" + id + "'"));
  }

  /**
   * Creates the project, or with {@code replace} sets an existing one's name and media (keeping
   * when it was created); a new id that exists already is a conflict.
   */
  public Project saveProject(
      String accountKey, String id, String name, List<String> media, boolean replace) {
    account(accountKey);
    Project project =
        valid("project", () -> new Project(accountKey, id, name, media, clock.instant()));
    if (replace) {
      if (!store.replaceProject(project)) {
        throw new ClientError(404, "no project '" + id + "'");
      }
      return project(accountKey, id); // as stored, with when it was created
    }
    try {
      store.createProject(project); // the key decides: of two at once, one gets 409
    } catch (MetadataStore.Conflict e) {
      throw new ClientError(409, "project '" + id + "' exists already");
    }
    return project;
  }

  public void deleteProject(String accountKey, String id) {
    account(accountKey);
    if (!store.deleteProject(accountKey, id)) {
      throw new ClientError(404, "no project '" + id + "'");
    }
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
            "media",
            () ->
                new Media(
                    current.account(),
                    current.environment(),
                    current.id(),
                    name == null ? current.name() : name,
                    duration == null ? current.duration() : duration,
                    type == null ? current.type() : valid("type", () -> Media.Type.parse(type)),
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
    String normalised = valid("email", () -> User.normaliseEmail(email));
    valid(
        "password",
        () -> {
          Passwords.checkPolicy(password);
          return null;
        });
    valid(
        "media",
        () -> {
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

  private static MetadataStore.HashedApiKey hashed(CreatedApiKey created) {
    return new MetadataStore.HashedApiKey(created.key(), Secrets.hash(created.secret()));
  }

  /** A new key, not yet stored. */
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
    return new CreatedApiKey(key, secret);
  }

  /** A new player key, not yet stored. */
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
    return key;
  }

  /** An origin as browsers send it: scheme, host and optional port, nothing else. */
  static void checkOrigin(String origin) {
    if (origin == null || !origin.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
      String message =
          "an allowed origin looks like https://www.example.com (got '" + origin + "')";
      throw new ClientError(400, message, List.of(new FieldError("allowedOrigins", message)));
    }
  }

  /**
   * Runs a check of one input field; its refusal becomes a 400 whose message is the check's own
   * (what the CLI prints) and whose field error names the field (what the admin API shows).
   */
  private static <T> T valid(String field, java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (MetadataStore.Conflict e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ClientError(400, e.getMessage(), List.of(new FieldError(field, e.getMessage())));
    }
  }
}
