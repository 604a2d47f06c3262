package io.playlens.store.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.playlens.TestServer;
import io.playlens.store.EventStore;
import io.playlens.store.EventStoreContract;
import io.playlens.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
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
            Map.of("version", 12, "description", "visitors per media"));
    assertThat(store.countEvents()).isEqualTo(2);
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
