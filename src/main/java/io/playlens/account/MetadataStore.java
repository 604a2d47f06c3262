package io.playlens.account;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where accounts, users, keys and media live: the embedded DuckDB file by default, PostgreSQL for
 * several nodes. Writes are rare (administration, a media's first event); reads are point lookups.
 * Failures surface as {@link MetadataException}.
 */
public interface MetadataStore {
  /** An API key with the hash of its secret, as it is stored. */
  record HashedApiKey(ApiKey key, String secretHash) {}

  /**
   * Stores a new account, its first user and its first keys in one transaction; {@link Conflict}
   * when the key or the email is taken.
   */
  void createAccount(
      Account account, User owner, List<HashedApiKey> apiKeys, List<PlayerKey> playerKeys);

  Optional<Account> account(String key);

  List<Account> accounts();

  /** Replaces name, time zone and retention (never the state: see {@link #setAccountState}). */
  void updateAccount(Account account);

  /** Changes only the state, so a concurrent settings change cannot undo a suspension. */
  void setAccountState(String key, Account.State state);

  /** Stores a new user; {@link Conflict} when the email is taken. */
  void createUser(User user);

  Optional<User> userByEmail(String email);

  Optional<User> user(String id);

  /** Replaces a user's role and media; false when the account has no such user. */
  boolean updateUserAccess(String account, String userId, User.Role role, List<String> media);

  /** Deletes the user, their media list and their dashboard sessions; false when none. */
  boolean deleteUser(String account, String userId);

  List<User> users(String account);

  void createApiKey(ApiKey key, String secretHash);

  Optional<ApiKey> apiKeyBySecretHash(String secretHash);

  Optional<ApiKey> apiKey(String id);

  List<ApiKey> apiKeys(String account);

  /** Marks the key revoked; false when the account has no such active key. */
  boolean revokeApiKey(String account, String id, Instant at);

  void createPlayerKey(PlayerKey key);

  Optional<PlayerKey> playerKey(String key);

  List<PlayerKey> playerKeys(String account);

  boolean revokePlayerKey(String account, String key, Instant at);

  /** Stores the media unless the account already has it; true when it was new. */
  boolean registerMedia(Media media);

  Optional<Media> media(String account, Environment environment, String id);

  List<Media> media(String account, Environment environment);

  void updateMedia(Media media);

  /** Stores a new project; {@link Conflict} when the account has one with its id. */
  void createProject(Project project);

  /** Replaces the name and media of the account's project with the id; false when none. */
  boolean replaceProject(Project project);

  Optional<Project> project(String account, String id);

  List<Project> projects(String account);

  /** True when the project existed. */
  boolean deleteProject(String account, String id);

  /** Remembers a refresh token's hash for an API key until it is used or expires. */
  void saveRefreshToken(String tokenHash, String apiKeyId, Instant expiresAt);

  /**
   * Deletes the token and returns its API key id, if it existed and had not expired: each refresh
   * token works once.
   */
  Optional<String> consumeRefreshToken(String tokenHash, Instant now);

  /** Forgets refresh tokens that expired before {@code now}; returns how many. */
  int deleteExpiredRefreshTokens(Instant now);

  /** A signed-in dashboard session, as stored: the hash of its cookie token, never the token. */
  record DashboardSession(
      String tokenHash, String userId, String csrfToken, Instant createdAt, Instant expiresAt) {}

  void saveDashboardSession(DashboardSession session);

  /** The session with the token hash, if it exists and has not expired at {@code now}. */
  Optional<DashboardSession> dashboardSession(String tokenHash, Instant now);

  /** Sign-out: true when the session existed. */
  boolean deleteDashboardSession(String tokenHash);

  /** Forgets sessions that expired before {@code now}; returns how many. */
  int deleteExpiredDashboardSessions(Instant now);

  /** The installation's secret for signing access tokens, created on first use and then shared. */
  byte[] signingSecret();

  /** A write that would duplicate something unique (an account key, an email). */
  final class Conflict extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public Conflict(String message) {
      super(message);
    }
  }
}
