package io.playlens.account;

import static java.util.Objects.requireNonNull;

import io.playlens.server.ClientError;
import io.playlens.server.ClientError.Code;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns an {@code Authorization} header into a {@link Principal}, in each form the two APIs accept,
 * or refuses it: 401 for missing or wrong credentials, 403 for a suspended account, 429 when a
 * client IP has failed too often this minute. Error messages never repeat what was sent.
 */
public final class Authenticator {
  static final Duration REFRESH_TOKEN_LIFETIME = Duration.ofDays(30);

  /**
   * How long a verified API key and its account are trusted without asking the store again: every
   * API request checks its key, and the two lookups were a third of a small query's time. A change
   * made through this process applies at once ({@link #forgetCredentials}); another node's within
   * this time.
   */
  static final Duration CREDENTIAL_CACHE = Duration.ofSeconds(2);

  private static final int CACHED_CREDENTIALS = 100_000;

  private final MetadataStore store;
  private final Passwords passwords;
  private final AccessTokens tokens;
  private final RateLimiter failures;
  private final int failuresPerMinute;
  private final Clock clock;
  private final TtlCache<String, ApiKey> keysByHash =
      new TtlCache<>(CREDENTIAL_CACHE, CACHED_CREDENTIALS);
  private final TtlCache<String, ApiKey> keysById =
      new TtlCache<>(CREDENTIAL_CACHE, CACHED_CREDENTIALS);
  private final TtlCache<String, Account> accounts =
      new TtlCache<>(CREDENTIAL_CACHE, CACHED_CREDENTIALS);

