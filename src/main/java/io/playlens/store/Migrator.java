package io.playlens.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies pending migrations over JDBC, each in its own transaction, and records them in {@code
 * schema_migrations}. The SQL itself belongs to each store's dialect; this runner is shared.
 */
public final class Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

  private final List<Migration> migrations;

  public Migrator(List<Migration> migrations) {
    this.migrations = List.copyOf(requireNonNull(migrations, "migrations is null"));
  }

  /** Returns the schema version after migrating. */
  public int migrate(Connection connection) throws SQLException {
    int current = version(connection);
    boolean upgrading = current > 0;
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (Migration migration : migrations) {
        if (migration.version() <= current) {
          continue;
        }
        // Upgrading a store that has data: a migration that rewrites rows can take a while on a
        // large one, so say so first (a new store's migrations are instant).
        if (upgrading) {
          LOG.info("Applying migration {}: {}...", migration.version(), migration.description());
        }
        long started = System.nanoTime();
        try (Statement statement = connection.createStatement()) {
          for (String sql : statements(migration.resource())) {
            statement.execute(sql);
          }
        }
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)")) {
          insert.setInt(1, migration.version());
          insert.setString(2, migration.description());
          insert.setTimestamp(3, Timestamp.from(Instant.now()));
          insert.executeUpdate();
        }
        connection.commit();
        current = migration.version();
        LOG.info(
            "Applied migration {}: {} in {} ms",
            migration.version(),
            migration.description(),
            (System.nanoTime() - started) / 1_000_000);
      }
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
    return current;
  }

  /**
   * The schema version recorded in {@code schema_migrations} (made, empty, if missing): 0 for a new
   * database.
   */
  public static int version(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
              + "version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)");
    }
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT max(version) FROM schema_migrations")) {
      return rows.next() ? rows.getInt(1) : 0;
    }
  }

  private static List<String> statements(String resource) {
    try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // Comment lines go first, so a semicolon in a comment never splits a statement.
      String code =
          text.lines()
              .filter(line -> !line.strip().startsWith("--"))
              .collect(java.util.stream.Collectors.joining("\n"));
      return java.util.Arrays.stream(code.split(";"))
          .map(String::strip)
          .filter(sql -> !sql.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
