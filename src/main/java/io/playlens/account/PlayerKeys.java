package io.playlens.account;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  /** Bumped by every change: a lookup that started before one is not cached after it. */
  private final java.util.concurrent.atomic.AtomicLong generation =
      new java.util.concurrent.atomic.AtomicLong();

  public PlayerKeys(MetadataStore store) {
    this.store = requireNonNull(store, "store is null");
  }

  /** An active player key and its account (which may be suspended). */
  public record Resolved(PlayerKey key, Account account) {}

  private record Entry(Resolved resolved, long expiresNanos) {}

  /** The key when it exists and is not revoked. */
  public Optional<Resolved> resolve(String key) {
    long now = System.nanoTime();
    Entry entry = cache.get(key);
    if (entry == null || now - entry.expiresNanos() >= 0) {
      long before = generation.get();
      entry = new Entry(load(key), now + TTL_MILLIS * 1_000_000);
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
      cache.put(key, entry);
      if (generation.get() != before) {
        cache.remove(key); // a change raced with the load: do not keep what may be stale
      }
    }
    return Optional.ofNullable(entry.resolved());
  }

  private Resolved load(String key) {
    return store
        .playerKey(key)
        .filter(found -> !found.revoked())
        .flatMap(
            found -> store.account(found.account()).map(account -> new Resolved(found, account)))
        .orElse(null);
  }

  public void forgetAll() {
    generation.incrementAndGet();
    cache.clear();
  }
}
