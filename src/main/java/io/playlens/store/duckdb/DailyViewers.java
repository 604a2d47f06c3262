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
      "d.account = v.account AND d.environment = v.environment AND d.day = v.day"
          + " AND d.user_agent IS NOT DISTINCT FROM v.user_agent AND d.ip IS NOT DISTINCT FROM v.ip";

  /**
   * Before the seal replaces the rows of the sessions in {@code sealing}: notes the viewers and
   * days those sessions played on, as sealed and as merged (a late event can move a first play to
   * an earlier day, an IP can arrive with a later beacon), and deletes their rows here; {@link
   * #recount} writes them again from the new session rows.
   */
  static void forget(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TEMP TABLE viewer_days AS SELECT DISTINCT account, environment,"
              + " CAST(play_at AS DATE) AS day, user_agent, ip FROM ("
              + "SELECT r.account, r.environment, r.play_at, r.user_agent, r.ip"
              // looked up by session id alone (the index), then matched on the whole key
              + " FROM (SELECT r.* FROM session_rollup r SEMI JOIN sealing USING (session_id)) r"
              + " JOIN sealing s USING (account, environment, session_id)"
              + " UNION ALL SELECT account, environment, play_at, user_agent, ip FROM sealing)"
              + " WHERE play_at IS NOT NULL");
    }
    LocalDate[] days = span(connection);
    if (days == null) {
      return;
    }
    try (PreparedStatement delete =
        connection.prepareStatement(
            // bounded by day as well, so only the row groups of those days are read
            "DELETE FROM daily_viewers d USING viewer_days v WHERE d.day >= ? AND d.day <= ? AND "
                + SAME_VIEWER)) {
      delete.setObject(1, days[0]);
      delete.setObject(2, days[1]);
      delete.executeUpdate();
    }
  }

  /** After the new session rows are in: the rows {@link #forget} deleted, from them. */
  static void recount(Connection connection) throws SQLException {
    LocalDate[] days = span(connection);
    if (days != null) {
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO daily_viewers SELECT v.account, v.environment, v.day, v.user_agent, v.ip,"
                  + " max(d.watched) FROM (SELECT account, environment, CAST(play_at AS DATE) AS day,"
                  + " user_agent, ip, watched FROM session_rollup"
                  + " WHERE play_at >= ? AND play_at < ?) d JOIN viewer_days v ON "
                  + SAME_VIEWER
                  + " GROUP BY ALL")) {
        insert.setObject(1, days[0].atStartOfDay());
        insert.setObject(2, days[1].plusDays(1).atStartOfDay());
        insert.executeUpdate();
      }
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE viewer_days");
    }
  }

  /** The first and last day in {@code viewer_days}; null when it is empty. */
  private static LocalDate[] span(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT min(day), max(day) FROM viewer_days")) {
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
                "INSERT INTO daily_viewers SELECT account, environment, CAST(play_at AS DATE) AS day,"
                    + " user_agent, ip, max(watched) FROM session_rollup"
                    + " WHERE account = ? AND environment = ? AND play_at < ?"
                    + " GROUP BY account, environment, day, user_agent, ip")) {
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
