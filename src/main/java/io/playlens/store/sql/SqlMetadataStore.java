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
import io.playlens.account.Retention;
import io.playlens.account.Secrets;
import io.playlens.account.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The metadata store over JDBC, in SQL that DuckDB and PostgreSQL both run (plain types, bind
 * parameters, {@code ON CONFLICT DO NOTHING}, {@code DELETE ... RETURNING}). Each call takes a
 * connection of its own and gives it back.
 */
public final class SqlMetadataStore implements MetadataStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

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
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO accounts (account_key, name, time_zone, retention_days, state,"
                      + " created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, account.key());
            insert.setString(2, account.name());
            insert.setString(3, account.timeZone().getId());
            insert.setInt(4, account.retention().days());
            insert.setString(5, account.state().wireName());
            setTime(insert, 6, account.createdAt());
            insert.executeUpdate();
          }
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
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE accounts SET name = ?, time_zone = ?, retention_days = ?"
                      + " WHERE account_key = ?")) {
            update.setString(1, account.name());
            update.setString(2, account.timeZone().getId());
            update.setInt(3, account.retention().days());
            update.setString(4, account.key());
            return update.executeUpdate();
          }
        });
  }

  @Override
  public void setAccountState(String key, Account.State state) {
    withConnection(
        "changing the state of account '" + key + "'",
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement("UPDATE accounts SET state = ? WHERE account_key = ?")) {
            update.setString(1, state.wireName());
            update.setString(2, key);
            return update.executeUpdate();
          }
        });
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
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO users (user_id, account_key, email, password_hash, role, operator,"
                + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, user.id());
      insert.setString(2, user.account());
      insert.setString(3, user.email());
      insert.setString(4, user.passwordHash());
      insert.setString(5, user.role().wireName());
      insert.setBoolean(6, user.operator());
      setTime(insert, 7, user.createdAt());
      insert.executeUpdate();
    }
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO user_media (user_id, media_id) VALUES (?, ?)")) {
      for (String media : user.media()) {
        insert.setString(1, user.id());
        insert.setString(2, media);
        insert.executeUpdate();
      }
    }
  }

  private static final String USER_COLUMNS =
      "user_id, account_key, email, password_hash, role, operator, created_at";

  @Override
  public Optional<User> userByEmail(String email) {
    return withConnection(
        "reading user",
        connection -> {
          Optional<User> user =
              first(
                  connection,
                  "SELECT " + USER_COLUMNS + " FROM users WHERE email = ?",
                  row -> user(row, List.of()),
                  email);
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
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO api_keys (key_id, account_key, environment, secret_hash, hint,"
                + " created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, key.id());
      insert.setString(2, key.account());
      insert.setString(3, key.environment().wireName());
      insert.setString(4, secretHash);
      insert.setString(5, key.hint());
      setTime(insert, 6, key.createdAt());
      setTime(insert, 7, key.revokedAt());
      return insert.executeUpdate();
    }
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
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE "
                      + table
                      + " SET revoked_at = ? WHERE "
                      + idColumn
                      + " = ? AND account_key = ? AND revoked_at IS NULL")) {
            setTime(update, 1, at);
            update.setString(2, id);
            update.setString(3, account);
            return update.executeUpdate() > 0;
          }
        });
  }

  @Override
  public void createPlayerKey(PlayerKey key) {
    withConnection("creating a player key", connection -> insertPlayerKey(connection, key));
  }

  private static int insertPlayerKey(Connection connection, PlayerKey key) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO player_keys (player_key, account_key, environment, allowed_origins,"
                + " created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, key.key());
      insert.setString(2, key.account());
      insert.setString(3, key.environment().wireName());
      insert.setString(4, json(key.allowedOrigins()));
      setTime(insert, 5, key.createdAt());
      setTime(insert, 6, key.revokedAt());
      return insert.executeUpdate();
    }
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
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO media (account_key, environment, media_id, name, duration,"
                      + " media_type, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT DO NOTHING")) {
            bindMedia(insert, media);
            return insert.executeUpdate() > 0;
          } catch (SQLException e) {
            // Two nodes (or connections) registering the same media at once: one of them wins.
            if (isUniqueViolation(e) || String.valueOf(e.getMessage()).contains("onflict")) {
              return false;
            }
            throw e;
          }
        });
  }

  private static void bindMedia(PreparedStatement statement, Media media) throws SQLException {
    statement.setString(1, media.account());
    statement.setString(2, media.environment().wireName());
    statement.setString(3, media.id());
    statement.setString(4, media.name());
    if (media.duration() == null) {
      statement.setNull(5, Types.DOUBLE);
    } else {
      statement.setDouble(5, media.duration());
    }
    statement.setString(6, media.type().wireName());
    statement.setString(7, json(media.tags()));
    setTime(statement, 8, media.createdAt());
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
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE media SET name = ?, duration = ?, media_type = ?, tags = ?"
                      + " WHERE account_key = ? AND environment = ? AND media_id = ?")) {
            update.setString(1, media.name());
            if (media.duration() == null) {
              update.setNull(2, Types.DOUBLE);
            } else {
              update.setDouble(2, media.duration());
            }
            update.setString(3, media.type().wireName());
            update.setString(4, json(media.tags()));
            update.setString(5, media.account());
            update.setString(6, media.environment().wireName());
            update.setString(7, media.id());
            return update.executeUpdate();
          }
        });
  }

  @Override
  public void saveRefreshToken(String tokenHash, String apiKeyId, Instant expiresAt) {
    withConnection(
        "saving a refresh token",
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO refresh_tokens (token_hash, key_id, expires_at) VALUES (?, ?, ?)")) {
            insert.setString(1, tokenHash);
            insert.setString(2, apiKeyId);
            setTime(insert, 3, expiresAt);
            return insert.executeUpdate();
          }
        });
  }

  @Override
  public Optional<String> consumeRefreshToken(String tokenHash, Instant now) {
    return withConnection(
        "using a refresh token",
        connection -> {
          // DELETE ... RETURNING: of two requests racing with one token, only one gets a row.
          List<String[]> used =
              all(
                  connection,
                  "DELETE FROM refresh_tokens WHERE token_hash = ? RETURNING key_id, expires_at",
                  row -> new String[] {row.getString(1), String.valueOf(time(row, 2))},
                  tokenHash);
          if (used.isEmpty() || !Instant.parse(used.get(0)[1]).isAfter(now)) {
            return Optional.<String>empty();
          }
          return Optional.of(used.get(0)[0]);
        });
  }

  @Override
  public int deleteExpiredRefreshTokens(Instant now) {
    return withConnection(
        "forgetting expired refresh tokens",
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM refresh_tokens WHERE expires_at <= ?")) {
            setTime(delete, 1, now);
            return delete.executeUpdate();
          }
        });
  }

  @Override
  public byte[] signingSecret() {
    return withConnection(
        "reading the token signing secret",
        connection -> {
          String name = "access-token-signing";
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO installation_secrets (name, secret) VALUES (?, ?)"
                      + " ON CONFLICT DO NOTHING")) {
            insert.setString(1, name);
            insert.setString(2, Base64.getEncoder().encodeToString(Secrets.randomBytes(32)));
            insert.executeUpdate();
          }
          String secret =
              first(
                      connection,
                      "SELECT secret FROM installation_secrets WHERE name = ?",
                      row -> row.getString(1),
                      name)
                  .orElseThrow();
          return Base64.getDecoder().decode(secret);
        });
  }

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
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, (String) parameters[i]);
      }
      List<T> result = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          result.add(reader.read(rows));
        }
      }
      return result;
    }
  }

  private static void setTime(PreparedStatement statement, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      statement.setNull(index, Types.TIMESTAMP);
    } else {
      statement.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
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
