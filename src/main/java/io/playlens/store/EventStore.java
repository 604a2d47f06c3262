package io.playlens.store;

import java.time.Instant;
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

  /**
   * Folds every committed event not folded yet into the per-session rollup the queries read
   * (queries add what is not folded yet themselves, so this changes no answer, only its cost).
   * Returns the number of session rows written.
   */
  long seal() throws StoreException;

  /** Proves the store still accepts writes (a small real write); throws when it does not. */
  void checkWritable() throws StoreException;

  /**
   * Deletes the events of one account and environment whose event time is before {@code before},
   * and their context rows once no event refers to them and they are {@link #CONTEXT_GRACE} older
   * still (a live session's context stays while its cached id may be used). Returns the number of
   * events deleted.
   */
  long deleteBefore(String account, String environment, Instant before) throws StoreException;

  /** How much older than the cut-off an unreferenced context row must be to go. */
  java.time.Duration CONTEXT_GRACE = java.time.Duration.ofDays(2);

  /** The number of stored events; for health, demos and tests. */
  long countEvents() throws StoreException;

  @Override
  void close();
}
