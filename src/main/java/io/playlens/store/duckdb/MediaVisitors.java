package io.playlens.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;

/**
 * Keeps {@code media_visitors}: per account, environment, media and viewer, the time of the
 * viewer's last load (impression) of the media. Written in the transaction that changes the session
 * rows.
 */
public final class MediaVisitors {
  private MediaVisitors() {}

  /**
   * The SQL for a row's {@code k} from the SQL of its key's parts (as migration 12 computes it): a
   * query finds a viewer's row by it, then compares the key columns.
   */
  public static String k(String account, String environment, String mediaId, String viewerId) {
    return "md5_number_lower(concat_ws(chr(31), "
        + String.join(", ", account, environment, mediaId, viewerId)
        + "))";
  }

  private static final String K = k("account", "environment", "media_id", "viewer_id");

  private static final String SAME_VIEWER =
      "d.k = v.k AND d.account = v.account AND d.environment = v.environment"
          + " AND d.media_id = v.media_id AND d.viewer_id = v.viewer_id";

  /**
   * The rows of the viewers in {@code keys}, worked out from their session rows with a load in [?,
   * ?): bounds that hold each viewer's last load, so the scan skips the rest of the store.
   */
  private static final String FROM_SESSIONS =
      rows(
          "(SELECT r.* FROM session_rollup r SEMI JOIN keys v ON r.account = v.account"
              + " AND r.environment = v.environment AND r.media_id = v.media_id"
              + " AND r.viewer_id = v.viewer_id"
              + " WHERE r.impression_at >= ? AND r.impression_at < ?)");

  /** The table's rows, with their {@code k}, of the session rows in {@code relation}. */
  private static String rows(String relation) {
    return "SELECT *, "
        + K
        + " AS k FROM (SELECT account, environment, media_id, viewer_id,"
        + " max(impression_at) AS last_load FROM "
        + relation
        + " WHERE impression_at IS NOT NULL AND viewer_id IS NOT NULL GROUP BY ALL)";
  }

  /** Later than any load: the open end of a bound. */
  private static final LocalDateTime NEVER = LocalDateTime.of(9999, 12, 31, 0, 0);

  /**
   * Before the seal replaces the rows ({@code replaced}) of the sessions in {@code sealing}: the
   * viewers whose load a session may take away (its first impression moved earlier by a late event,
   * or its viewer or media changed), which {@link #recount} works out again from all their
   * sessions.
   */
  static void forget(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TEMP TABLE visitors_changed AS SELECT r.account, r.environment,"
              // its new load bounds a viewer's last load from below (if it is still theirs)
              + " r.media_id, r.viewer_id, min(CASE WHEN r.viewer_id = s.viewer_id"
              + " AND r.media_id = s.media_id THEN s.impression_at"
              + " ELSE TIMESTAMP '0001-01-01 00:00:00' END) AS since"
              + " FROM replaced r JOIN sealing s USING (account, environment, session_id)"
              + " WHERE r.impression_at IS NOT NULL AND r.viewer_id IS NOT NULL"
              + " AND (r.impression_at <> s.impression_at OR r.viewer_id <> s.viewer_id"
              + " OR r.media_id <> s.media_id) GROUP BY ALL");
    }
  }

  /**
   * After the new session rows are in: a viewer's last load is the later of the one kept and the
   * sealed sessions' loads; the viewers {@link #forget} noted are worked out again.
   */
  static void recount(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "MERGE INTO media_visitors d USING ("
              + rows("sealing")
              + ") v ON "
              + SAME_VIEWER
              + " WHEN MATCHED THEN UPDATE SET last_load = greatest(d.last_load, v.last_load)"
              + " WHEN NOT MATCHED THEN INSERT VALUES"
              + " (v.account, v.environment, v.media_id, v.viewer_id, v.last_load, v.k)");
      LocalDateTime since = earliest(statement);
      if (since != null) {
        statement.execute(
            "CREATE TEMP TABLE keys AS SELECT *, " + K + " AS k FROM visitors_changed");
        statement.execute("DELETE FROM media_visitors d USING keys v WHERE " + SAME_VIEWER);
        // a changed viewer's last load is at least the new load of its changed session
        try (PreparedStatement insert =
            connection.prepareStatement("INSERT INTO media_visitors " + FROM_SESSIONS)) {
          insert.setObject(1, since);
          insert.setObject(2, NEVER);
          insert.executeUpdate();
        }
        statement.execute("DROP TABLE keys");
      }
      statement.execute("DROP TABLE visitors_changed");
    }
  }

  /** The earliest load now of the changed sessions; null when none changed. */
  private static LocalDateTime earliest(Statement statement) throws SQLException {
    try (var row = statement.executeQuery("SELECT min(since) FROM visitors_changed")) {
      row.next();
      return row.getObject(1, LocalDateTime.class);
    }
  }

  /**
   * After the retention job deleted the account's session rows that ended before {@code end}: the
   * viewers whose last load kept is before it, again from their session rows left (none: the row
   * goes).
   */
  static void redoThrough(
      Connection connection, String account, String environment, LocalDateTime end)
      throws SQLException {
    try (PreparedStatement keys =
            connection.prepareStatement(
                "CREATE TEMP TABLE keys AS SELECT * FROM media_visitors"
                    + " WHERE account = ? AND environment = ? AND last_load < ?");
        Statement statement = connection.createStatement()) {
      keys.setString(1, account);
      keys.setString(2, environment);
      keys.setObject(3, end);
      keys.execute();
      statement.execute("DELETE FROM media_visitors d USING keys v WHERE " + SAME_VIEWER);
      // their loads left are all before the cut-off, as their last load was
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO media_visitors " + FROM_SESSIONS)) {
        insert.setObject(1, LocalDateTime.of(1, 1, 1, 0, 0));
        insert.setObject(2, end);
        insert.executeUpdate();
      }
      statement.execute("DROP TABLE keys");
    }
  }
}
