package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * Who is asking, once authenticated: the account and environment every read is confined to, and the
 * credential that proved it (the unit rate limits count by).
 *
 * @param user the signed-in user, or null for an API key or its token
 * @param credentialId {@code user:<id>} or {@code key:<id>}
 */
public record Principal(Account account, Environment environment, User user, String credentialId) {
  static final Duration SANDBOX_WINDOW = Duration.ofHours(24);

  public Principal {
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(credentialId, "credentialId is null");
  }

  public String accountKey() {
    return account.key();
  }

  /** Whether this principal may read the media: users may be limited to listed media. */
  public boolean canRead(String mediaId) {
    return user == null || user.canRead(mediaId);
  }

  public boolean owner() {
    return user != null && user.owner();
  }

  public boolean operator() {
    return user != null && user.operator();
  }

  /**
   * The earliest data this principal sees: the last 24 hours in the sandbox, the account's
   * retention in production.
   */
  public Instant earliestVisible(Instant now) {
    return now.minus(
        environment == Environment.SANDBOX ? SANDBOX_WINDOW : account.retention().duration());
  }
}
