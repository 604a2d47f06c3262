package io.playlens.query;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What a question looks at: the playback sessions of one account and environment, through their
 * events in [from, to), within the filters.
 */
public record Scope(String account, String environment, Instant from, Instant to, Filters filters) {
  public Scope {
    requireNonNull(account, "account is null");
    requireNonNull(environment, "environment is null");
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    requireNonNull(filters, "filters is null");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
  }
}