  public Authenticator(
      MetadataStore store,
      Passwords passwords,
      AccessTokens tokens,
      RateLimiter failures,
      int failuresPerMinute,
      Clock clock) {
    this.store = requireNonNull(store, "store is null");
    this.passwords = requireNonNull(passwords, "passwords is null");
    this.tokens = requireNonNull(tokens, "tokens is null");
    this.failures = requireNonNull(failures, "failures is null");
    this.failuresPerMinute = failuresPerMinute;
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** An access token and the single-use refresh token that renews it. */
  public record TokenPair(String accessToken, String refreshToken, long expiresInSeconds) {}

  private sealed interface Credentials {}

  private record Basic(String username, String password) implements Credentials {}

  private record Bearer(String token) implements Credentials {}

  /**
   * Wistia's forms: Basic with a user's email (a {@code %40} for the {@code @} works too) and
   * password; Bearer with an API key; Basic with username {@code api} and the API key as password.
   */
  public Principal wistia(String authorization, String clientIp) {
    return switch (credentials(authorization)) {
      case Bearer bearer -> guarded(clientIp, () -> byApiKey(bearer.token()));
      case Basic basic when basic.username().equals("api") ->
          guarded(clientIp, () -> byApiKey(basic.password()));
      case Basic basic -> guarded(clientIp, () -> byPassword(basic));
    };
  }

  /**
   * api.video's forms: Basic with the API key as username and an empty password; Bearer with an
   * access token from {@link #issueTokens}.
   */
  public Principal apiVideo(String authorization, String clientIp) {
    return switch (credentials(authorization)) {
      case Bearer bearer -> guarded(clientIp, () -> byAccessToken(bearer.token()));
      case Basic basic -> guarded(clientIp, () -> byApiKey(basic.username()));
    };
  }

  /** A user signing in with email and password (the admin API). */
  public Principal user(String authorization, String clientIp) {
    return switch (credentials(authorization)) {
      case Basic basic -> guarded(clientIp, () -> byPassword(basic));
      case Bearer bearer ->
          throw unauthenticated("use HTTP Basic with a user's email and password");
    };
  }

  /** The dashboard's sign-in form: email and password, under the same failure budget per IP. */
  public Principal signIn(String email, String password, String clientIp) {
    return guarded(
        clientIp,
        () -> byPassword(new Basic(email == null ? "" : email, password == null ? "" : password)));
  }

  /**
   * The user of a dashboard session, looked up again on every request so that a removed user or a
   * suspended account loses access at once.
   */
  public Principal sessionUser(String userId, Environment environment) {
    User user =
        store
            .user(userId)
            .orElseThrow(() -> unauthenticated("the user of this session no longer exists"));
    return new Principal(activeAccount(user.account()), environment, user, "user:" + user.id());
  }

  /** Forgets cached keys and accounts: called on every change made through this process. */
  public void forgetCredentials() {
    keysByHash.forgetAll();
    keysById.forgetAll();
    accounts.forgetAll();
  }

  /** {@code POST /auth/api-key}: trades an API key for an access and a refresh token. */
  public TokenPair issueTokens(String apiKey, String clientIp) {
    Principal principal = guarded(clientIp, () -> byApiKey(apiKey == null ? "" : apiKey));
    return tokensFor(principal.credentialId().substring("key:".length()));
  }

  /** {@code POST /auth/refresh}: a refresh token works once and yields a new pair. */
  public TokenPair refresh(String refreshToken, String clientIp) {
    Principal principal =
        guarded(
            clientIp,
            () -> {
              String keyId =
                  store
                      .consumeRefreshToken(
                          Secrets.hash(refreshToken == null ? "" : refreshToken), clock.instant())
                      .orElseThrow(() -> unauthenticated("invalid or used refresh token"));
              return activeKey(keyId);
            });
    return tokensFor(principal.credentialId().substring("key:".length()));
  }

  private TokenPair tokensFor(String apiKeyId) {
    ApiKey key = store.apiKey(apiKeyId).orElseThrow();
    String refresh = Secrets.random("rt_", 48);
    store.saveRefreshToken(
        Secrets.hash(refresh), key.id(), clock.instant().plus(REFRESH_TOKEN_LIFETIME));
    return new TokenPair(tokens.issue(key), refresh, AccessTokens.LIFETIME.toSeconds());
  }

  /**
   * Runs a credential check unless the client IP is over its failure budget. The attempt is counted
   * before the check and given back when the credentials prove right, so parallel guesses cannot
   * all pass the budget while their bcrypt checks run. A suspended account is not a failure: the
   * credentials were right.
   */
  private Principal guarded(String clientIp, java.util.function.Supplier<Principal> check) {
    String ipKey = "auth-failures:" + addressBlock(clientIp);
    RateLimiter.Decision budget = failures.acquire(ipKey, failuresPerMinute);
    if (!budget.allowed()) {
      failures.refund(ipKey); // refused without a check: not an attempt
      throw new TooManyRequests(
          "too many failed sign-in attempts from this address; retry in "
              + budget.retryAfterSeconds()
              + " s",
          budget);
    }
    boolean failed = false;
    try {
      return check.get();
    } catch (ClientError e) {
      failed = e.status() == 401;
      throw e;
    } finally {
      if (!failed) {
        failures.refund(ipKey);
      }
    }
  }

  /**
   * IPv4 addresses count alone; IPv6 ones by their /64, which one client usually owns whole (it
   * could otherwise rotate addresses to reset its budget).
   */
  static String addressBlock(String ip) {
    if (ip.indexOf(':') < 0) {
      return ip;
    }
    try {
      byte[] bytes = java.net.InetAddress.getByName(ip).getAddress();
      if (bytes.length != 16) {
        return ip;
      }
      return java.util.HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
    } catch (java.net.UnknownHostException e) {
      return ip;
    }
  }

  private Principal byApiKey(String secret) {
    if (secret.isEmpty()) {
      throw unauthenticated("missing API key");
    }
    String hash = Secrets.hash(secret);
    ApiKey key =
        keysByHash
            .get(hash, () -> store.apiKeyBySecretHash(hash))
            .filter(candidate -> !candidate.revoked())
            .orElseThrow(() -> unauthenticated("invalid API key"));
    return principalFor(key);
  }

  private Principal byAccessToken(String token) {
    AccessTokens.Claims claims =
        tokens.verify(token).orElseThrow(() -> unauthenticated("invalid or expired access token"));
    return activeKey(claims.apiKeyId());
  }

  private Principal activeKey(String keyId) {
    ApiKey key =
        keysById
            .get(keyId, () -> store.apiKey(keyId))
            .filter(candidate -> !candidate.revoked())
            .orElseThrow(() -> unauthenticated("the API key of this token was revoked"));
    return principalFor(key);
  }

  private Principal principalFor(ApiKey key) {
    Account account = activeAccount(key.account());
    return new Principal(account, key.environment(), null, "key:" + key.id());
  }

  private Principal byPassword(Basic basic) {
    String email = decodeUsername(basic.username()).toLowerCase(Locale.ROOT);
    Optional<User> found = store.userByEmail(email);
    if (found.isEmpty()) {
      // Spend the time a real check takes, so response times do not reveal which emails exist.
      passwords.verify(email, basic.password(), Passwords.DUMMY_HASH);
      throw unauthenticated("wrong email or password");
    }
    User user = found.get();
    if (!passwords.verify(email, basic.password(), user.passwordHash())) {
      throw unauthenticated("wrong email or password");
    }
    Account account = activeAccount(user.account());
    return new Principal(account, Environment.PRODUCTION, user, "user:" + user.id());
  }

  private Account activeAccount(String key) {
    Account account =
        accounts
            .get(key, () -> store.account(key))
            .orElseThrow(() -> unauthenticated("the account no longer exists"));
    if (!account.active()) {
      throw new ClientError(403, Code.FORBIDDEN, "the account '" + key + "' is suspended");
    }
    return account;
  }

  /** Credentials in a URL ({@code https://me%40foo.test:pw@host/}) may arrive still encoded. */
  static String decodeUsername(String username) {
    if (username.indexOf('%') < 0) {
      return username;
    }
    try {
      return URLDecoder.decode(username.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return username;
    }
  }

  private static Credentials credentials(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw unauthenticated("authentication required");
    }
    String header = authorization.strip();
    int space = header.indexOf(' ');
    String scheme = space < 0 ? header : header.substring(0, space);
    String value = space < 0 ? "" : header.substring(space + 1).strip();
    if (scheme.equalsIgnoreCase("Bearer")) {
      if (value.isEmpty()) {
        throw unauthenticated("empty bearer token");
      }
      return new Bearer(value);
    }
    if (scheme.equalsIgnoreCase("Basic")) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw unauthenticated("malformed Basic credentials (expected base64 of user:password)");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw unauthenticated("malformed Basic credentials (expected base64 of user:password)");
      }
      return new Basic(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
    throw unauthenticated("unsupported authorization scheme; use Basic or Bearer");
  }

  private static ClientError unauthenticated(String message) {
    return new ClientError(401, Code.UNAUTHENTICATED, message);
  }
}
