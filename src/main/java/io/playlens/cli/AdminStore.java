package io.playlens.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.account.AccountAdmin;
import io.playlens.account.Passwords;
import io.playlens.store.StoreException;
import io.playlens.store.duckdb.DuckDbEventStore;
import io.playlens.store.postgresql.PostgresMetadata;
import io.playlens.store.sql.SqlMetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Option;

/**
 * The data dir option of the administration commands, and the store they work on: the server's own
 * DuckDB file, which only one process may hold (when a running server holds it, the error says to
 * stop the server or use the admin REST API), or with {@code --metadata} the PostgreSQL database a
 * cluster's nodes share.
 */
public final class AdminStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--data",
      defaultValue = "${env:PLAYLENS_DATA:-./data}",
      description = "Data directory (env PLAYLENS_DATA; default ${DEFAULT-VALUE})")
  Path data;

  @Option(
      names = "--metadata",
      defaultValue = "${env:PLAYLENS_METADATA}",
      description =
          "Work on the accounts in PostgreSQL that the nodes share (postgresql://...), as"
              + " `serve --metadata` does, instead of the data directory's file (env"
              + " PLAYLENS_METADATA)")
  String metadata;

  /** Something to do with the admin operations while the store is open. */
  @FunctionalInterface
  interface Work {
    void run(AccountAdmin admin) throws Exception;
  }

  void run(Work work) throws Exception {
    if (metadata != null && !metadata.isBlank()) {
      // A cluster's accounts: the nodes keep serving while this changes them.
      try (PostgresMetadata shared = PostgresMetadata.open(metadata)) {
        work.run(admin(shared.store()));
      }
      return;
    }
    DuckDbEventStore store;
    try {
      store = DuckDbEventStore.open(data, 1, "512MB");
    } catch (StoreException e) {
      if (e.getMessage().contains("in use by another process")) {
        throw new StoreException(
            e.getMessage().replaceFirst("Stop it first: .*", "")
                + "Stop the server first, or make this change through the running server's"
                + " admin REST API (/admin/v1, see the README).",
            e);
      }
      throw e;
    }
    try (store) {
      work.run(admin(store));
    }
  }

  /** The admin operations on the accounts in an embedded store's file. */
  static AccountAdmin admin(DuckDbEventStore store) {
    return admin(new SqlMetadataStore(store::readConnection));
  }

  /** The admin operations on these accounts, from the command line (no server to tell). */
  private static AccountAdmin admin(SqlMetadataStore metadata) {
    return new AccountAdmin(metadata, new Passwords(), Clock.systemUTC(), () -> {});
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
