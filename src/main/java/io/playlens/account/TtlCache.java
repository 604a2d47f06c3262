package io.playlens.account;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Metadata answers on a hot path, kept for a short time (absent answers too, so a flood of made-up
 * keys does not reach the store), at most {@code maxEntries} (beyond, the cache starts over).
 * Changes made through this process call {@link #forgetAll()}, so they apply at once; another
 * node's changes apply within the time to live.
 */
final class TtlCache<K, V> {
  private record Entry<V>(Optional<V> value, long expiresNanos) {}

  private final long ttlNanos;
  private final int maxEntries;
  private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

  /** Bumped by every change: a lookup that started before one is not cached after it. */
  private final AtomicLong generation = new AtomicLong();

  TtlCache(Duration ttl, int maxEntries) {
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
  }

  Optional<V> get(K key, Supplier<Optional<V>> load) {
    long now = System.nanoTime();
    Entry<V> entry = entries.get(key);
    if (entry == null || now - entry.expiresNanos() >= 0) {
      long before = generation.get();
      entry = new Entry<>(load.get(), now + ttlNanos);
      if (entries.size() >= maxEntries) {
        entries.clear();
      }
      entries.put(key, entry);
      if (generation.get() != before) {
        entries.remove(key); // a change raced with the load: do not keep what may be stale
      }
    }
    return entry.value();
  }

  void forgetAll() {
    generation.incrementAndGet();
    entries.clear();
  }
}
