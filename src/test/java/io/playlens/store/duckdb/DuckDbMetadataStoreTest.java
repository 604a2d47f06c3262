package io.playlens.store.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.account.MetadataStore;
import io.playlens.store.MetadataStoreContract;
import io.playlens.store.sql.SqlMetadataStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata contract on the embedded default: the tables in the server's DuckDB file. */
class DuckDbMetadataStoreTest extends MetadataStoreContract {
  @TempDir Path dataDir;
  private DuckDbEventStore file;

  @Override
  protected MetadataStore newStore() throws Exception {
    file = DuckDbEventStore.open(dataDir, 1, "256MB");
    return new SqlMetadataStore(file::readConnection);
  }

  @Override
  protected MetadataStore newStoreOnSameDatabase() {
    // one process holds the file: a second store shares its connections
    return new SqlMetadataStore(file::readConnection);
  }

  @AfterEach
  void close() {
    file.close();
  }

  /**
   * The first use raced by eight threads, 300 times, the secret forgotten between rounds: DuckDB
   * fails the loser of two first inserts while the winner has not committed yet, and the loser
   * still reads the one secret stored (CI once caught it reading none; before the fix this failed
   * within a second here).
   */
  @Test
  void everyRacerOfAFirstUseReadsTheOneSecretStored() throws Exception {
    MetadataStore store = new SqlMetadataStore(file::readConnection);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 300; round++) {
        try (Connection connection = file.readConnection();
            Statement statement = connection.createStatement()) {
          statement.execute("DELETE FROM installation_secrets");
        }
        List<Future<byte[]>> secrets =
            pool.invokeAll(Collections.nCopies(8, (Callable<byte[]>) store::signingSecret));
        byte[] first = secrets.get(0).get();
        for (Future<byte[]> secret : secrets) {
          assertThat(secret.get()).as("round " + round).isEqualTo(first);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
