package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A public, write-only key the tracker sends with every beacon. It names the account and
 * environment the events belong to; an empty origin list allows every origin.
 */
public record PlayerKey(
    String key, String account, Environment environment, List<String> allowedOrigins) {
  public PlayerKey {
    requireNonNull(key, "key is null");
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  public boolean allowsOrigin(String origin) {
    return allowedOrigins.isEmpty() || allowedOrigins.contains(origin);
  }
}
