package io.playlens.store;

import java.util.List;

/**
 * Where events live. The embedded default is DuckDB; a cluster store (ClickHouse) implements the
 * same contract. The group committer is the only writer; its threads may call {@link #append}
 * concurrently, each call being one transaction.
 */
public interface EventStore extends AutoCloseable {
  /**
   * Stores the beacons and their events in one transaction: all of them are durable when this
   * returns, or none.
   */
  void append(List<StoredBeacon> beacons) throws StoreException;

  /** Proves the store still accepts writes (a small real write); throws when it does not. */
  void checkWritable() throws StoreException;

  /** The number of stored events; for health, demos and tests. */
  long countEvents() throws StoreException;

  @Override
  void close();
}
