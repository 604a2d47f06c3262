package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.sql.SqlMetadataStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Read connections kept open between queries, each with the statements it prepared: DuckDB
 * preparing a query's SQL took about 3 ms of a 7 ms count (profiled with JFR), and the APIs ask the
 * same few dozen statements over and over. A connection is used by one query at a time; up to
 * {@code idle} wait between queries, more are opened when more queries run at once and closed
 * after.
 */
final class ReaderPool implements AutoCloseable {
  /** Prepared statements one connection keeps (least recently used go first). */
  static final int STATEMENTS = 256;

  private final SqlMetadataStore.Connections connections;
  private final ArrayBlockingQueue<Reader> waiting;
  private volatile boolean closed;

  ReaderPool(SqlMetadataStore.Connections connections, int idle) {
    this.connections = requireNonNull(connections, "connections is null");
    this.waiting = new ArrayBlockingQueue<>(idle);
  }

  /** A connection with its statements, for one query; give it back with {@link #release}. */
  static final class Reader {
    final Connection connection;
    private final Map<String, PreparedStatement> statements =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= STATEMENTS) {
              return false;
            }
            quietly(eldest.getValue());
            return true;
          }
        };

    private Reader(Connection connection) {
      this.connection = connection;
    }

    /** The statement for {@code sql}, prepared on first use, its parameters cleared. */
    PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement statement = statements.get(sql);
      if (statement == null) {
        statement = connection.prepareStatement(sql);
        statements.put(sql, statement);
      } else {
        statement.clearParameters();
      }
      return statement;
    }

    private void close() {
      statements.values().forEach(Reader::quietly);
      statements.clear();
      try {
        connection.close();
      } catch (SQLException e) {
        // closing: nothing to do about it
      }
    }

    private static void quietly(PreparedStatement statement) {
      try {
        statement.close();
      } catch (SQLException e) {
        // a statement of a connection being let go
      }
    }
  }

  Reader borrow() throws SQLException {
    Reader reader = waiting.poll();
    return reader != null ? reader : new Reader(connections.open());
  }

  /**
   * Takes the reader back after a query that ended cleanly (its transaction committed); with {@code
   * healthy} false (the query failed midway), or {@code idle} readers already waiting, its
   * connection is closed instead.
   */
  void release(Reader reader, boolean healthy) {
    if (!healthy || closed || !waiting.offer(reader)) {
      reader.close();
    } else if (closed) {
      close(); // the pool closed meanwhile: let go of what it may have missed
    }
  }

  @Override
  public void close() {
    closed = true;
    Reader reader;
    while ((reader = waiting.poll()) != null) {
      reader.close();
    }
  }
}
