package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A secret key that reads one account's data in one environment. Only a hash of the secret is
 * stored; {@code hint} (its first characters) lets a person tell keys apart in a list.
 */
public record ApiKey(
    String id,
    String account,
    Environment environment,
    String hint,
    Instant createdAt,
    Instant revokedAt) {
  public ApiKey {
    requireNonNull(id, "id is null");
    Account.checkKey(account);
    requireNonNull(environment, "environment is null");
    requireNonNull(hint, "hint is null");
    requireNonNull(createdAt, "createdAt is null");
  }

  public boolean revoked() {
    return revokedAt != null;
  }
}
