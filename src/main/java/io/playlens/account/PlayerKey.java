package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A public, write-only key the tracker sends with every beacon. It names the account and
 * environment the events belong to; an empty origin list allows every origin. Player keys appear in
 * every page that embeds the tracker, so unlike API keys they are stored as they are (the dashboard
 * shows them in the snippet to copy).
 */
public record PlayerKey(
    String key,
    String account,
    Environment environment,
    List<String> allowedOrigins,
    Instant createdAt,
    Instant revokedAt) {
  public PlayerKey {
    requireNonNull(key, "key is null");
    Account.checkKey(account);
    requireNonNull(environment, "environment is null");
    allowedOrigins = List.copyOf(allowedOrigins);
    requireNonNull(createdAt, "createdAt is null");
  }

  public boolean allowsOrigin(String origin) {
    return allowedOrigins.isEmpty() || allowedOrigins.contains(origin);
  }

  public boolean revoked() {
    return revokedAt != null;
  }
}
