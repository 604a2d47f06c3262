package io.playlens.query;

import io.playlens.store.duckdb.SessionRollup;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Folds of a busy account's unsealed events that its questions share. While the sealer is behind by
 * more events than one question should fold in itself, the first question about all of an account's
 * sessions merges them once into a table of an in-memory database ({@code folds.fresh}); the
 * account's questions for the next {@code maxAge} read that instead of merging again. A fold holds
 * the merged rows of every session with events after the seal it started from that were committed
 * when it was made, each with all its committed events.
 *
 * <p>A fold serves a read transaction whose rollup is sealed at the same batch: its sessions' rows
 * replace their sealed rows, and every other session is as sealed. Events committed after the fold
 * was made wait for the next fold or seal; none is counted twice. (A fold cannot serve a later seal
 * even up to the last batch it read: commit batches become visible out of order, so a batch the
 * fold did not see may be sealed with it.)
 */
final class SharedFolds {
  /** A fold of one account and environment's events committed after batch {@code sealed}. */
  record Fold(long id, long sealed, long madeAtNanos) {
    boolean serves(long sealedNow) {
      return sealedNow == sealed;
    }
  }

  private final long maxAgeNanos;

  /** Fold ids, unique in the process: every store's folds table is shared by its connections. */
  private static final AtomicLong IDS = new AtomicLong();

  private final ConcurrentHashMap<String, Fold> latest = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ReentrantLock> making = new ConcurrentHashMap<>();
  private volatile boolean created;

  /**
   * @param maxAgeNanos how long a fold serves questions after its snapshot was taken: the most its
   *     answers lag behind the commits that came after; zero shares no folds
   */
  SharedFolds(long maxAgeNanos) {
    this.maxAgeNanos = maxAgeNanos;
  }

  /** Whether folds are shared at all: not with a maximum age of zero. */
  boolean enabled() {
    return maxAgeNanos > 0;
  }

  /** The latest fold of the account if it is young enough and serves a rollup sealed so far. */
  Fold young(String account, String environment, long sealedNow) {
    Fold fold = latest.get(key(account, environment));
    return fold != null
            && System.nanoTime() - fold.madeAtNanos() <= maxAgeNanos
            && fold.serves(sealedNow)
        ? fold
        : null;
  }

  /**
   * A young fold of the account: one another question made while this one waited, or a new one made
   * here in a transaction of its own on {@code reader} (none may be open on it). One question at a
   * time makes an account's folds; the one before the newest is kept for the questions that may
   * still read it, and older ones are deleted.
   */
  Fold make(ReaderPool.Reader reader, String account, String environment, long sealedNow)
      throws SQLException {
    String key = key(account, environment);
    ReentrantLock lock = making.computeIfAbsent(key, k -> new ReentrantLock());
    lock.lock();
    try {
      Fold fold = young(account, environment, sealedNow);
      if (fold != null) {
        return fold;
      }
      create(reader);
      Fold previous = latest.get(key);
      reader.prepare("BEGIN TRANSACTION").execute();
      boolean committed = false;
      try {
        long sealed = single(reader.prepare("SELECT sealed_batch FROM rollup_state"));
        long madeAt = System.nanoTime();
        long id = IDS.incrementAndGet();
        PreparedStatement insert =
            reader.prepare(
                "INSERT INTO folds.fresh SELECT ?, * FROM ("
                    + SessionRollup.merged("?", Long.toString(Long.MAX_VALUE), true)
                    + ")");
        insert.setLong(1, id);
        insert.setLong(2, sealed);
        insert.setString(3, account);
        insert.setString(4, environment);
        insert.execute();
        PreparedStatement delete =
            reader.prepare(
                "DELETE FROM folds.fresh WHERE account = ? AND environment = ? AND fold_id < ?");
        delete.setString(1, account);
        delete.setString(2, environment);
        delete.setLong(3, previous != null ? previous.id() : id);
        delete.execute();
        reader.prepare("COMMIT").execute();
        committed = true;
        fold = new Fold(id, sealed, madeAt);
        latest.put(key, fold);
        return fold;
      } finally {
        if (!committed) {
          try {
            reader.prepare("ROLLBACK").execute();
          } catch (SQLException e) {
            // the failed statement or COMMIT may have ended the transaction: nothing to undo
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The in-memory database and its table, once per store: every connection of it sees them. */
  private void create(ReaderPool.Reader reader) throws SQLException {
    if (created) {
      return;
    }
    synchronized (this) {
      if (!created) {
        reader.prepare("ATTACH IF NOT EXISTS ':memory:' AS folds").execute();
        reader
            .prepare(
                "CREATE TABLE IF NOT EXISTS folds.fresh AS SELECT 0::BIGINT AS fold_id, * FROM ("
                    + SessionRollup.merged("0", "0", false)
                    + ") LIMIT 0")
            .execute();
        created = true;
      }
    }
  }

  /** The statement reading fold {@code id}'s rows, with {@link SessionRollup#merged}'s columns. */
  static String rows() {
    return "SELECT * EXCLUDE (fold_id) FROM folds.fresh WHERE fold_id = ?";
  }

  private static long single(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  private static String key(String account, String environment) {
    return account + '\n' + environment;
  }
}
