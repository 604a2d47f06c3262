package io.playlens.store.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.playlens.TestServer;
import io.playlens.store.EventStore;
import io.playlens.store.EventStoreContract;
import io.playlens.store.Migrator;
import io.playlens.store.RowIds;
import io.playlens.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbEventStoreTest extends EventStoreContract {
  @TempDir Path dataDir;
  private DuckDbEventStore store;

  @BeforeEach
  void open() throws StoreException {
    store = DuckDbEventStore.open(dataDir, 1, "256MB");
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  protected EventStore store() {
    return store;
  }

  @Override
  protected List<Map<String, Object>> query(String sql) {
    try (Connection connection = store.readConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return TestServer.rows(rows);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void migrationsAreAppliedOnceAndRecorded() throws Exception {
    store.append(List.of(beacon("s1", 2, true)));
    store.close();

    store = DuckDbEventStore.open(dataDir, 1, "256MB");

    assertThat(query("SELECT version, description FROM schema_migrations ORDER BY version"))
        .containsExactly(
            Map.of("version", 1, "description", "session contexts and raw events"),
            Map.of("version", 2, "description", "accounts, users, keys and media"),
            Map.of("version", 3, "description", "all-time plays past retention"),
            Map.of("version", 4, "description", "per-session rollup"),
            Map.of("version", 5, "description", "session lookups"),
            Map.of("version", 6, "description", "session versions"),
            Map.of("version", 7, "description", "projects"),
            Map.of("version", 8, "description", "dashboard sessions"),
            Map.of("version", 9, "description", "per-session plays"),
            Map.of("version", 10, "description", "viewers per day"),
            Map.of("version", 11, "description", "engagement per day"),
            Map.of("version", 12, "description", "visitors per media"),
            Map.of("version", 13, "description", "session ids stored uncompressed"),
            Map.of("version", 14, "description", "events in ingest files"));
    for (String ingest : List.of("ingest0", "ingest1")) {
      assertThat(
              query(
                  "SELECT version, description FROM "
                      + ingest
                      + ".schema_migrations ORDER BY version"))
          .containsExactly(Map.of("version", 1, "description", "session contexts and raw events"));
    }
    assertThat(store.countEvents()).isEqualTo(2);
  }

  @Test
  void commitsMoveBetweenTheIngestFilesAndEveryEventStaysReadSealedAndDeletable() throws Exception {
    Instant old = NOW.minus(java.time.Duration.ofDays(40));
    assertThat(store.ingestTaking()).isEqualTo("ingest0");
    store.append(
        List.of(
            beacon("old-0", 2, true, RowIds.next(old.toEpochMilli()), null, old),
            beacon("s0", 3, true)));

    store.moveCommitsOn();
    assertThat(store.ingestTaking()).isEqualTo("ingest1");
    UUID s0 =
        (UUID)
            query("SELECT context_id FROM contexts WHERE session_id = 's0'")
                .get(0)
                .get("context_id");
    store.append(
        List.of(
            beacon("old-1", 4, true, RowIds.next(old.toEpochMilli()), null, old),
            beacon("s0", 1, false, s0, NOW)));
    try (Connection connection = store.readConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CHECKPOINT ingest0"); // what the checkpointer does with the file left
    }

    assertThat(query("SELECT count(*) AS n FROM ingest0.events")).containsExactly(Map.of("n", 5L));
    assertThat(query("SELECT count(*) AS n FROM ingest1.events")).containsExactly(Map.of("n", 5L));
    // the session's later event, in the other file, still joins its context
    assertThat(query("SELECT count(*) AS n FROM event_details WHERE session_id = 's0'"))
        .containsExactly(Map.of("n", 4L));
    store.seal();
    assertThat(query("SELECT session_id, events FROM session_rollup ORDER BY session_id"))
        .containsExactly(
            Map.of("session_id", "old-0", "events", 2L),
            Map.of("session_id", "old-1", "events", 4L),
            Map.of("session_id", "s0", "events", 4L));

    assertThat(store.deleteBefore("acme", "production", NOW.minus(java.time.Duration.ofDays(30))))
        .isEqualTo(6);
    assertThat(query("SELECT DISTINCT session_id FROM event_details"))
        .containsExactly(Map.of("session_id", "s0"));
    assertThat(query("SELECT session_id FROM contexts"))
        .containsExactly(Map.of("session_id", "s0"));

    store.moveCommitsOn();
    assertThat(store.ingestTaking()).isEqualTo("ingest0");
    store.append(List.of(beacon("s1", 2, true)));
    store.close();
    store = DuckDbEventStore.open(dataDir, 1, "256MB");
    assertThat(store.countEvents()).isEqualTo(6);
    assertThat(query("SELECT count(*) AS n FROM ingest0.events")).containsExactly(Map.of("n", 5L));
  }

  /**
   * One session whose two contexts (a new address, say) went to different ingest files is one row:
   * the merge that questions fold with, and the seal, sum its events over both files' contexts.
   */
  @Test
  void aSessionWithContextsInBothIngestFilesMergesIntoOneRow() throws Exception {
    store.append(List.of(beacon("two", 2, true, RowIds.next(NOW.toEpochMilli()), NOW)));
    store.moveCommitsOn();
    store.append(List.of(beacon("two", 3, true, RowIds.next(NOW.toEpochMilli()), NOW)));
    assertThat(query("SELECT count(*) AS n FROM ingest0.contexts"))
        .containsExactly(Map.of("n", 1L));
    assertThat(query("SELECT count(*) AS n FROM ingest1.contexts"))
        .containsExactly(Map.of("n", 1L));

    String merged = SessionRollup.merged("-1", Long.toString(Long.MAX_VALUE), false);
    assertThat(query("SELECT session_id, events FROM (" + merged + ")"))
        .containsExactly(Map.of("session_id", "two", "events", 5L));
    store.seal();
    assertThat(query("SELECT session_id, events FROM session_rollup"))
        .containsExactly(Map.of("session_id", "two", "events", 5L));
  }

  @Test
  void aContextStaysWhileAnEventInTheOtherIngestFileUsesIt() throws Exception {
    Instant old = NOW.minus(java.time.Duration.ofDays(40));
    UUID context = RowIds.next(old.toEpochMilli());
    store.append(List.of(beacon("long", 1, true, context, null, old)));
    store.moveCommitsOn();
    store.append(List.of(beacon("long", 1, false, context, NOW)));

    assertThat(store.deleteBefore("acme", "production", NOW.minus(java.time.Duration.ofDays(30))))
        .isEqualTo(1);
    assertThat(query("SELECT count(*) AS n FROM ingest0.contexts"))
        .containsExactly(Map.of("n", 1L));
    assertThat(query("SELECT session_id, count(*) AS n FROM event_details GROUP BY ALL"))
        .containsExactly(Map.of("session_id", "long", "n", 1L));
  }

  @Test
  void aStoreMissingAnIngestFileRefusesToOpenRatherThanLoseItsEvents(@TempDir Path copied)
      throws Exception {
    try (DuckDbEventStore other = DuckDbEventStore.open(copied, 1, "256MB")) {
      other.append(List.of(beacon("s1", 1, true)));
    }
    java.nio.file.Files.delete(copied.resolve("playlens-ingest-0.duckdb"));

    assertThatThrownBy(() -> DuckDbEventStore.open(copied, 1, "256MB"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("keeps its raw events in playlens-ingest-0.duckdb beside it")
        .hasMessageContaining("which is missing");
    assertThat(copied.resolve("playlens-ingest-0.duckdb")).doesNotExist();
  }

  @Test
  void eventsStoredBeforeTheIngestFilesStayReadableAndDeletable(@TempDir Path older)
      throws Exception {
    try (Connection connection =
            DriverManager.getConnection("jdbc:duckdb:" + older.resolve("playlens.duckdb"));
        Statement statement = connection.createStatement()) {
      new Migrator(DuckDbEventStore.MIGRATIONS.stream().filter(m -> m.version() <= 13).toList())
          .migrate(connection);
      statement.execute(
          "INSERT INTO contexts (context_id, account, environment, session_id, media_id,"
              + " received_at, city) SELECT ('00000000-0000-7000-8000-00000000000' || i)::UUID,"
              + " 'acme', 'production', 'before-' || i, 'm1', TIMESTAMP '2026-01-01', 'Paris'"
              + " FROM range(2) r(i)");
      statement.execute(
          "INSERT INTO events (context_id, event_type, event_time, received_at, batch)"
              + " SELECT ('00000000-0000-7000-8000-00000000000' || (i % 2))::UUID, 'play',"
              + " TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01', 0 FROM range(3) r(i)");
    }

    try (DuckDbEventStore migrated = DuckDbEventStore.open(older, 1, "256MB");
        Connection connection = migrated.readConnection();
        Statement statement = connection.createStatement()) {
      assertThat(migrated.countEvents()).isEqualTo(3);
      migrated.append(List.of(beacon("after", 2, true)));
      assertThat(
              TestServer.rows(
                  statement.executeQuery(
                      "SELECT session_id, count(*) AS n, any_value(city) AS city"
                          + " FROM event_details GROUP BY ALL ORDER BY session_id")))
          .containsExactly(
              Map.of("session_id", "after", "n", 2L, "city", "London"),
              Map.of("session_id", "before-0", "n", 2L, "city", "Paris"),
              Map.of("session_id", "before-1", "n", 1L, "city", "Paris"));
      assertThat(TestServer.rows(statement.executeQuery("SELECT count(*) AS n FROM events_main")))
          .containsExactly(Map.of("n", 3L));

      assertThat(migrated.deleteBefore("acme", "production", Instant.parse("2026-02-01T00:00:00Z")))
          .isEqualTo(3);
      assertThat(migrated.countEvents()).isEqualTo(2);
      assertThat(TestServer.rows(statement.executeQuery("SELECT session_id FROM contexts")))
          .containsExactly(Map.of("session_id", "after"));
    }
  }

  @Test
  void sessionRowsAndMarksSurviveTheMigrationThatStoresTheirIdsUncompressed(@TempDir Path older)
      throws Exception {
    // whole rows as text: the driver's list and struct values do not compare equal
    String rows = "SELECT r::VARCHAR AS r FROM session_rollup r ORDER BY session_id";
    String marks = "SELECT m::VARCHAR AS m FROM live_marks m ORDER BY session_id, mark";
    List<Map<String, Object>> rowsBefore;
    List<Map<String, Object>> marksBefore;
    try (Connection connection =
            DriverManager.getConnection("jdbc:duckdb:" + older.resolve("playlens.duckdb"));
        Statement statement = connection.createStatement()) {
      new Migrator(DuckDbEventStore.MIGRATIONS.stream().filter(m -> m.version() <= 12).toList())
          .migrate(connection);
      statement.execute(
          "INSERT INTO session_rollup (account, environment, session_id, viewer_id, media_id,"
              + " media_tags, country, first_at, last_at, play_at, startup_ms, watch, watched,"
              + " live, events, plays) SELECT 'acct', 'production', 'session-' || i,"
              + " 'viewer-' || (i % 300), 'media-' || (i % 7), ['tag-' || (i % 3)],"
              + " ['FR', 'DE', NULL][i % 3 + 1], TIMESTAMP '2026-11-01' + to_minutes(i),"
              + " TIMESTAMP '2026-11-01' + to_minutes(i + 3), TIMESTAMP '2026-11-01' + to_minutes(i),"
              + " (i % 900)::INTEGER, [{'f': 0.0, 't': (i % 60)::DOUBLE}], (i % 60)::DOUBLE,"
              + " [{'s': TIMESTAMP '2026-11-01', 'e': TIMESTAMP '2026-11-01' + to_minutes(i)}],"
              + " i % 11 + 1, [{'f': 0.0, 't': (i % 60)::DOUBLE, 'n': 1}] FROM range(5000) r(i)");
      statement.execute(
          "INSERT INTO live_marks (account, environment, session_id, mark, media_id, country)"
              + " SELECT 'acct', 'production', 'session-' || (i // 3),"
              + " TIMESTAMP '2026-11-01' + to_minutes(i), 'media-' || (i % 7), 'FR'"
              + " FROM range(6000) r(i)");
      rowsBefore = TestServer.rows(statement.executeQuery(rows));
      marksBefore = TestServer.rows(statement.executeQuery(marks));
      assertThat(rowsBefore).hasSize(5000);
      assertThat(marksBefore).hasSize(6000);
    }

    try (DuckDbEventStore migrated = DuckDbEventStore.open(older, 1, "256MB");
        Connection connection = migrated.readConnection();
        Statement statement = connection.createStatement()) {
      assertThat(TestServer.rows(statement.executeQuery(rows))).isEqualTo(rowsBefore);
      assertThat(TestServer.rows(statement.executeQuery(marks))).isEqualTo(marksBefore);
      statement.execute("CHECKPOINT");
      for (String table : List.of("session_rollup", "live_marks")) {
        assertThat(
                TestServer.rows(
                    statement.executeQuery(
                        "SELECT DISTINCT compression FROM pragma_storage_info('"
                            + table
                            + "') WHERE column_name = 'session_id' AND segment_type = 'VARCHAR'")))
            .as("compression of %s.session_id", table)
            .containsExactly(Map.of("compression", "Uncompressed"));
      }
      assertThat(
              TestServer.rows(
                  statement.executeQuery(
                      "SELECT index_name FROM duckdb_indexes() ORDER BY index_name")))
          .containsExactly(
              Map.of("index_name", "live_marks_session"),
              Map.of("index_name", "session_rollup_session"));
    }
  }

  @Test
  void aSecondOpenOfTheSameStoreSaysWhoHoldsIt(@TempDir Path other) throws Exception {
    Path file = dataDir.resolve(DuckDbEventStore.FILE_NAME);
    assertThat(file).exists();
    ProcessBuilder second =
        TestServer.cli(
                "serve", "--data", dataDir.toString(), "--port", "0", "--geo-dir", other.toString())
            .redirectErrorStream(true);
    Process process = second.start();
    String output = new String(process.getInputStream().readAllBytes());
    process.waitFor();

    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(output)
        .contains("playlens serve: the store " + file.toAbsolutePath())
        .contains("is in use by another process (a running Playlens server?). Stop it first")
        .doesNotContain("\tat ");
  }

  @Test
  void openingWhereNoDirectoryCanBeMadeFailsClearly() {
    assertThatThrownBy(
            () -> DuckDbEventStore.open(Path.of("/proc/playlens-cannot-be-here"), 1, "64MB"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot create data dir");
  }
}
