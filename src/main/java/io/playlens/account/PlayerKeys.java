package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Resolves the player key of a beacon to its key record and account, on the hottest path there is:
 * answers are cached for {@value #TTL_MILLIS} ms (unknown keys too, so a flood of made-up keys does
 * not reach the store). Changes made through this process call {@link #forgetAll()}, so they apply
 * at once; another node's changes apply within the TTL.
 */
public final class PlayerKeys {
  static final long TTL_MILLIS = 2_000;
  private static final int MAX_ENTRIES = 100_000;

  private final MetadataStore store;
  private final TtlCache<String, Resolved> cache =
      new TtlCache<>(java.time.Duration.ofMillis(TTL_MILLIS), MAX_ENTRIES);

  public PlayerKeys(MetadataStore store) {
    this.store = requireNonNull(store, "store is null");
  }

  /** An active player key and its account (which may be suspended). */
  public record Resolved(PlayerKey key, Account account) {}

  /** The key when it exists and is not revoked. */
  public Optional<Resolved> resolve(String key) {
    return cache.get(key, () -> load(key));
  }

  private Optional<Resolved> load(String key) {
    return store
        .playerKey(key)
        .filter(found -> !found.revoked())
        .flatMap(
            found -> store.account(found.account()).map(account -> new Resolved(found, account)));
  }

  public void forgetAll() {
    cache.forgetAll();
  }
}
