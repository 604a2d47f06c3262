package io.playlens.store.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.playlens.PostgresServer;
import io.playlens.account.MetadataStore;
import io.playlens.store.MetadataStoreContract;
import io.playlens.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metadata contract on a real PostgreSQL server (a throwaway cluster on 127.0.0.1). */
class PostgresMetadataStoreTest extends MetadataStoreContract {
  private final List<PostgresMetadata> opened = new ArrayList<>();
  private String url;

  @Override
  protected MetadataStore newStore() throws StoreException {
    url = PostgresServer.get().newDatabase();
    return open(url).store();
  }

  @Override
  protected MetadataStore newStoreOnSameDatabase() throws StoreException {
    return open(url).store();
  }

  private PostgresMetadata open(String address) throws StoreException {
    PostgresMetadata metadata = PostgresMetadata.open(address);
    opened.add(metadata);
    return metadata;
  }

  @AfterEach
  void close() {
    opened.forEach(PostgresMetadata::close);
  }

  @Test
  void nodesStartingTogetherMigrateOnce() throws Exception {
    String fresh = PostgresServer.get().newDatabase();
    List<Thread> nodes = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 4; i++) {
      nodes.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      synchronized (opened) {
                        opened.add(PostgresMetadata.open(fresh));
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread node : nodes) {
      node.join();
    }
    assertThat(failures).isEmpty();
    try (var connection =
            java.sql.DriverManager.getConnection(
                fresh.replace("postgresql://playlens@", "jdbc:postgresql://"), "playlens", "");
        var rows =
            connection
                .createStatement()
                .executeQuery("SELECT version FROM schema_migrations ORDER BY version")) {
      List<Integer> versions = new ArrayList<>();
      while (rows.next()) {
        versions.add(rows.getInt(1));
      }
      assertThat(versions).containsExactly(2, 7, 8);
    }
  }

  @Test
  void aBadAddressIsAClearError() {
    assertThatThrownBy(() -> PostgresMetadata.open("mysql://x/y"))
        .hasMessageContaining("starts with postgresql://");
    assertThatThrownBy(() -> PostgresMetadata.open("postgresql://127.0.0.1:5"))
        .hasMessageContaining("/DATABASE");
    assertThatThrownBy(() -> PostgresMetadata.open("postgresql://playlens@127.0.0.1:1/none"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "cannot connect to the metadata database at postgresql://playlens@127.0.0.1:1/none");
  }

  @Test
  void thePasswordNeverAppearsInTheLocation() {
    assertThat(
            PostgresMetadata.Location.parse(
                    "postgresql://ops:s%40cret@db.internal/playlens?sslmode=require")
                .display())
        .isEqualTo("postgresql://ops@db.internal:5432/playlens");
    PostgresMetadata.Location location =
        PostgresMetadata.Location.parse(
            "postgresql://ops:s%40cret@db.internal:6543/playlens?sslmode=require");
    assertThat(location.password()).isEqualTo("s@cret");
    assertThat(location.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.internal:6543/playlens?sslmode=require");
  }
}
