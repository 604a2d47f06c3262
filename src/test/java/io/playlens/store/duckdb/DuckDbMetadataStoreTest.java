package io.playlens.store.duckdb;

import io.playlens.account.MetadataStore;
import io.playlens.store.MetadataStoreContract;
import io.playlens.store.sql.SqlMetadataStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
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
}
