package io.playlens.store.postgresql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.playlens.store.Migrator;
import io.playlens.store.ServiceAddress;
import io.playlens.store.StoreException;
import io.playlens.store.sql.SqlMetadataStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The metadata store on PostgreSQL, shared by every node of a cluster: a small connection pool, the
 * metadata migrations applied at start-up under an advisory lock (nodes starting together migrate
 * once), and the same {@link SqlMetadataStore} the embedded file uses.
 */
public final class PostgresMetadata implements AutoCloseable {
  /** The advisory lock nodes take while migrating ("PLNS"). */
  private static final long MIGRATION_LOCK = 0x504C4E53L;

  private final HikariDataSource pool;
  private final SqlMetadataStore store;
  private final String location;

  private PostgresMetadata(HikariDataSource pool, String location) {
    this.pool = pool;
    this.location = location;
    this.store = new SqlMetadataStore(pool::getConnection);
  }

  /**
   * Connects to {@code postgresql://[user[:password]@]host[:port]/database[?param=value...]} (the
   * query parameters are the JDBC driver's, e.g. {@code sslmode=require}), migrates, and returns
   * the store. The password may also come from {@code PLAYLENS_METADATA_PASSWORD}.
   */
  public static PostgresMetadata open(String url) throws StoreException {
    Location location = Location.parse(url);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(location.jdbcUrl());
    if (location.user() != null) {
      config.setUsername(location.user());
    }
    String password =
        location.password() != null
            ? location.password()
            : System.getenv("PLAYLENS_METADATA_PASSWORD");
    if (password != null) {
      config.setPassword(password);
    }
    config.setPoolName("playlens-metadata");
    // A half-open connection must fail a call, not hang it (and /healthz with it).
    config.addDataSourceProperty("socketTimeout", "30");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    // Metadata calls are point lookups behind 2 s caches: a few connections carry them.
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    config.setInitializationFailTimeout(10_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException(
          "cannot connect to the metadata database at "
              + location.display()
              + ": "
              + rootMessage(e),
          e);
    }
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      // a node that hangs while migrating holds the others up a minute at most
      statement.execute("SET statement_timeout = '60s'");
      statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
      statement.execute("SET statement_timeout = 0");
      try {
        new Migrator(SqlMetadataStore.MIGRATIONS).migrate(connection);
      } finally {
        statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
      }
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw new StoreException(
          "cannot migrate the metadata database at " + location.display() + ": " + rootMessage(e),
          e);
    }
    return new PostgresMetadata(pool, location.display());
  }

  public SqlMetadataStore store() {
    return store;
  }

  /** Where it is, without the password: for logs and errors. */
  public String location() {
    return location;
  }

  /** For the health check: a round trip to the database. */
  public void checkReachable() throws StoreException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(5);
      statement.execute("SELECT 1");
    } catch (SQLException e) {
      throw new StoreException("the metadata database is unreachable: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  /** A {@code postgresql://} address taken apart. */
  record Location(
      String host, int port, String database, String query, String user, String password) {
    static Location parse(String url) {
      ServiceAddress address =
          ServiceAddress.parse(url, "PostgreSQL", 5432, "postgresql", "postgres");
      return new Location(
          address.host(),
          address.port() < 0 ? 5432 : address.port(),
          address.database(),
          address.query(),
          address.user(),
          address.password());
    }

    String jdbcUrl() {
      String host =
          this.host.contains(":") && !this.host.startsWith("[") ? "[" + this.host + "]" : this.host;
      return "jdbc:postgresql://"
          + host
          + ":"
          + port
          + "/"
          + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8)
          + (query == null ? "" : "?" + query);
    }

    String display() {
      return ServiceAddress.display("postgresql", user, host, port, database);
    }
  }
}
