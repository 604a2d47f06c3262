package io.playlens.store.sql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.account.Account;
import io.playlens.account.ApiKey;
import io.playlens.account.Environment;
import io.playlens.account.Media;
import io.playlens.account.MetadataException;
import io.playlens.account.MetadataStore;
import io.playlens.account.PlayerKey;
import io.playlens.account.Project;
import io.playlens.account.Retention;
import io.playlens.account.Secrets;
import io.playlens.account.User;
import io.playlens.store.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The metadata store over JDBC, in SQL that DuckDB and PostgreSQL both run (plain types, bind
 * parameters, {@code ON CONFLICT DO NOTHING}, {@code DELETE ... RETURNING}). Each call takes a
 * connection of its own and gives it back.
 */
public final class SqlMetadataStore implements MetadataStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  /**
   * The metadata tables' migrations, the same on every engine (DuckDB applies them among its own,
   * hence the numbers; PostgreSQL applies just these).
   */
  public static final List<Migration> MIGRATIONS =
      List.of(
          new Migration(2, "accounts, users, keys and media", "db/metadata/V002__metadata.sql"),
          new Migration(7, "projects", "db/metadata/V007__projects.sql"),
          new Migration(8, "dashboard sessions", "db/metadata/V008__dashboard_sessions.sql"));

  private final Connections connections;

  /** Hands out a connection the caller closes. */
  @FunctionalInterface
  public interface Connections {
    Connection open() throws SQLException;
  }

  public SqlMetadataStore(Connections connections) {
    this.connections = requireNonNull(connections, "connections is null");
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> T withConnection(String what, Work<T> work) {
    try (Connection connection = connections.open()) {
      return work.run(connection);
    } catch (SQLException e) {
      if (isUniqueViolation(e)) {
        throw new Conflict(what + ": already exists");
      }
      throw new MetadataException(what + " failed: " + e.getMessage(), e);
    }
  }

  private <T> T inTransaction(String what, Work<T> work) {
    return withConnection(
        what,
        connection -> {
          connection.setAutoCommit(false);
          try {
            T result = work.run(connection);
            connection.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          }
        });
  }

  private static boolean isUniqueViolation(SQLException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return "23505".equals(e.getSQLState())
        || message.contains("duplicate key")
        || message.contains("unique constraint")
        || message.contains("primary key constraint");
  }

  @Override
  public void createAccount(
      Account account, User owner, List<HashedApiKey> apiKeys, List<PlayerKey> playerKeys) {
    inTransaction(
        "creating account '" + account.key() + "'",
        connection -> {
          update(
              connection,
              "INSERT INTO accounts (account_key, name, time_zone, retention_days, state,"
                  + " created_at) VALUES (?, ?, ?, ?, ?, ?)",
              account.key(),
              account.name(),
              account.timeZone().getId(),
              account.retention().days(),
              account.state().wireName(),
              timeValue(account.createdAt()));
          insertUser(connection, owner);
          for (HashedApiKey apiKey : apiKeys) {
            insertApiKey(connection, apiKey.key(), apiKey.secretHash());
          }
          for (PlayerKey playerKey : playerKeys) {
            insertPlayerKey(connection, playerKey);
          }
          return null;
        });
  }

  private static final String ACCOUNT_COLUMNS =
      "account_key, name, time_zone, retention_days, state, created_at";

  @Override
  public Optional<Account> account(String key) {
    return withConnection(
        "reading account",
        connection ->
            first(
                connection,
                "SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE account_key = ?",
                SqlMetadataStore::account,
                key));
  }

  @Override
  public List<Account> accounts() {
    return withConnection(
        "listing accounts",
        connection ->
            all(
                connection,
                "SELECT " + ACCOUNT_COLUMNS + " FROM accounts ORDER BY account_key",
                SqlMetadataStore::account));
  }

  private static Account account(ResultSet row) throws SQLException {
    return new Account(
        row.getString(1),
        row.getString(2),
        ZoneId.of(row.getString(3)),
        Retention.ofDays(row.getInt(4)),
        Account.State.parse(row.getString(5)),
        time(row, 6));
  }

  @Override
  public void updateAccount(Account account) {
    withConnection(
        "updating account '" + account.key() + "'",
        connection ->
            update(
                connection,
                "UPDATE accounts SET name = ?, time_zone = ?, retention_days = ?"
                    + " WHERE account_key = ?",
                account.name(),
                account.timeZone().getId(),
                account.retention().days(),
                account.key()));
  }

  @Override
  public void setAccountState(String key, Account.State state) {
    withConnection(
        "changing the state of account '" + key + "'",
        connection ->
            update(
                connection,
                "UPDATE accounts SET state = ? WHERE account_key = ?",
                state.wireName(),
                key));
  }

  @Override
  public void createUser(User user) {
    inTransaction(
        "creating user '" + user.email() + "'",
        connection -> {
          insertUser(connection, user);
          return null;
        });
  }

  private static void insertUser(Connection connection, User user) throws SQLException {
    update(
        connection,
        "INSERT INTO users (user_id, account_key, email, password_hash, role, operator,"
            + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        user.id(),
        user.account(),
        user.email(),
        user.passwordHash(),
        user.role().wireName(),
        user.operator(),
        timeValue(user.createdAt()));
    for (String media : user.media()) {
      update(
          connection, "INSERT INTO user_media (user_id, media_id) VALUES (?, ?)", user.id(), media);
    }
  }

  private static final String USER_COLUMNS =
      "user_id, account_key, email, password_hash, role, operator, created_at";

  @Override
  public Optional<User> userByEmail(String email) {
    return oneUser("email", email);
  }

  @Override
  public boolean updateUserAccess(
      String account, String userId, User.Role role, List<String> media) {
    return inTransaction(
        "changing the access of user '" + userId + "'",
        connection -> {
          int changed =
              update(
                  connection,
                  "UPDATE users SET role = ? WHERE account_key = ? AND user_id = ?",
                  role.wireName(),
                  account,
                  userId);
          if (changed == 0) {
            return false;
          }
          update(connection, "DELETE FROM user_media WHERE user_id = ?", userId);
          for (String id : media) {
            update(
                connection, "INSERT INTO user_media (user_id, media_id) VALUES (?, ?)", userId, id);
          }
          return true;
        });
  }

  @Override
  public boolean deleteUser(String account, String userId) {
    return inTransaction(
        "deleting user '" + userId + "'",
        connection -> {
          Optional<String> found =
              first(
                  connection,
                  "SELECT user_id FROM users WHERE account_key = ? AND user_id = ?",
                  row -> row.getString(1),
                  account,
                  userId);
          if (found.isEmpty()) {
            return false;
          }
          update(connection, "DELETE FROM user_media WHERE user_id = ?", userId);
          update(connection, "DELETE FROM dashboard_sessions WHERE user_id = ?", userId);
          update(connection, "DELETE FROM users WHERE user_id = ?", userId);
          return true;
        });
  }

  @Override
  public Optional<User> user(String id) {
    return oneUser("user_id", id);
  }

  /** The user whose unique column ({@code email} or {@code user_id}) holds the value. */
  private Optional<User> oneUser(String column, String value) {
    return withConnection(
        "reading user",
        connection -> {
          Optional<User> user =
              first(
                  connection,
                  "SELECT " + USER_COLUMNS + " FROM users WHERE " + column + " = ?",
                  row -> user(row, List.of()),
                  value);
          return user.isEmpty() ? user : Optional.of(withMedia(connection, user.get()));
        });
  }

  @Override
  public List<User> users(String account) {
    return withConnection(
        "listing users",
        connection -> {
          List<User> users =
              all(
                  connection,
                  "SELECT " + USER_COLUMNS + " FROM users WHERE account_key = ? ORDER BY email",
                  row -> user(row, List.of()),
                  account);
          List<User> complete = new ArrayList<>(users.size());
          for (User user : users) {
            complete.add(withMedia(connection, user));
          }
          return complete;
        });
  }

  private static User withMedia(Connection connection, User user) throws SQLException {
    List<String> media =
        all(
            connection,
            "SELECT media_id FROM user_media WHERE user_id = ? ORDER BY media_id",
            row -> row.getString(1),
            user.id());
    return media.isEmpty() ? user : user(user, media);
  }

  private static User user(User user, List<String> media) {
    return new User(
        user.id(),
        user.account(),
        user.email(),
        user.passwordHash(),
        user.role(),
        user.operator(),
        media,
        user.createdAt());
  }

  private static User user(ResultSet row, List<String> media) throws SQLException {
    return new User(
        row.getString(1),
        row.getString(2),
        row.getString(3),
        row.getString(4),
        User.Role.parse(row.getString(5)),
        row.getBoolean(6),
        media,
        time(row, 7));
  }

  @Override
  public void createApiKey(ApiKey key, String secretHash) {
    withConnection("creating an API key", connection -> insertApiKey(connection, key, secretHash));
  }

  private static int insertApiKey(Connection connection, ApiKey key, String secretHash)
      throws SQLException {
    return update(
        connection,
        "INSERT INTO api_keys (key_id, account_key, environment, secret_hash, hint,"
            + " created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        key.id(),
        key.account(),
        key.environment().wireName(),
        secretHash,
        key.hint(),
        timeValue(key.createdAt()),
        timeValue(key.revokedAt()));
  }

  private static final String API_KEY_COLUMNS =
      "key_id, account_key, environment, hint, created_at, revoked_at";

  @Override
  public Optional<ApiKey> apiKeyBySecretHash(String secretHash) {
    return withConnection(
        "reading an API key",
        connection ->
            first(
                connection,
                "SELECT " + API_KEY_COLUMNS + " FROM api_keys WHERE secret_hash = ?",
                SqlMetadataStore::apiKey,
                secretHash));
  }

  @Override
  public Optional<ApiKey> apiKey(String id) {
    return withConnection(
        "reading an API key",
        connection ->
            first(
                connection,
                "SELECT " + API_KEY_COLUMNS + " FROM api_keys WHERE key_id = ?",
                SqlMetadataStore::apiKey,
                id));
  }

  @Override
  public List<ApiKey> apiKeys(String account) {
    return withConnection(
        "listing API keys",
        connection ->
            all(
                connection,
                "SELECT "
                    + API_KEY_COLUMNS
                    + " FROM api_keys WHERE account_key = ? ORDER BY created_at, key_id",
                SqlMetadataStore::apiKey,
                account));
  }

  private static ApiKey apiKey(ResultSet row) throws SQLException {
    return new ApiKey(
        row.getString(1),
        row.getString(2),
        environment(row.getString(3)),
        row.getString(4),
        time(row, 5),
        time(row, 6));
  }

  @Override
  public boolean revokeApiKey(String account, String id, Instant at) {
    return revoke("api_keys", "key_id", account, id, at);
  }

  private boolean revoke(String table, String idColumn, String account, String id, Instant at) {
    return withConnection(
        "revoking a key",
        connection ->
            update(
                    connection,
                    "UPDATE "
                        + table
                        + " SET revoked_at = ? WHERE "
                        + idColumn
                        + " = ? AND account_key = ? AND revoked_at IS NULL",
                    timeValue(at),
                    id,
                    account)
                > 0);
  }

  @Override
  public void createPlayerKey(PlayerKey key) {
    withConnection("creating a player key", connection -> insertPlayerKey(connection, key));
  }

  private static int insertPlayerKey(Connection connection, PlayerKey key) throws SQLException {
    return update(
        connection,
        "INSERT INTO player_keys (player_key, account_key, environment, allowed_origins,"
            + " created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
        key.key(),
        key.account(),
        key.environment().wireName(),
        json(key.allowedOrigins()),
        timeValue(key.createdAt()),
        timeValue(key.revokedAt()));
  }

  private static final String PLAYER_KEY_COLUMNS =
      "player_key, account_key, environment, allowed_origins, created_at, revoked_at";

  @Override
  public Optional<PlayerKey> playerKey(String key) {
    return withConnection(
        "reading a player key",
        connection ->
            first(
                connection,
                "SELECT " + PLAYER_KEY_COLUMNS + " FROM player_keys WHERE player_key = ?",
                SqlMetadataStore::playerKey,
                key));
  }

  @Override
  public List<PlayerKey> playerKeys(String account) {
    return withConnection(
        "listing player keys",
        connection ->
            all(
                connection,
                "SELECT "
                    + PLAYER_KEY_COLUMNS
                    + " FROM player_keys WHERE account_key = ? ORDER BY created_at, player_key",
                SqlMetadataStore::playerKey,
                account));
  }

  private static PlayerKey playerKey(ResultSet row) throws SQLException {
    return new PlayerKey(
        row.getString(1),
        row.getString(2),
        environment(row.getString(3)),
        strings(row.getString(4)),
        time(row, 5),
        time(row, 6));
  }

  @Override
  public boolean revokePlayerKey(String account, String key, Instant at) {
    return revoke("player_keys", "player_key", account, key, at);
  }

  @Override
  public boolean registerMedia(Media media) {
    return withConnection(
        "registering media '" + media.id() + "'",
        connection -> {
          // Two nodes (or connections) registering the same media at once: one of them wins.
          return insertUnlessPresent(
                  connection,
                  "INSERT INTO media (account_key, environment, media_id, name, duration,"
                      + " media_type, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT DO NOTHING",
                  media.account(),
                  media.environment().wireName(),
                  media.id(),
                  media.name(),
                  doubleValue(media.duration()),
                  media.type().wireName(),
                  json(media.tags()),
                  timeValue(media.createdAt()))
              > 0;
        });
  }

  private static final String MEDIA_COLUMNS =
      "account_key, environment, media_id, name, duration, media_type, tags, created_at";

  @Override
  public Optional<Media> media(String account, Environment environment, String id) {
    return withConnection(
        "reading media",
        connection ->
            first(
                connection,
                "SELECT "
                    + MEDIA_COLUMNS
                    + " FROM media WHERE account_key = ? AND environment = ? AND media_id = ?",
                SqlMetadataStore::media,
                account,
                environment.wireName(),
                id));
  }

  @Override
  public List<Media> media(String account, Environment environment) {
    return withConnection(
        "listing media",
        connection ->
            all(
                connection,
                "SELECT "
                    + MEDIA_COLUMNS
                    + " FROM media WHERE account_key = ? AND environment = ?"
                    + " ORDER BY created_at, media_id",
                SqlMetadataStore::media,
                account,
                environment.wireName()));
  }

  private static Media media(ResultSet row) throws SQLException {
    double duration = row.getDouble(5);
    return new Media(
        row.getString(1),
        environment(row.getString(2)),
        row.getString(3),
        row.getString(4),
        row.wasNull() ? null : duration,
        Media.Type.parse(row.getString(6)),
        strings(row.getString(7)),
        time(row, 8));
  }

  @Override
  public void updateMedia(Media media) {
    withConnection(
        "updating media '" + media.id() + "'",
        connection ->
            update(
                connection,
                "UPDATE media SET name = ?, duration = ?, media_type = ?, tags = ?"
                    + " WHERE account_key = ? AND environment = ? AND media_id = ?",
                media.name(),
                doubleValue(media.duration()),
                media.type().wireName(),
                json(media.tags()),
                media.account(),
                media.environment().wireName(),
                media.id()));
  }

  private static final String PROJECT_COLUMNS = "account_key, project_id, name, media, created_at";

  @Override
  public void createProject(Project project) {
    withConnection(
        "creating project '" + project.id() + "'",
        connection ->
            update(
                connection,
                "INSERT INTO projects (" + PROJECT_COLUMNS + ") VALUES (?, ?, ?, ?, ?)",
                project.account(),
                project.id(),
                project.name(),
                json(project.media()),
                timeValue(project.createdAt())));
  }

  @Override
  public boolean replaceProject(Project project) {
    return withConnection(
        "replacing project '" + project.id() + "'",
        connection ->
            update(
                    connection,
                    "UPDATE projects SET name = ?, media = ?"
                        + " WHERE account_key = ? AND project_id = ?",
                    project.name(),
                    json(project.media()),
                    project.account(),
                    project.id())
                > 0);
  }

  @Override
  public Optional<Project> project(String account, String id) {
    return withConnection(
        "reading project",
        connection ->
            first(
                connection,
                "SELECT "
                    + PROJECT_COLUMNS
                    + " FROM projects WHERE account_key = ? AND project_id = ?",
                SqlMetadataStore::project,
                account,
                id));
  }

  @Override
  public List<Project> projects(String account) {
    return withConnection(
        "listing projects",
        connection ->
            all(
                connection,
                "SELECT "
                    + PROJECT_COLUMNS
                    + " FROM projects WHERE account_key = ? ORDER BY created_at, project_id",
                SqlMetadataStore::project,
                account));
  }

  @Override
  public boolean deleteProject(String account, String id) {
    return withConnection(
        "deleting project '" + id + "'",
        connection ->
            update(
                    connection,
                    "DELETE FROM projects WHERE account_key = ? AND project_id = ?",
                    account,
                    id)
                > 0);
  }

  private static Project project(ResultSet row) throws SQLException {
    return new Project(
        row.getString(1),
        row.getString(2),
        row.getString(3),
        strings(row.getString(4)),
        time(row, 5));
  }

  @Override
  public void saveRefreshToken(String tokenHash, String apiKeyId, Instant expiresAt) {
    withConnection(
        "saving a refresh token",
        connection ->
            update(
                connection,
                "INSERT INTO refresh_tokens (token_hash, key_id, expires_at) VALUES (?, ?, ?)",
                tokenHash,
                apiKeyId,
                timeValue(expiresAt)));
  }

  @Override
  public Optional<String> consumeRefreshToken(String tokenHash, Instant now) {
    record Used(String keyId, Instant expiresAt) {}
    return withConnection(
        "using a refresh token",
        connection -> {
          // DELETE ... RETURNING: of two requests racing with one token, only one gets a row.
          // PostgreSQL makes the other wait and find nothing; DuckDB fails the other's
          // transaction instead, and that loser has not got the token either.
          try {
            return first(
                    connection,
                    "DELETE FROM refresh_tokens WHERE token_hash = ? RETURNING key_id, expires_at",
                    row -> new Used(row.getString(1), time(row, 2)),
                    tokenHash)
                .filter(used -> used.expiresAt().isAfter(now))
                .map(Used::keyId);
          } catch (SQLException e) {
            if (lostRace(e)) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  @Override
  public int deleteExpiredRefreshTokens(Instant now) {
    return withConnection(
        "forgetting expired refresh tokens",
        connection ->
            update(connection, "DELETE FROM refresh_tokens WHERE expires_at <= ?", timeValue(now)));
  }

  @Override
  public void saveDashboardSession(DashboardSession session) {
    withConnection(
        "saving a dashboard session",
        connection ->
            update(
                connection,
                "INSERT INTO dashboard_sessions"
                    + " (token_hash, user_id, csrf_token, created_at, expires_at)"
                    + " VALUES (?, ?, ?, ?, ?)",
                session.tokenHash(),
                session.userId(),
                session.csrfToken(),
                timeValue(session.createdAt()),
                timeValue(session.expiresAt())));
  }

  @Override
  public Optional<DashboardSession> dashboardSession(String tokenHash, Instant now) {
    return withConnection(
        "reading a dashboard session",
        connection ->
            first(
                connection,
                "SELECT token_hash, user_id, csrf_token, created_at, expires_at"
                    + " FROM dashboard_sessions WHERE token_hash = ? AND expires_at > ?",
                row ->
                    new DashboardSession(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        time(row, 4),
                        time(row, 5)),
                tokenHash,
                timeValue(now)));
  }

  @Override
  public boolean deleteDashboardSession(String tokenHash) {
    return withConnection(
        "deleting a dashboard session",
        connection ->
            update(connection, "DELETE FROM dashboard_sessions WHERE token_hash = ?", tokenHash)
                > 0);
  }

  @Override
  public int deleteExpiredDashboardSessions(Instant now) {
    return withConnection(
        "forgetting expired dashboard sessions",
        connection ->
            update(
                connection,
                "DELETE FROM dashboard_sessions WHERE expires_at <= ?",
                timeValue(now)));
  }

  @Override
  public byte[] signingSecret() {
    return withConnection(
        "reading the token signing secret",
        connection -> {
          String name = "access-token-signing";
          long deadline = System.nanoTime() + SECRET_WAIT.toNanos();
          while (true) {
            // A concurrent first use may have inserted it: either way the stored one is read.
            insertUnlessPresent(
                connection,
                "INSERT INTO installation_secrets (name, secret) VALUES (?, ?)"
                    + " ON CONFLICT DO NOTHING",
                name,
                Base64.getEncoder().encodeToString(Secrets.randomBytes(32)));
            Optional<String> secret =
                first(
                    connection,
                    "SELECT secret FROM installation_secrets WHERE name = ?",
                    row -> row.getString(1),
                    name);
            if (secret.isPresent()) {
              return Base64.getDecoder().decode(secret.get());
            }
            // DuckDB fails the loser of two first inserts while the winner has not committed
            // yet: its secret shows a moment later (CI once read none: a NoSuchElementException).
            if (System.nanoTime() - deadline > 0) {
              throw new SQLException(
                  "no token signing secret could be stored or read within "
                      + SECRET_WAIT.toSeconds()
                      + " s");
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
          }
        });
  }

  /** How long a first use waits for a concurrent first use's secret to be committed. */
  private static final Duration SECRET_WAIT = Duration.ofSeconds(5);

  @FunctionalInterface
  private interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  private static <T> Optional<T> first(
      Connection connection, String sql, RowReader<T> reader, Object... parameters)
      throws SQLException {
    List<T> rows = all(connection, sql, reader, parameters);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  private static <T> List<T> all(
      Connection connection, String sql, RowReader<T> reader, Object... parameters)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, parameters);
      List<T> result = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          result.add(reader.read(rows));
        }
      }
      return result;
    }
  }

  /** A null parameter of a known SQL type (drivers differ in what an untyped null may be). */
  private record Null(int sqlType) {}

  private static Object timeValue(Instant instant) {
    return instant == null
        ? new Null(Types.TIMESTAMP)
        : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Object doubleValue(Double value) {
    return value == null ? new Null(Types.DOUBLE) : value;
  }

  private static void bind(PreparedStatement statement, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      Object value = values[i];
      if (value instanceof Null typed) {
        statement.setNull(i + 1, typed.sqlType());
      } else if (value == null) {
        statement.setNull(i + 1, Types.VARCHAR); // only text columns take a plain null here
      } else {
        statement.setObject(i + 1, value);
      }
    }
  }

  /**
   * An {@code INSERT ... ON CONFLICT DO NOTHING}: the rows inserted, 0 when the row was there or a
   * concurrent insert of it won (PostgreSQL waits and inserts nothing; DuckDB fails the loser).
   */
  private static int insertUnlessPresent(Connection connection, String sql, Object... values)
      throws SQLException {
    try {
      return update(connection, sql, values);
    } catch (SQLException e) {
      if (lostRace(e)) {
        return 0;
      }
      throw e;
    }
  }

  /**
   * A concurrent transaction wrote the same row first: a unique violation, or DuckDB's write-write
   * conflict ("Conflict on tuple deletion", "... conflict ...").
   */
  private static boolean lostRace(SQLException e) {
    return isUniqueViolation(e) || String.valueOf(e.getMessage()).contains("onflict");
  }

  /** Runs one INSERT, UPDATE or DELETE; returns the rows it changed. */
  private static int update(Connection connection, String sql, Object... values)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, values);
      return statement.executeUpdate();
    }
  }

  private static Instant time(ResultSet row, int index) throws SQLException {
    LocalDateTime time = row.getObject(index, LocalDateTime.class);
    return time == null ? null : time.toInstant(ZoneOffset.UTC);
  }

  private static Environment environment(String value) {
    return Environment.parse(value)
        .orElseThrow(() -> new IllegalStateException("unknown environment in store: " + value));
  }

  private static String json(List<String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> strings(String json) throws SQLException {
    try {
      return JSON.readValue(json, STRINGS);
    } catch (JsonProcessingException e) {
      throw new SQLException("malformed JSON list in store: " + e.getOriginalMessage(), e);
    }
  }
}
