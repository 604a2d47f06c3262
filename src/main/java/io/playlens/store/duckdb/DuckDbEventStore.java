package io.playlens.store.duckdb;

import static java.util.Objects.requireNonNull;

import io.playlens.store.ContextRow;
import io.playlens.store.EventRow;
import io.playlens.store.EventStore;
import io.playlens.store.Migration;
import io.playlens.store.Migrator;
import io.playlens.store.SessionContext;
import io.playlens.store.StoreException;
import io.playlens.store.StoredBeacon;
import io.playlens.store.sql.SqlMetadataStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded event store: DuckDB files under the data dir, owned by this process. Writes come
 * from the group committer alone and go through DuckDB's appender inside one transaction per batch,
 * so a commit is one WAL sync however many requests it carries.
 *
 * <p>The main file ({@link #FILE_NAME}) holds the session rollup and the metadata; raw events and
 * their contexts are committed to one of two ingest files ({@link #INGEST_FILE_NAMES}) at a time,
 * and the main file's {@code events} and {@code contexts} views read all of them (migration 14 says
 * why). When the ingest file taking the commits has a checkpoint's worth of WAL, the commits move
 * to the other one and the first is checkpointed meanwhile: a DuckDB checkpoint lets no write
 * transaction start on its database, so no acknowledgement waits for one.
 */
public final class DuckDbEventStore implements EventStore {
  private static final Logger LOG = LoggerFactory.getLogger(DuckDbEventStore.class);

  public static final String FILE_NAME = "playlens.duckdb";

  /** The ingest files beside it, attached as {@code ingest0} and {@code ingest1}. */
  public static final List<String> INGEST_FILE_NAMES =
      List.of("playlens-ingest-0.duckdb", "playlens-ingest-1.duckdb");

  /**
   * Where raw events are: the main file (null: what it held before migration 14), then the ingest
   * files, as attached ({@code ingest0}, {@code ingest1}).
   */
  static final List<String> CATALOGS = catalogsOf(INGEST_FILE_NAMES.size());

  private static List<String> catalogsOf(int ingestFiles) {
    List<String> catalogs = new java.util.ArrayList<>();
    catalogs.add(null);
    for (int i = 0; i < ingestFiles; i++) {
      catalogs.add("ingest" + i);
    }
    return java.util.Collections.unmodifiableList(catalogs);
  }

  /** The main file's migration that moved the raw events to the ingest files. */
  private static final int INGEST_FILES_SINCE = 14;

  /** The schema of each ingest file, versioned in the file itself. */
  static final List<Migration> INGEST_MIGRATIONS =
      List.of(
          new Migration(1, "session contexts and raw events", "db/duckdb/ingest/V001__events.sql"));

  /**
   * The file also holds the metadata (accounts, keys, media) that {@code SqlMetadataStore} reads:
   * its migrations (2, 7 and 8) are the ones PostgreSQL gets, so the numbers interleave.
   */
  static final List<Migration> MIGRATIONS =
      Stream.concat(
              Stream.of(
                  new Migration(1, "session contexts and raw events", "db/duckdb/V001__events.sql"),
                  new Migration(
                      3, "all-time plays past retention", "db/duckdb/V003__play_archive.sql"),
                  new Migration(4, "per-session rollup", "db/duckdb/V004__session_rollup.sql"),
                  new Migration(5, "session lookups", "db/duckdb/V005__session_indexes.sql"),
                  new Migration(6, "session versions", "db/duckdb/V006__session_versions.sql"),
                  new Migration(9, "per-session plays", "db/duckdb/V009__session_plays.sql"),
                  new Migration(10, "viewers per day", "db/duckdb/V010__daily_viewers.sql"),
                  new Migration(11, "engagement per day", "db/duckdb/V011__daily_engagement.sql"),
                  new Migration(12, "visitors per media", "db/duckdb/V012__media_visitors.sql"),
                  new Migration(
                      13,
                      "session ids stored uncompressed",
                      "db/duckdb/V013__session_ids_uncompressed.sql"),
                  new Migration(
                      INGEST_FILES_SINCE,
                      "events in ingest files",
                      "db/duckdb/V014__ingest_files.sql")),
              SqlMetadataStore.MIGRATIONS.stream())
          .sorted(java.util.Comparator.comparingInt(Migration::version))
          .toList();

  /** How often the sealer folds committed batches into the session rollup, by default. */
  static final Duration SEAL_INTERVAL = Duration.ofSeconds(1);

  /** How often it folds them into the live rows between seals, by default. */
  public static final Duration FOLD_INTERVAL = Duration.ofMillis(100);

  /** From how many unsealed events on it does, by default (each question folds in fewer). */
  public static final int FOLD_FROM = 500;

  /**
   * The most events one step into the live rows takes: past that (a seal's worth of 100-event
   * batches) the steps wait for the next seal, which merges them in SQL.
   */
  static final int STEP_EVENTS = 20_000;

  /** How long after a question last asked for the live rows the folder keeps them up to date. */
  static final Duration WANTED_FOR = Duration.ofSeconds(30);

  /**
   * Live rows whose events were cut more than this many fold intervals ago lag behind the folder's
   * usual pace (it has just started after a quiet spell, when the first steps read every session's
   * sealed row, or it falls behind): a question then folds the unsealed events in itself, when
   * there are few enough (see {@code Queries}).
   */
  static final int LIVE_BEHIND_STEPS = 5;

  /**
   * WAL size at which the background checkpointer folds it into its database file; for the ingest
   * file taking the commits, at which they move to the other one first.
   */
  static final long CHECKPOINT_WAL_BYTES = 16L << 20;

  /** How often the checkpointer looks at the WAL sizes. */
  private static final Duration CHECKPOINT_POLL = Duration.ofMillis(250);

  /** One ingest file: where it is, its name in SQL, and the appends on it right now. */
  private static final class IngestFile {
    final String alias;
    final Path wal;

    /** Appends that chose this file and have not committed (or rolled back) yet. */
    final AtomicInteger appending = new AtomicInteger();

    IngestFile(String alias, Path file) {
      this.alias = alias;
      this.wal = walOf(file);
    }
  }

  private final Path file;

  /** The ingest files, in the order of {@link #INGEST_FILE_NAMES}. */
  private final List<IngestFile> ingest;

  /** The index in {@link #ingest} of the file new appends go to. */
  private volatile int taking;

  private final DuckDBConnection root;
  private final DuckDBConnection probe;
  private final Thread checkpointer;
  private final Thread sealer;
  private final Thread folder;
  private final Duration sealInterval;

  /** How often the folder thread folds new events into {@link #live}; zero: never. */
  private final Duration foldInterval;

  /** More unsealed events than this, and the folder folds them into {@link #live}. */
  private final int foldFrom;

  /** The merged rows of the sessions with unsealed events, kept by the folder's steps. */
  private final LiveFold live;

  /** The last batch committed before this process opened the store. */
  private final long countedFrom;

  private volatile boolean closing;

  /**
   * The last batch folded into the rollup ({@code rollup_state.sealed_batch}); only {@link #seal}
   * changes it, in this process, so it is kept here rather than read on every run.
   */
  private volatile long sealedThrough;

  /** The last commit batch number handed out; each append takes the next. */
  private final AtomicLong batches;

  /**
   * Appends hold it shared from taking their batch number to their commit; the sealer takes it
   * exclusively for an instant, so every batch up to the number it reads there is committed (or
   * rolled back) and none can still appear below it.
   */
  private final ReentrantReadWriteLock cut = new ReentrantReadWriteLock();

  /** One seal at a time (the sealer thread, the retention job, tests). */
  private final Object sealLock = new Object();

  /** Events per account and environment in the batches not sealed yet. */
  private final UnsealedTally unsealed = new UnsealedTally();

  /** Seals that folded something, and the time they took in all, for {@code /metrics}. */
  private final AtomicLong seals = new AtomicLong();

  private final AtomicLong sealNanos = new AtomicLong();

  /** Folds into the live rows between seals, and their time, for {@code /metrics}. */
  private final AtomicLong folds = new AtomicLong();

  private final AtomicLong foldNanos = new AtomicLong();

  /** Idle writers: one per committer thread at most. */
  private final ConcurrentLinkedQueue<Writer> writers = new ConcurrentLinkedQueue<>();

  /**
   * A connection with its transaction statements prepared once: the commit path runs them thousands
   * of times a second, and parsing and planning them each time showed in profiles.
   */
  private record Writer(
      DuckDBConnection connection,
      PreparedStatement begin,
      PreparedStatement commit,
      PreparedStatement rollback)
      implements AutoCloseable {
    static Writer open(DuckDBConnection root) throws SQLException {
      DuckDBConnection connection = root.duplicate();
      return new Writer(
          connection,
          connection.prepareStatement("BEGIN TRANSACTION"),
          connection.prepareStatement("COMMIT"),
          connection.prepareStatement("ROLLBACK"));
    }

    @Override
    public void close() throws SQLException {
      begin.close();
      commit.close();
      rollback.close();
      connection.close();
    }
  }

  private DuckDbEventStore(
      DuckDBConnection root,
      DuckDBConnection probe,
      Path file,
      List<IngestFile> ingest,
      long lastBatch,
      long sealed,
      Folding folding) {
    this.sealInterval = folding.sealInterval();
    this.foldInterval = folding.foldInterval();
    this.foldFrom = folding.foldFrom();
    this.sealedThrough = sealed;
    this.countedFrom = lastBatch;
    this.live = new LiveFold(sealed);
    this.root = root;
    this.probe = probe;
    this.file = file;
    this.ingest = ingest;
    this.batches = new AtomicLong(lastBatch);
    this.checkpointer =
        Thread.ofPlatform().daemon().name("playlens-checkpointer").unstarted(this::checkpointLoop);
    this.sealer = Thread.ofPlatform().daemon().name("playlens-sealer").unstarted(this::sealLoop);
    this.folder = Thread.ofPlatform().daemon().name("playlens-folder").unstarted(this::foldLoop);
  }

  /**
   * Seals every {@code sealInterval}, so queries have little besides the rollup to read. The
   * interval runs from one seal's start to the next's, so what was committed meanwhile waits no
   * longer than it must; but after a seal the sealer rests at least as long as that seal took, so
   * when ingestion outpaces it (seals grow long) it is sealing at most half the time and leaves the
   * cores to the committers.
   */
  private void sealLoop() {
    long started = System.nanoTime();
    while (!closing) {
      try {
        long ended = System.nanoTime();
        long next = Math.max(started + sealInterval.toNanos(), ended + (ended - started));
        if (next > ended) {
          Thread.sleep(Duration.ofNanos(next - ended));
        }
        started = System.nanoTime();
        seal();
      } catch (InterruptedException e) {
        return;
      } catch (StoreException | RuntimeException e) {
        LOG.warn("Sealing the session rollup failed; retrying", e);
      }
    }
  }

  /**
   * Every {@code foldInterval}, while more than {@code foldFrom} events are unsealed and questions
   * have asked for the live rows in the last {@link #WANTED_FOR}, folds the events committed since
   * into the {@link LiveFold} (up to {@link #STEP_EVENTS} at a time: beyond, they wait for the
   * seal): a busy account's questions read those rows, so they count an event within a fold
   * interval and a fold rather than a seal interval and a seal; and the seal then writes them
   * without merging anything itself. With nobody asking, nothing is folded.
   */
  private void foldLoop() {
    while (!closing) {
      try {
        Thread.sleep(foldInterval);
        if (live.wanted(WANTED_FOR) && unsealed.total(sealedThrough) > foldFrom) {
          if (stepFits()) {
            fold();
          } else {
            LOG.debug("Not folding: more than {} events behind, or a previous run's", STEP_EVENTS);
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (StoreException | RuntimeException e) {
        LOG.warn("Folding the unsealed events failed; retrying", e);
      }
    }
  }

  /**
   * Whether a step may fold now: every batch a previous run left is sealed (the tally that bounds a
   * step does not count them) and at most {@link #STEP_EVENTS} events are behind the live rows.
   */
  private boolean stepFits() {
    return sealedThrough >= countedFrom && unsealed.total(live.current().through()) <= STEP_EVENTS;
  }

  /**
   * Folds the batches committed since the last fold or seal into the live rows that the questions
   * of a busy account read (see {@link LiveFold}); returns the commit batch they now reach.
   */
  public long fold() throws StoreException {
    try (DuckDBConnection connection = root.duplicate()) {
      long started = System.nanoTime();
      LiveFold.Generation before = live.current();
      LiveFold.Generation generation = live.step(connection, this::committedThrough);
      if (generation != before) {
        long took = System.nanoTime() - started;
        folds.incrementAndGet();
        foldNanos.addAndGet(took);
        LOG.debug(
            "Folded batches {}..{} (base {}) in {} ms",
            before.through() + 1,
            generation.through(),
            generation.base(),
            millis(took));
      }
      return generation.through();
    } catch (SQLException e) {
      throw new StoreException("folding the unsealed events failed: " + e.getMessage(), e);
    }
  }

  /**
   * A question's hold on the live rows, for a transaction that read the rollup as sealed at batch
   * {@code sealed} (null when they hold nothing beyond that seal: see {@link LiveFold#lease}), and
   * whether they lag behind the commits of its account and environment: when the rows it may read
   * (or, with none past its seal, the folder's last step) were cut more than {@link
   * #LIVE_BEHIND_STEPS} fold intervals ago, and the account has committed events since. So they lag
   * after a quiet spell, when the folder has kept no rows and its first steps read every active
   * session's sealed row, and when it falls behind; right after a seal in a busy spell, before the
   * next step, they do not, and the rows just sealed answer a question about all sessions (a
   * filtered one folds in its own sessions: see {@code Queries#query}). Without a folder (a zero
   * fold interval) they never lag. Asking has the folder keep them from its next step on.
   */
  public LiveFold.Found liveRows(long sealed, String account, String environment) {
    LiveFold.Lease lease = live.lease(sealed);
    if (foldInterval.isZero()) {
      return new LiveFold.Found(lease, false);
    }
    LiveFold.Generation rows = lease == null ? live.current() : lease.generation();
    boolean lagging =
        System.nanoTime() - rows.cutAt() > foldInterval.multipliedBy(LIVE_BEHIND_STEPS).toNanos()
            && unsealed.after(Math.max(rows.through(), sealed), account, environment).orElse(1) > 0;
    return new LiveFold.Found(lease, lagging);
  }

  /** The last commit batch number such that every batch up to it is committed or rolled back. */
  private long committedThrough() {
    cut.writeLock().lock();
    try {
      return batches.get();
    } finally {
      cut.writeLock().unlock();
    }
  }

  /** Seals that folded something since the store opened. */
  public long seals() {
    return seals.get();
  }

  /** The time those seals took, in seconds. */
  public double sealSeconds() {
    return sealNanos.get() / 1e9;
  }

  /** Folds into the live rows between seals since the store opened. */
  public long folds() {
    return folds.get();
  }

  /** The time those folds took, in seconds. */
  public double foldSeconds() {
    return foldNanos.get() / 1e9;
  }

  /**
   * The events of an account and environment committed after batch {@code sealed}, counted in
   * memory; empty when this process cannot tell (batches left by an earlier run, or dropped here by
   * a seal since), and the caller has to count them in the store.
   */
  public OptionalLong unsealedEvents(long sealed, String account, String environment) {
    return unsealed.after(sealed, account, environment);
  }

  /** Commit batches not folded into the rollup yet. */
  public long unsealedBatches() {
    return batches.get() - sealedThrough;
  }

  /**
   * Folds every committed batch not sealed yet into {@code session_rollup}, in one transaction with
   * the new sealed batch number; returns the number of session rows written.
   */
  @Override
  public long seal() throws StoreException {
    synchronized (sealLock) {
      return sealOnce();
    }
  }

  private long sealOnce() throws StoreException {
    long after = sealedThrough;
    if (batches.get() <= after) {
      return 0; // nothing committed since: no lock taken, nothing read
    }
    long started = System.nanoTime();
    try (DuckDBConnection connection = root.duplicate();
        Statement statement = connection.createStatement()) {
      // When the live rows are being kept (questions read them) and little is left to fold into
      // them, the events since the last fold are merged into them (in a transaction of their own:
      // one transaction writes one database) and the rows sealed as they stand. Otherwise the
      // merge SQL takes every event since the last seal at once: reading many events into Java
      // costs far more than DuckDB's merge of them.
      long through = committedThrough();
      LiveFold.Generation kept = live.current();
      boolean fromLive = kept.through() > after && unsealed.total(kept.through()) <= STEP_EVENTS;
      LiveFold.Generation folded = fromLive ? live.step(connection, this::committedThrough) : null;
      if (folded != null) {
        if (folded.base() != after) {
          throw new IllegalStateException(
              "the live rows start from batch " + folded.base() + ", the rollup from " + after);
        }
        through = folded.through();
      }
      statement.execute("BEGIN TRANSACTION");
      try {
        long written;
        if (folded != null) {
          statement.execute("CREATE TEMP TABLE sealing AS " + LiveFold.rows(folded));
        } else {
          try (PreparedStatement merge =
              connection.prepareStatement(
                  "CREATE TEMP TABLE sealing AS " + SessionRollup.merged("?", "?", false))) {
            merge.setLong(1, after);
            merge.setLong(2, through);
            merge.execute();
          }
        }
        long merged = System.nanoTime();
        // The rows being replaced, for what the sealer keeps besides them: looked up by session id
        // alone (the index), then matched on the whole key.
        statement.execute(
            "CREATE TEMP TABLE replaced AS SELECT r.account, r.environment, r.session_id,"
                + " r.media_id, r.viewer_id, r.user_agent, r.ip, r.first_at, r.play_at,"
                + " r.impression_at, r.plays, r.watch FROM (SELECT r.* FROM session_rollup r"
                + " SEMI JOIN sealing USING (session_id)) r SEMI JOIN sealing s"
                + " USING (account, environment, session_id)");
        DailyViewers.forget(connection);
        MediaVisitors.forget(connection);
        statement.execute(
            "DELETE FROM session_rollup r WHERE EXISTS (SELECT 1 FROM sealing s"
                + " WHERE s.account = r.account AND s.environment = r.environment"
                + " AND s.session_id = r.session_id)");
        long deleted = System.nanoTime();
        // The minute marks these sessions had and have from their first new heartbeat on (the
        // earlier ones cannot change): rewritten, and their counts redone below. Joined to the
        // sessions, not looked up by a correlated EXISTS: with its inequality on the mark DuckDB
        // compared every mark of the store (seals of 100 million events spent seconds here).
        String ofItsSession =
            "s.account = m.account AND s.environment = m.environment"
                + " AND s.session_id = m.session_id AND m.mark >= s.beat_from";
        String ofSealing = " FROM live_marks m JOIN sealing s ON " + ofItsSession;
        statement.execute(
            "CREATE TEMP TABLE touched AS SELECT DISTINCT m.account, m.environment, m.mark"
                + ofSealing);
        statement.execute("DELETE FROM live_marks m USING sealing s WHERE " + ofItsSession);
        statement.execute(
            "INSERT INTO live_marks ("
                + SessionRollup.MARK_COLUMNS
                + ", mark) SELECT m.* FROM ("
                + SessionRollup.marks("(SELECT * FROM sealing WHERE beat_from IS NOT NULL)")
                + ") m JOIN sealing s ON "
                + ofItsSession);
        statement.execute(
            "INSERT INTO touched SELECT DISTINCT m.account, m.environment, m.mark" + ofSealing);
        long marked = System.nanoTime();
        String touched =
            " SEMI JOIN (SELECT DISTINCT account, environment, mark FROM touched) t"
                + " USING (account, environment, mark)";
        statement.execute(
            "DELETE FROM live_counts l WHERE EXISTS (SELECT 1 FROM touched t"
                + " WHERE t.account = l.account AND t.environment = l.environment"
                + " AND t.mark = l.mark)");
        statement.execute(
            "INSERT INTO live_counts WITH tm AS (SELECT m.* FROM live_marks m"
                + touched
                + ") "
                + SessionRollup.counts("tm"));
        long counted = System.nanoTime();
        written =
            statement.executeUpdate(
                "INSERT INTO session_rollup ("
                    + SessionRollup.COLUMNS
                    + ") SELECT "
                    + SessionRollup.COLUMNS
                    + " FROM sealing");
        DailyViewers.recount(connection);
        DailyEngagement.recount(connection);
        MediaVisitors.recount(connection);
        try (PreparedStatement state =
            connection.prepareStatement("UPDATE rollup_state SET sealed_batch = ?")) {
          state.setLong(1, through);
          state.executeUpdate();
        }
        statement.execute("DROP TABLE sealing");
        statement.execute("DROP TABLE replaced");
        statement.execute("DROP TABLE touched");
        long rolled = System.nanoTime();
        live.sealing(() -> statement.execute("COMMIT"), through, folded == null);
        sealedThrough = through;
        unsealed.sealed(after);
        seals.incrementAndGet();
        long ended = System.nanoTime();
        sealNanos.addAndGet(ended - started);
        if (LOG.isDebugEnabled()) {
          LOG.debug(
              "Sealed {} sessions of batches {}..{} in {} ms: merge {}, delete {}, marks {},"
                  + " counts {}, insert {}, commit {}",
              written,
              after + 1,
              through,
              millis(ended - started),
              millis(merged - started),
              millis(deleted - merged),
              millis(marked - deleted),
              millis(counted - marked),
              millis(rolled - counted),
              millis(ended - rolled));
        }
        return written;
      } catch (SQLException e) {
        statement.execute("ROLLBACK");
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("sealing the session rollup failed: " + e.getMessage(), e);
    }
  }

  static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  /**
   * Checkpoints each file once its WAL passes {@link #CHECKPOINT_WAL_BYTES}, on this thread rather
   * than on a committer's. The ingest file taking the commits first hands them to the other one
   * ({@link #moveCommitsOn}); the main file's checkpoints hold up only the sealer and the metadata
   * writes. DuckDB itself checkpoints every file when the store closes.
   */
  private void checkpointLoop() {
    Path mainWal = walOf(file);
    while (!closing) {
      try {
        Thread.sleep(CHECKPOINT_POLL);
      } catch (InterruptedException e) {
        return;
      }
      // Each step on its own: one file that fails to checkpoint holds up none of the others.
      IngestFile current = ingest.get(taking);
      IngestFile next = ingest.get((taking + 1) % ingest.size());
      // The commits move only onto a file whose own checkpoint is done (or nearly nothing left).
      if (walOver(current.wal, CHECKPOINT_WAL_BYTES) && !walOver(next.wal, CHECKPOINT_WAL_BYTES)) {
        try {
          moveCommitsOn();
        } catch (InterruptedException e) {
          return;
        }
      }
      for (IngestFile idle : ingest) {
        // The file just left, or one the retention job deleted from: nobody appends to it.
        if (idle != ingest.get(taking) && walOver(idle.wal, 0)) {
          checkpointQuietly(idle.alias);
        }
      }
      if (walOver(mainWal, CHECKPOINT_WAL_BYTES)) {
        checkpointQuietly(null);
      }
    }
  }

  /** Whether the WAL holds more than {@code bytes}; false (and logged) when its size is unknown. */
  private static boolean walOver(Path wal, long bytes) {
    try {
      return walBytes(wal) > bytes;
    } catch (IOException e) {
      LOG.warn("Cannot read the size of {}; checking again shortly", wal, e);
      return false;
    }
  }

  /** {@link #checkpoint}, a failure logged: the next round tries again. */
  private void checkpointQuietly(String catalog) {
    try {
      checkpoint(catalog);
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("other write transactions active")) {
        // A long write (a seal, a retention slice) is running: the next round tries again.
        LOG.debug("Checkpoint of {} deferred: a write transaction is active", catalog);
      } else {
        LOG.warn("Background checkpoint of {} failed; retrying shortly", catalog, e);
      }
    }
  }

  /**
   * Sends new appends to the next ingest file and waits until none is left on the one they went to
   * (a commit takes milliseconds), so that file can be checkpointed without holding any up.
   */
  void moveCommitsOn() throws InterruptedException {
    IngestFile left = ingest.get(taking);
    taking = (taking + 1) % ingest.size();
    while (left.appending.get() > 0) {
      Thread.sleep(1);
    }
    LOG.debug("Commits moved from {} to {}", left.alias, ingest.get(taking).alias);
  }

  /** The name in SQL of the ingest file new appends go to. */
  String ingestTaking() {
    return ingest.get(taking).alias;
  }

  private static Path walOf(Path database) {
    return database.resolveSibling(database.getFileName() + ".wal");
  }

  private static long walBytes(Path wal) throws IOException {
    try {
      return Files.size(wal);
    } catch (java.nio.file.NoSuchFileException e) {
      return 0;
    }
  }

  /** Checkpoints the attached database {@code catalog}, or the main file when it is null. */
  private void checkpoint(String catalog) throws SQLException {
    long started = System.nanoTime();
    try (Connection connection = root.duplicate();
        Statement statement = connection.createStatement()) {
      statement.execute(catalog == null ? "CHECKPOINT" : "CHECKPOINT " + catalog);
    }
    LOG.debug(
        "Checkpoint of {} took {} ms",
        catalog == null ? "the main file" : catalog,
        (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Opens (creating if needed) the store in {@code dataDir} and migrates it.
   *
   * @param threads DuckDB worker threads
   * @param memoryLimit DuckDB memory limit, e.g. {@code 1GB}
   */
  public static DuckDbEventStore open(Path dataDir, int threads, String memoryLimit)
      throws StoreException {
    return open(dataDir, threads, memoryLimit, SEAL_INTERVAL);
  }

  /**
   * As {@link #open(Path, int, String)}, sealing every {@code sealInterval} in the background
   * (zero: only when {@link #seal} is called).
   */
  public static DuckDbEventStore open(
      Path dataDir, int threads, String memoryLimit, Duration sealInterval) throws StoreException {
    return open(dataDir, threads, memoryLimit, new Folding(sealInterval, FOLD_INTERVAL, FOLD_FROM));
  }

  /**
   * When the sealer thread works.
   *
   * @param sealInterval how often it seals (zero: only when {@link #seal} is called, and then no
   *     sealer thread runs at all)
   * @param foldInterval how often a folder thread beside it folds the events committed since into
   *     the live rows the questions of a busy account read (zero: never; then only {@link #fold}
   *     does)
   * @param foldFrom it folds them only while more events than this are unsealed: with fewer, each
   *     question folds them in itself, exactly up to its own moment
   */
  public record Folding(Duration sealInterval, Duration foldInterval, int foldFrom) {
    public Folding {
      requireNonNull(sealInterval, "sealInterval is null");
      requireNonNull(foldInterval, "foldInterval is null");
      if (sealInterval.isNegative() || foldInterval.isNegative() || foldFrom < 0) {
        throw new IllegalArgumentException("intervals and foldFrom must not be negative");
      }
    }
  }

  /** As {@link #open(Path, int, String)}, its sealer thread working as {@code folding} says. */
  public static DuckDbEventStore open(
      Path dataDir, int threads, String memoryLimit, Folding folding) throws StoreException {
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(folding, "folding is null");
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
    try {
      Files.createDirectories(dataDir);
      Properties properties = new Properties();
      properties.setProperty("threads", Integer.toString(threads));
      properties.setProperty("memory_limit", memoryLimit);
      // Commits never checkpoint (a checkpoint on the commit path stalls every waiting request);
      // the background checkpointer below folds the WAL into the file instead.
      properties.setProperty("checkpoint_threshold", "1TB");
      DuckDBConnection root =
          (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file, properties);
      List<IngestFile> ingest;
      try {
        ingest = attachIngestFiles(root, file);
        new Migrator(MIGRATIONS).migrate(root);
      } catch (SQLException | StoreException | RuntimeException e) {
        closeAfterFailure(root, e);
        throw e;
      }
      long lastBatch;
      long sealed;
      try (Statement statement = root.createStatement();
          ResultSet row =
              statement.executeQuery(
                  "SELECT coalesce(max(batch), 0), (SELECT sealed_batch FROM rollup_state)"
                      + " FROM events")) {
        row.next();
        sealed = row.getLong(2);
        // Retention may have deleted the newest batches' events: numbering must still go on
        // past the sealed batch, or new batches would count as sealed and never be folded.
        lastBatch = Math.max(row.getLong(1), sealed);
      }
      LiveFold.create(root);
      DuckDbEventStore store =
          new DuckDbEventStore(root, root.duplicate(), file, ingest, lastBatch, sealed, folding);
      // Batches a previous run left unsealed were not counted in this process.
      store.unsealed.sealed(lastBatch);
      store.checkpointer.start();
      if (!folding.sealInterval().isZero()) {
        store.sealer.start();
        if (!folding.foldInterval().isZero()) {
          store.folder.start();
        }
      }
      return store;
    } catch (SQLException e) {
      throw new StoreException(openFailure(file, e), e);
    } catch (IOException e) {
      throw new StoreException("cannot create data dir " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Attaches the ingest files beside {@code file} (created if missing) and migrates each; the main
   * file's views read them, so this comes before its own migrations.
   */
  private static List<IngestFile> attachIngestFiles(DuckDBConnection root, Path file)
      throws SQLException, StoreException {
    boolean moved = Migrator.version(root) >= INGEST_FILES_SINCE;
    List<IngestFile> attached = new java.util.ArrayList<>();
    for (int i = 0; i < INGEST_FILE_NAMES.size(); i++) {
      Path path = file.resolveSibling(INGEST_FILE_NAMES.get(i));
      String alias = CATALOGS.get(i + 1);
      if (moved && !Files.exists(path)) {
        // A new empty file here would hide every raw event the missing one holds.
        throw new StoreException(
            "the store "
                + file
                + " keeps its raw events in "
                + path.getFileName()
                + " beside it, which is missing: restore it with the other files of the data dir"
                + " (a copy of the store is all of "
                + FILE_NAME
                + " and "
                + String.join(", ", INGEST_FILE_NAMES)
                + ")",
            null);
      }
      try (DuckDBConnection connection = root.duplicate();
          Statement statement = connection.createStatement()) {
        statement.execute(
            "ATTACH IF NOT EXISTS '" + path.toString().replace("'", "''") + "' AS " + alias);
        statement.execute("USE " + alias);
        new Migrator(INGEST_MIGRATIONS).migrate(connection);
      }
      attached.add(new IngestFile(alias, path));
    }
    return List.copyOf(attached);
  }

  private static void closeAfterFailure(DuckDBConnection root, Exception failure) {
    try {
      root.close();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  private static String openFailure(Path file, SQLException e) {
    String message = String.valueOf(e.getMessage());
    // DuckDB's words for a file another process holds ("could not allocate block" is no lock)
    if (message.contains("Could not set lock") || message.contains("Conflicting lock")) {
      return "the store "
          + file
          + " is in use by another process (a running Playlens server?). Stop it first: "
          + message;
    }
    return "cannot open the store " + file + ": " + message;
  }

  /**
   * Appends in one transaction on a writer connection of the calling thread's own, so several
   * committers can fill their transactions in parallel; DuckDB serialises only the commits.
   */
  @Override
  public void append(List<StoredBeacon> beacons) throws StoreException {
    Writer writer;
    try {
      writer = writers.poll();
      if (writer == null) {
        writer = Writer.open(root);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot open a writer connection: " + e.getMessage(), e);
    }
    boolean committed = false;
    IngestFile target = null;
    cut.readLock().lock();
    try {
      long batch = batches.incrementAndGet();
      unsealed.add(batch, beacons);
      target = enterIngestFile();
      try {
        append(writer, beacons, batch, target.alias);
      } catch (StoreException | RuntimeException e) {
        unsealed.remove(batch);
        throw e;
      }
      committed = true;
    } finally {
      cut.readLock().unlock();
      if (committed) {
        writers.add(writer);
      } else {
        discard(writer); // whatever state a failed transaction left, no later batch inherits it
      }
      // Only now: a failed writer's connection may hold its transaction on the file until closed.
      if (target != null) {
        target.appending.decrementAndGet();
      }
    }
  }

  /**
   * The ingest file taking the commits, counted as being appended to until the caller is done. If
   * the checkpointer moved the commits on meanwhile, the count is taken back and the next file is
   * used: so once it has moved them and seen no append on the file it left, none comes.
   */
  private IngestFile enterIngestFile() {
    while (true) {
      int index = taking;
      IngestFile target = ingest.get(index);
      target.appending.incrementAndGet();
      if (taking == index) {
        return target;
      }
      target.appending.decrementAndGet();
    }
  }

  private static void discard(Writer writer) {
    try {
      writer.close();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("Closing a failed writer connection failed", e);
    }
  }

  /**
   * One explicit transaction around both appenders. DuckDB's appender does not open the JDBC
   * driver's lazy transaction: without the explicit BEGIN each appender flush would commit (and
   * sync) on its own, and a batch would not be all-or-nothing.
   */
  private static void append(Writer writer, List<StoredBeacon> beacons, long batch, String catalog)
      throws StoreException {
    DuckDBConnection connection = writer.connection();
    try {
      writer.begin().execute();
      if (beacons.stream().anyMatch(stored -> stored.newContext() != null)) {
        try (DuckDBAppender appender =
            connection.createAppender(catalog, DuckDBConnection.DEFAULT_SCHEMA, "contexts")) {
          for (StoredBeacon stored : beacons) {
            if (stored.newContext() != null) {
              appendContext(appender, stored.newContext());
            }
          }
        }
      }
      try (DuckDBAppender appender =
          connection.createAppender(catalog, DuckDBConnection.DEFAULT_SCHEMA, "events")) {
        for (StoredBeacon stored : beacons) {
          for (EventRow row : stored.events()) {
            appendEvent(appender, row, batch);
          }
        }
      }
      writer.commit().execute();
    } catch (SQLException | RuntimeException e) {
      try {
        writer.rollback().execute();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw new StoreException(
          "append of " + beacons.size() + " beacons failed: " + e.getMessage(), e);
    }
  }

  private static void appendContext(DuckDBAppender appender, ContextRow row) throws SQLException {
    SessionContext context = row.context();
    appender.beginRow();
    appender.append(row.contextId());
    appender.append(context.account());
    appender.append(context.environment());
    appender.append(context.sessionId());
    appender.append(context.viewerId());
    appender.append(context.mediaId());
    time(appender, row.receivedAt());
    appender.append(context.mediaDuration());
    appender.append(context.mediaType());
    appender.append(context.mediaTitle());
    appender.append(context.mediaTags());
    appender.append(context.pageUrl());
    appender.append(context.referrer());
    appender.append(context.email());
    appender.append(context.ip());
    appender.append(context.country());
    appender.append(context.region());
    appender.append(context.city());
    appender.append(context.latitude());
    appender.append(context.longitude());
    appender.append(context.continent());
    appender.append(context.organisation());
    appender.append(context.deviceType());
    appender.append(context.os());
    appender.append(context.osVersion());
    appender.append(context.browser());
    appender.append(context.browserVersion());
    appender.append(context.userAgent());
    appender.endRow();
  }

  /**
   * The row's account, environment, media and session are not written: the context row it points to
   * holds them, and {@code event_details} joins them back.
   */
  private static void appendEvent(DuckDBAppender appender, EventRow row, long batch)
      throws SQLException {
    appender.beginRow();
    appender.append(row.contextId());
    appender.append(row.eventType());
    time(appender, row.clientTime());
    time(appender, row.eventTime());
    time(appender, row.receivedAt());
    appender.append(row.position());
    appender.append(row.fromPosition());
    appender.append(row.toPosition());
    appender.append(row.startupMs());
    appender.append(row.rebufferMs());
    appender.append(row.errorCode());
    appender.append(row.errorMessage());
    appender.append(batch);
    appender.endRow();
  }

  private static void time(DuckDBAppender appender, Instant instant) throws SQLException {
    if (instant == null) {
      appender.appendNull();
    } else {
      appender.append(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
  }

  @Override
  public synchronized void checkWritable() throws StoreException {
    try (PreparedStatement update =
        probe.prepareStatement("UPDATE store_probe SET checked_at = ? WHERE id = 1")) {
      update.setTimestamp(1, Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC)));
      update.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("the store does not accept writes: " + e.getMessage(), e);
    }
  }

  /**
   * The retention job's one transaction over sealed rows: the rollup rows of sessions whose last
   * event is before {@code end} go (their plays archived), with their minute marks and counts, and
   * the per-day tables are redone through that day.
   */
  private static void expireSealed(
      Connection connection,
      Statement transaction,
      String account,
      String environment,
      LocalDateTime end)
      throws SQLException {
    transaction.execute("BEGIN TRANSACTION");
    try {
      try (PreparedStatement archive = connection.prepareStatement(ARCHIVE_PLAYS)) {
        archive.setObject(1, LocalDateTime.now(ZoneOffset.UTC));
        archive.setString(2, account);
        archive.setString(3, environment);
        archive.setObject(4, end);
        archive.executeUpdate();
      }
      for (String expire :
          List.of(
              "DELETE FROM session_rollup WHERE account = ? AND environment = ? AND last_at < ?",
              "DELETE FROM live_marks WHERE account = ? AND environment = ? AND mark < ?",
              "DELETE FROM live_counts WHERE account = ? AND environment = ? AND mark < ?")) {
        try (PreparedStatement delete = connection.prepareStatement(expire)) {
          delete.setString(1, account);
          delete.setString(2, environment);
          delete.setObject(3, end);
          delete.executeUpdate();
        }
      }
      DailyViewers.redoThrough(connection, account, environment, end);
      DailyEngagement.redoThrough(connection, account, environment, end);
      MediaVisitors.redoThrough(connection, account, environment, end);
      transaction.execute("COMMIT");
    } catch (SQLException e) {
      transaction.execute("ROLLBACK");
      throw e;
    }
  }

  /**
   * What of an account reaches back before {@code end}: its oldest event (any batch; null when
   * none), and whether a sealed row or minute mark does.
   */
  private record Expired(LocalDateTime oldestEvent, boolean rows) {}

  private static Expired expired(
      Connection connection, String account, String environment, LocalDateTime end)
      throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT (SELECT min(e.event_time) FROM events e"
                + " JOIN contexts c ON c.context_id = e.context_id"
                + " WHERE c.account = ? AND c.environment = ? AND e.event_time < ?),"
                + " EXISTS (SELECT 1 FROM session_rollup WHERE account = ? AND environment = ?"
                + " AND last_at < ?) OR EXISTS (SELECT 1 FROM live_marks WHERE account = ?"
                + " AND environment = ? AND mark < ?)")) {
      for (int i = 0; i < 3; i++) {
        query.setString(3 * i + 1, account);
        query.setString(3 * i + 2, environment);
        query.setObject(3 * i + 3, end);
      }
      try (ResultSet row = query.executeQuery()) {
        row.next();
        return new Expired(row.getObject(1, LocalDateTime.class), row.getBoolean(2));
      }
    }
  }

  /** The span of event time one deletion transaction covers: a day of events at most. */
  static final Duration DELETE_SLICE = Duration.ofDays(1);

  /**
   * Deletes in slices of {@link #DELETE_SLICE}, oldest first, each its own short transaction on its
   * own connection, so a year of expired events never becomes one huge transaction (and WAL) that
   * holds up the committers' commits or a checkpoint. Commits only append new rows, so the two
   * never conflict; the context rows removed are older than any the context cache hands out.
   *
   * <p>First the rollup is sealed, and the rollup rows of sessions whose last event is before the
   * cut-off go, their plays added to {@code play_archive} in the same transaction: all-time plays
   * count each session once, from its row while it has one and from the archive after. Only sealed
   * events are deleted, so the rollup has seen every event that goes.
   */
  @Override
  public long deleteBefore(String account, String environment, Instant before)
      throws StoreException {
    LocalDateTime end = LocalDateTime.ofInstant(before, ZoneOffset.UTC);
    try (Connection connection = root.duplicate();
        Statement transaction = connection.createStatement()) {
      // The seal and the deletion of sealed rows with no fold into the live rows meanwhile, which
      // then start over from the rows left (some they kept may extend a deleted one). Skipped when
      // nothing of the account is past the cut-off: it would hold the live rows up for nothing.
      // The slices start from the oldest event found before the seal: the seal only seals them.
      Expired expired = expired(connection, account, environment, end);
      if (expired.oldestEvent() != null || expired.rows()) {
        synchronized (sealLock) {
          live.replacingSealedRows(
              () -> {
                try {
                  sealOnce();
                } catch (StoreException e) {
                  throw new SQLException(e.getMessage(), e);
                }
                expireSealed(connection, transaction, account, environment, end);
              });
        }
      }
      String scope =
          " AND batch <= (SELECT sealed_batch FROM rollup_state)"
              + " AND context_id IN (SELECT context_id FROM contexts WHERE account = ? AND environment = ?)";
      LocalDateTime oldest = expired.oldestEvent();
      long deleted = 0;
      // The views read every file, but a statement deletes from one table (and a transaction
      // writes one database): each file's table in turn.
      for (String catalog : CATALOGS) {
        try (PreparedStatement slice =
            connection.prepareStatement(
                "DELETE FROM "
                    + table(catalog, "events")
                    + " WHERE event_time >= ? AND event_time < ?"
                    + scope)) {
          for (LocalDateTime from = oldest; from != null && from.isBefore(end); ) {
            LocalDateTime to = from.plus(DELETE_SLICE);
            to = to.isAfter(end) ? end : to;
            slice.setObject(1, from);
            slice.setObject(2, to);
            slice.setString(3, account);
            slice.setString(4, environment);
            deleted += slice.executeUpdate(); // autocommit: one transaction per slice
            from = to;
          }
        }
      }
      for (String catalog : CATALOGS) {
        try (PreparedStatement contexts =
            connection.prepareStatement(
                "DELETE FROM "
                    + table(catalog, "contexts")
                    + " c WHERE account = ? AND environment = ? AND received_at < ?"
                    + " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.context_id = c.context_id)")) {
          contexts.setString(1, account);
          contexts.setString(2, environment);
          contexts.setObject(
              3, LocalDateTime.ofInstant(before.minus(CONTEXT_GRACE), ZoneOffset.UTC));
          contexts.executeUpdate();
        }
      }
      return deleted;
    } catch (SQLException e) {
      throw new StoreException(
          "deleting expired events of "
              + account
              + "/"
              + environment
              + " failed: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The table {@code name} ({@code events} or {@code contexts}) of one file of {@link #CATALOGS}.
   */
  static String table(String catalog, String name) {
    return catalog == null ? name + "_main" : catalog + ".main." + name;
  }

  /** Per media, the plays of the sessions whose rollup rows expire. */
  private static final String ARCHIVE_PLAYS =
      "INSERT INTO play_archive (account, environment, media_id, media_type, plays, archived_at)"
          + " SELECT account, environment, media_id, any_value(coalesce(media_type, 'video')),"
          + " count(*), ? FROM session_rollup WHERE account = ? AND environment = ?"
          + " AND last_at < ? AND play_at IS NOT NULL GROUP BY account, environment, media_id";

  @Override
  public long countEvents() throws StoreException {
    try (Connection connection = readConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM events")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new StoreException("count failed: " + e.getMessage(), e);
    }
  }

  /** A new connection to the same database for reads; the caller closes it. */
  public Connection readConnection() throws SQLException {
    return root.duplicate();
  }

  @Override
  public synchronized void close() {
    closing = true;
    folder.interrupt();
    sealer.interrupt();
    try {
      if (folder.getState() != Thread.State.NEW) {
        folder.join(Duration.ofSeconds(60));
      }
      if (sealer.getState() != Thread.State.NEW) {
        sealer.join(Duration.ofSeconds(60));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    checkpointer.interrupt();
    try {
      checkpointer.join(Duration.ofSeconds(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      probe.close();
      Writer writer;
      while ((writer = writers.poll()) != null) {
        writer.close();
      }
      root.close();
    } catch (SQLException e) {
      throw new IllegalStateException("closing the store failed: " + e.getMessage(), e);
    }
  }
}
