package io.playlens.store.duckdb;

import io.playlens.store.EventRow;
import io.playlens.store.StoredBeacon;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * How many events each account and environment has in each commit batch the sealer has not folded
 * yet, kept in memory so a query learns without reading the store whether (and how much) it has to
 * fold in itself. A batch is counted before its commit, so every batch a reader can see is here;
 * counts of sealed batches are dropped one seal late, so a reader that read the sealed batch number
 * a moment ago still finds every batch after it.
 */
final class UnsealedTally {
  /** Batch → (account, environment) → events. */
  private final ConcurrentSkipListMap<Long, Map<Key, Integer>> batches =
      new ConcurrentSkipListMap<>();

  /** Batches up to this one are no longer counted. */
  private volatile long forgottenThrough;

  private record Key(String account, String environment) {}

  /** Counts the events of a batch about to be committed. */
  void add(long batch, List<StoredBeacon> beacons) {
    Map<Key, Integer> counts = new HashMap<>();
    for (StoredBeacon beacon : beacons) {
      for (EventRow row : beacon.events()) {
        counts.merge(new Key(row.account(), row.environment()), 1, Integer::sum);
      }
    }
    batches.put(batch, Map.copyOf(counts));
  }

  /** Forgets a batch whose commit failed. */
  void remove(long batch) {
    batches.remove(batch);
  }

  /**
   * A seal through {@code through} was committed, after one through {@code previous}: the counts up
   * to {@code previous} are no longer needed by any reader that has just read the sealed number.
   */
  void sealed(long previous) {
    forgottenThrough = Math.max(forgottenThrough, previous);
    batches.headMap(previous, true).clear();
  }

  /** The events of every account in batches after {@code sealed}, as far as they are counted. */
  long total(long sealed) {
    long events = 0;
    for (Map<Key, Integer> counts : batches.tailMap(sealed, false).values()) {
      for (int n : counts.values()) {
        events += n;
      }
    }
    return events;
  }

  /**
   * The events of the account and environment in batches after {@code sealed}, or empty when those
   * batches are no longer all counted here (the caller then has to count them in the store).
   */
  OptionalLong after(long sealed, String account, String environment) {
    if (sealed < forgottenThrough) {
      return OptionalLong.empty();
    }
    Key key = new Key(account, environment);
    ConcurrentNavigableMap<Long, Map<Key, Integer>> newer = batches.tailMap(sealed, false);
    long events = 0;
    for (Map<Key, Integer> counts : newer.values()) {
      events += counts.getOrDefault(key, 0);
    }
    // Read last: a seal that dropped counts while they were summed shows here.
    return sealed < forgottenThrough ? OptionalLong.empty() : OptionalLong.of(events);
  }
}
