package io.playlens.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * Keeps {@code daily_viewers}: per account, environment, day and viewer (user agent + IP), the
 * longest watch among the sessions whose first play was that day (UTC), so that unique views over
 * many days count rows instead of distinct triples. Written in the transaction that changes the
 * session rows, so a query's snapshot sees both as of the same seal.
 */
final class DailyViewers {
  private DailyViewers() {}

  /** The same viewer and day: user agent and IP may be NULL, which match each other. */
  private static final String SAME_VIEWER =
      "d.k = v.k AND d.account = v.account AND d.environment = v.environment AND d.day = v.day"
          + " AND d.user_agent IS NOT DISTINCT FROM v.user_agent AND d.ip IS NOT DISTINCT FROM v.ip";

  /** A row's {@code k} from its key columns (as migration 10 computes it). */
  private static final String K =
      "md5_number_lower(concat_ws(chr(31), account, environment, CAST(day AS VARCHAR),"
          + " coalesce(user_agent, ''), coalesce(ip, '')))";

  /** The table's rows, with their {@code k}, of the session rows in {@code relation}. */
  private static String rows(String relation) {
    return "SELECT *, "
        + K
        + " AS k FROM (SELECT account, environment, CAST(play_at AS DATE) AS day, user_agent, ip,"
        + " max(watched) AS watched FROM "
        + relation
        + " WHERE play_at IS NOT NULL GROUP BY ALL)";
  }

  /** The rows of the viewers and days in {@code keys}, worked out from the session rows. */
  private static final String FROM_SESSIONS =
      rows(
          "(SELECT r.* FROM session_rollup r SEMI JOIN keys v ON r.account = v.account"
              + " AND r.environment = v.environment AND CAST(r.play_at AS DATE) = v.day"
              + " AND r.user_agent IS NOT DISTINCT FROM v.user_agent"
              + " AND r.ip IS NOT DISTINCT FROM v.ip WHERE r.play_at >= ? AND r.play_at < ?)");

  /**
   * Before the seal replaces the rows ({@code replaced}) of the sessions in {@code sealing}: notes
   * the viewers and days those sessions leave (a late event can move a first play to an earlier
   * day, an IP can arrive with a later beacon), which {@link #recount} works out again from the
   * session rows.
   */
  static void forget(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TEMP TABLE viewers_left AS SELECT DISTINCT r.account, r.environment,"
              + " CAST(r.play_at AS DATE) AS day, r.user_agent, r.ip"
              + " FROM replaced r JOIN sealing s USING (account, environment, session_id)"
              + " WHERE r.play_at IS NOT NULL AND (CAST(r.play_at AS DATE) <> CAST(s.play_at AS DATE)"
              + " OR r.user_agent IS DISTINCT FROM s.user_agent OR r.ip IS DISTINCT FROM s.ip)");
    }
  }

  /**
   * After the new session rows are in: a seal only adds to what a session watched, so the row of
   * each viewer and day of the sealed sessions takes the larger of its watch so far and theirs,
   * without reading the day's other sessions. The viewers and days a session left ({@link #forget})
   * are worked out again from all their sessions.
   */
  static void recount(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      // One statement; the join's bounds on day reach the table's scan.
      statement.execute(
          "MERGE INTO daily_viewers d USING ("
              + rows("sealing")
              + ") v ON "
              + SAME_VIEWER
              + " WHEN MATCHED THEN UPDATE SET watched = greatest(d.watched, v.watched)"
              + " WHEN NOT MATCHED THEN INSERT VALUES"
              + " (v.account, v.environment, v.day, v.user_agent, v.ip, v.watched, v.k)");
      LocalDate[] left = span(connection, "viewers_left");
      if (left != null) {
        statement.execute("CREATE TEMP TABLE keys AS SELECT *, " + K + " AS k FROM viewers_left");
        try (PreparedStatement delete =
                connection.prepareStatement(
                    "DELETE FROM daily_viewers d USING keys v WHERE d.day >= ? AND d.day <= ? AND "
                        + SAME_VIEWER);
            PreparedStatement insert =
                connection.prepareStatement("INSERT INTO daily_viewers " + FROM_SESSIONS)) {
          delete.setObject(1, left[0]);
          delete.setObject(2, left[1]);
          delete.executeUpdate();
          insert.setObject(1, left[0].atStartOfDay());
          insert.setObject(2, left[1].plusDays(1).atStartOfDay());
          insert.executeUpdate();
        }
        statement.execute("DROP TABLE keys");
      }
      statement.execute("DROP TABLE viewers_left");
    }
  }

  /** The first and last day in {@code table}; null when it is empty. */
  private static LocalDate[] span(Connection connection, String table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT min(day), max(day) FROM " + table)) {
      row.next();
      LocalDate first = row.getObject(1, LocalDate.class);
      return first == null ? null : new LocalDate[] {first, row.getObject(2, LocalDate.class)};
    }
  }

  /**
   * After the retention job deleted the account's session rows that ended before {@code end}: the
   * rows of every day up to {@code end}'s, again from the session rows left (a session that began
   * before the cut-off and ended after it stays, and so does its viewer's day).
   */
  static void redoThrough(
      Connection connection, String account, String environment, LocalDateTime end)
      throws SQLException {
    LocalDate last = end.toLocalDate();
    try (PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM daily_viewers WHERE account = ? AND environment = ? AND day <= ?");
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO daily_viewers "
                    + rows(
                        "(SELECT * FROM session_rollup"
                            + " WHERE account = ? AND environment = ? AND play_at < ?)"))) {
      delete.setString(1, account);
      delete.setString(2, environment);
      delete.setObject(3, last);
      delete.executeUpdate();
      insert.setString(1, account);
      insert.setString(2, environment);
      insert.setObject(3, last.plusDays(1).atStartOfDay());
      insert.executeUpdate();
    }
  }
}
