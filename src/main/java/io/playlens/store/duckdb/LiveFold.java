package io.playlens.store.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merged rows of the sessions with events committed after the last seal, kept up to date by
 * steps of their own: every few hundred milliseconds a step merges just the events committed since
 * the step before into these rows (a session's row so far: its live row, else its sealed row), in
 * Java ({@link SessionMerge}). A busy account's questions read them instead of waiting for the next
 * seal, and the seal writes them as they stand into {@code session_rollup} without merging anything
 * itself. Steps go on while a seal is being written.
 *
 * <p>The rows sit in a table of an in-memory database ({@code folds.live}) that every connection of
 * the store sees. Each step is a generation: it closes the rows it replaces ({@code to_gen}) and
 * adds its own ({@code from_gen}), so a question reading generation {@code g} sees exactly the rows
 * of that moment however many steps follow. A row holds all of its session's events up to its
 * generation's {@code through}, and the rows of a generation are those of the sessions with events
 * after its {@code base} seal; so it serves a question whose transaction reads the rollup as sealed
 * at any batch from {@code base} to {@code through}: its rows replace the sealed ones. After each
 * seal the next step starts a new base; a question holds a {@link Lease} on the rows it reads, and
 * those of an earlier base are deleted once none holds them.
 */
public final class LiveFold {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFold.class);

  /** {@code to_gen} of a row no step has replaced. */
  private static final long OPEN = Long.MAX_VALUE;

  /**
   * The live rows as of commit batch {@code through}, merged onto the seal of batch {@code base};
   * that batch was the last committed one at {@code cutAt} (System.nanoTime).
   */
  public record Generation(long id, long base, long through, long cutAt) {
    /** Whether it adds anything to the rollup as sealed at batch {@code sealed}. */
    boolean serves(long sealed) {
      return base <= sealed && sealed < through;
    }
  }

  /** A question's hold on a generation: its rows stay until the lease is closed. */
  public final class Lease implements AutoCloseable {
    private final Generation generation;
    private boolean closed;

    private Lease(Generation generation) {
      this.generation = generation;
    }

    public Generation generation() {
      return generation;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(generation.base());
      }
    }
  }

  private final AtomicLong ids = new AtomicLong();

  /** Steps one at a time, whichever thread asks (the folder's, or a seal's). */
  private final Object stepping = new Object();

  /** The current rows by session, and the commit batch each was last changed by; under stepping. */
  private final Map<SessionMerge.Key, SessionMerge.Row> rows = new HashMap<>();

  private final Map<SessionMerge.Key, Long> changedAt = new HashMap<>();

  /** How many sealed rows and contexts the steps keep in memory, each. */
  private static final int KEPT = 30_000;

  /**
   * Rows the last seals wrote, as they wrote them, by session: the next events of a session read
   * here need no look-up in {@code session_rollup}; under stepping. The retention job, which
   * deletes sealed rows, empties it.
   */
  private final Map<SessionMerge.Key, SessionMerge.Row> sealedRows = lru();

  /** Contexts by id (they never change); under stepping. */
  private final Map<String, SessionMerge.Context> contexts = lru();

  private static <K, V> Map<K, V> lru() {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > KEPT;
      }
    };
  }

  /** The newest generation; the newest of each base still kept; leases per base: under this. */
  private Generation current;

  private final TreeMap<Long, Generation> newestOfBase = new TreeMap<>();
  private final TreeMap<Long, Integer> leases = new TreeMap<>();

  /** The last seal: the base the next step starts from, when it is newer than the current one. */
  private volatile long sealedThrough;

  /** When a question last asked for the live rows (System.nanoTime). */
  private volatile long wantedAt = System.nanoTime() - Long.MAX_VALUE / 2;

  /**
   * What a question finds: a lease on the rows it may read (null: none past its seal), and whether
   * the rows lag, so that it had better fold the unsealed events in itself (see {@code
   * DuckDbEventStore.liveRows}).
   */
  public record Found(Lease lease, boolean lagging) {}

  LiveFold(long sealed) {
    this.sealedThrough = sealed;
    this.current = new Generation(ids.incrementAndGet(), sealed, sealed, System.nanoTime());
  }

  /** The in-memory database and its table, once per store: all its connections see them. */
  static void create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("ATTACH IF NOT EXISTS ':memory:' AS folds");
      // session_rollup's columns and types, in the order of SessionRollup.COLUMNS
      statement.execute(
          "CREATE TABLE IF NOT EXISTS folds.live AS SELECT 0::BIGINT AS base,"
              + " 0::BIGINT AS from_gen, 0::BIGINT AS to_gen, "
              + SessionRollup.COLUMNS
              + ", CAST(NULL AS TIMESTAMP) AS beat_from FROM session_rollup LIMIT 0");
    }
  }

  /** The newest generation. */
  synchronized Generation current() {
    return current;
  }

  /** A query for the rows of a generation, with {@link SessionRollup#COLUMNS} and beat_from. */
  static String rows(Generation generation) {
    return "SELECT "
        + SessionRollup.COLUMNS
        + ", beat_from FROM folds.live WHERE base = "
        + generation.base()
        + " AND from_gen <= "
        + generation.id()
        + " AND to_gen > "
        + generation.id();
  }

  /**
   * The query a question reads the live rows of an account and environment by, with {@link
   * SessionRollup#COLUMNS} and beat_from; its bind parameters are {@link #parameters}. (Bound, not
   * written in: the text stays the same from one generation to the next, and so does the statement
   * a read connection prepared for it.)
   */
  public static String rowsOf() {
    return "SELECT "
        + SessionRollup.COLUMNS
        + ", beat_from FROM folds.live WHERE base = ? AND from_gen <= ? AND to_gen > ?"
        + " AND account = ? AND environment = ?";
  }

  /** The bind parameters of {@link #rowsOf()}. */
  public static Object[] parameters(Generation generation, String account, String environment) {
    return new Object[] {generation.base(), generation.id(), generation.id(), account, environment};
  }

  /**
   * Merges the events of the batches after the newest generation's, through the batch {@code cut}
   * gives (all committed up to it), into the live rows, in a transaction of its own on {@code
   * connection}; after a seal it starts the rows of the new base. Returns the generation that then
   * holds every committed batch up to at least that batch. The cut is taken once this step's turn
   * has come, so a step that waited for another (or for a seal's commit) misses nothing committed
   * meanwhile.
   */
  Generation step(DuckDBConnection connection, LongSupplier cut) throws SQLException {
    synchronized (stepping) {
      long through = cut.getAsLong();
      long cutAt = System.nanoTime();
      Generation from = current();
      long base = Math.max(from.base(), sealedThrough);
      boolean rebase = base != from.base();
      // The events already in these rows, or sealed (a seal may have merged past them itself).
      long after = Math.max(from.through(), base);
      long upTo = Math.max(through, after);
      if (upTo == from.through() && !rebase) {
        return from;
      }
      if (rebase) {
        // What the seal wrote is in the sealed rows now: those sessions start from them again. A
        // seal that went past these rows (it merged the events itself) sealed events they lack:
        // every row kept here may be behind it, and all go.
        if (base > from.through()) {
          sealedRows.clear();
          rows.clear();
          changedAt.clear();
        }
        changedAt.values().removeIf(batch -> batch <= base);
        for (Iterator<Map.Entry<SessionMerge.Key, SessionMerge.Row>> it =
                rows.entrySet().iterator();
            it.hasNext(); ) {
          Map.Entry<SessionMerge.Key, SessionMerge.Row> row = it.next();
          if (!changedAt.containsKey(row.getKey())) {
            sealedRows.put(row.getKey(), row.getValue());
            it.remove();
          }
        }
      }
      long started = System.nanoTime();
      Map<SessionMerge.Key, List<SessionMerge.Event>> events =
          upTo > after ? SessionMerge.events(connection, after, upTo, contexts) : Map.of();
      long read = System.nanoTime();
      Set<SessionMerge.Key> unknown = new HashSet<>();
      for (SessionMerge.Key key : events.keySet()) {
        if (!rows.containsKey(key) && !sealedRows.containsKey(key)) {
          unknown.add(key);
        }
      }
      Map<SessionMerge.Key, SessionMerge.Row> sealed = SessionMerge.sealedRows(connection, unknown);
      long looked = System.nanoTime();
      Map<SessionMerge.Key, SessionMerge.Row> merged = new HashMap<>();
      boolean replacing = false;
      for (Map.Entry<SessionMerge.Key, List<SessionMerge.Event>> session : events.entrySet()) {
        SessionMerge.Row known = rows.get(session.getKey());
        replacing |= known != null && !rebase;
        SessionMerge.Row onto = known;
        if (onto == null) {
          onto = sealedRows.remove(session.getKey());
        }
        if (onto == null) {
          onto = sealed.get(session.getKey());
        }
        merged.put(
            session.getKey(), SessionMerge.merge(session.getKey(), onto, session.getValue()));
      }
      Map<SessionMerge.Key, SessionMerge.Row> written = merged;
      if (rebase) {
        written = new HashMap<>(rows);
        written.putAll(merged);
      }
      long id = ids.incrementAndGet();
      long mergedAt = System.nanoTime();
      long appended;
      long updated;
      try (Statement statement = connection.createStatement()) {
        statement.execute("BEGIN TRANSACTION");
        try {
          try (DuckDBAppender appender = connection.createAppender("folds", "main", "live")) {
            for (SessionMerge.Row row : written.values()) {
              SessionMerge.append(appender, row, base, id, OPEN);
            }
          }
          appended = System.nanoTime();
          if (replacing) {
            statement.execute(
                "UPDATE folds.live l SET to_gen = "
                    + id
                    + " WHERE l.base = "
                    + base
                    + " AND l.to_gen = "
                    + OPEN
                    + " AND l.from_gen < "
                    + id
                    + " AND EXISTS (SELECT 1 FROM folds.live s WHERE s.from_gen = "
                    + id
                    + " AND s.account = l.account AND s.environment = l.environment"
                    + " AND s.session_id = l.session_id)");
          }
          updated = System.nanoTime();
          statement.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
          statement.execute("ROLLBACK");
          throw e;
        }
      }
      long wrote = System.nanoTime();
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            "Step {}: {} sessions' events read in {} ms, {} sealed rows looked up in {} ms,"
                + " merged in {} ms, {} rows written in {} ms (appended {}, replaced {}, committed"
                + " {})",
            id,
            events.size(),
            DuckDbEventStore.millis(read - started),
            unknown.size(),
            DuckDbEventStore.millis(looked - read),
            DuckDbEventStore.millis(mergedAt - looked),
            written.size(),
            DuckDbEventStore.millis(wrote - mergedAt),
            DuckDbEventStore.millis(appended - mergedAt),
            DuckDbEventStore.millis(updated - appended),
            DuckDbEventStore.millis(wrote - updated));
      }
      rows.putAll(merged);
      for (SessionMerge.Key key : merged.keySet()) {
        changedAt.put(key, upTo);
      }
      Generation next = new Generation(id, base, upTo, cutAt);
      synchronized (this) {
        current = next;
        newestOfBase.put(base, next);
      }
      tidy(connection);
      return next;
    }
  }

  /** A piece of SQL work, for {@link #sealing} and {@link #replacingSealedRows}. */
  @FunctionalInterface
  interface Work {
    void run() throws SQLException;
  }

  /**
   * Commits a seal through {@code through} with {@code commit} and has the next step start its rows
   * over from it. A seal that merged the events itself ({@code merged}) commits with no step
   * running meanwhile: a step that read a session's newly sealed row, but still took the events
   * after the live rows' last batch, would count the sealed ones twice. A seal that wrote the rows
   * of a generation as they stood needs no such care, and its commit (a few hundred milliseconds
   * under load) holds up no step: a step meanwhile still extends the rows of the previous base,
   * which hold every session the seal changed, and reads sealed rows only of sessions it did not
   * change.
   */
  void sealing(Work commit, long through, boolean merged) throws SQLException {
    if (merged) {
      synchronized (stepping) {
        commit.run();
        sealedThrough = through;
      }
    } else {
      commit.run();
      sealedThrough = through;
    }
  }

  /**
   * Runs {@code work} (a seal, then the retention job's deletion of sealed rows) with no step
   * running meanwhile; then forgets every row kept here, since some may extend a deleted one. The
   * next step starts after that seal and reads the sessions' rows again.
   */
  void replacingSealedRows(Work work) throws SQLException {
    synchronized (stepping) {
      work.run();
      rows.clear();
      changedAt.clear();
      sealedRows.clear();
    }
  }

  /** Whether a question has asked for the live rows within {@code window}. */
  boolean wanted(java.time.Duration window) {
    return System.nanoTime() - wantedAt < window.toNanos();
  }

  /** Deletes the rows of earlier bases that no question holds any more. */
  void tidy(Connection connection) {
    Set<Long> gone = new HashSet<>();
    synchronized (this) {
      for (Long base : newestOfBase.headMap(current.base(), false).keySet()) {
        if (!leases.containsKey(base)) {
          gone.add(base);
        }
      }
      newestOfBase.keySet().removeAll(gone);
    }
    for (long base : gone) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("DELETE FROM folds.live WHERE base = " + base);
      } catch (SQLException e) {
        LOG.warn("Deleting the live rows of seal {} failed: {}", base, e.getMessage());
      }
    }
  }

  /**
   * A lease on the newest generation that serves a question whose transaction reads the rollup as
   * sealed at batch {@code sealed}: null when none adds anything to it.
   */
  public Lease lease(long sealed) {
    wantedAt = System.nanoTime();
    synchronized (this) {
      Map.Entry<Long, Generation> entry = newestOfBase.floorEntry(sealed);
      if (entry == null || !entry.getValue().serves(sealed)) {
        return null;
      }
      leases.merge(entry.getKey(), 1, Integer::sum);
      return new Lease(entry.getValue());
    }
  }

  private synchronized void release(long base) {
    leases.computeIfPresent(base, (b, n) -> n == 1 ? null : n - 1);
  }
}
