package io.playlens.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * Keeps {@code daily_engagement}: per account, environment, media, day and second of the media, the
 * steps of the engagement graph of the sessions whose first event was on that day (UTC): {@code dn}
 * the change in how many times the second is played from the one before, {@code dp} the change in
 * how many sessions played it. Running sums of the steps of the days asked about give the graph,
 * reading at most a row per second of the media per day instead of every session's stretches.
 * Written in the transaction that changes the session rows.
 */
final class DailyEngagement {
  private DailyEngagement() {}

  /**
   * The steps of the session rows in {@code relation}, on the day each began, times {@code sign}:
   * each stretch played n times steps up n at its first second and down n at the second after its
   * last, each span played at all up and down 1 (seconds rounded as the graph rounds them).
   */
  static String steps(String relation, int sign) {
    String rows = " FROM " + relation + ") x";
    String key = "account, environment, media_id, CAST(first_at AS DATE) AS day, ";
    return "SELECT "
        + key
        + "CAST(round(u.f) AS BIGINT) AS cell, "
        + sign
        + " * u.n AS dn, 0 AS dp FROM (SELECT *, unnest(plays) AS u"
        + rows
        + " UNION ALL SELECT "
        + key
        + "CAST(round(u.t) AS BIGINT), "
        + -sign
        + " * u.n, 0 FROM (SELECT *, unnest(plays) AS u"
        + rows
        + " UNION ALL SELECT "
        + key
        + "CAST(round(u.f) AS BIGINT), 0, "
        + sign
        + " FROM (SELECT *, unnest(watch) AS u"
        + rows
        + " UNION ALL SELECT "
        + key
        + "CAST(round(u.t) AS BIGINT), 0, "
        + -sign
        + " FROM (SELECT *, unnest(watch) AS u"
        + rows;
  }

  /** {@link #steps} summed per key, the keys whose steps cancel out left out. */
  static String summed(String steps) {
    return "SELECT account, environment, media_id, day, cell, CAST(sum(dn) AS BIGINT) AS dn,"
        + " CAST(sum(dp) AS BIGINT) AS dp FROM ("
        + steps
        + ") GROUP BY ALL HAVING sum(dn) <> 0 OR sum(dp) <> 0";
  }

  /**
   * When the seal has replaced the rows ({@code replaced}) of the sessions in {@code sealing}:
   * their old steps taken off, their new ones added, and each day's steps that changed rewritten.
   */
  static void recount(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TEMP TABLE engagement_change AS "
              + summed(steps("replaced", -1) + " UNION ALL " + steps("sealing", 1)));
      LocalDate first;
      LocalDate last;
      try (ResultSet row =
          statement.executeQuery("SELECT min(day), max(day) FROM engagement_change")) {
        row.next();
        first = row.getObject(1, LocalDate.class);
        last = row.getObject(2, LocalDate.class);
      }
      if (first != null) {
        String same =
            "d.account = x.account AND d.environment = x.environment AND d.media_id = x.media_id"
                + " AND d.day = x.day AND d.cell = x.cell";
        try (PreparedStatement merge =
                connection.prepareStatement(
                    "CREATE TEMP TABLE engagement_rows AS SELECT x.account, x.environment,"
                        + " x.media_id, x.day, x.cell, x.dn + coalesce(d.dn, 0) AS dn,"
                        + " x.dp + coalesce(d.dp, 0) AS dp FROM engagement_change x"
                        // bounded by day too, so only the row groups of those days are read
                        + " LEFT JOIN (SELECT * FROM daily_engagement WHERE day >= ? AND day <= ?)"
                        + " d ON "
                        + same);
            PreparedStatement delete =
                connection.prepareStatement(
                    "DELETE FROM daily_engagement d USING engagement_change x"
                        + " WHERE d.day >= ? AND d.day <= ? AND "
                        + same)) {
          for (PreparedStatement step : java.util.List.of(merge, delete)) {
            step.setObject(1, first);
            step.setObject(2, last);
            step.execute();
          }
        }
        statement.execute(
            "INSERT INTO daily_engagement SELECT * FROM engagement_rows WHERE dn <> 0 OR dp <> 0");
        statement.execute("DROP TABLE engagement_rows");
      }
      statement.execute("DROP TABLE engagement_change");
    }
  }

  /**
   * After the retention job deleted the account's session rows that ended before {@code end}: the
   * steps of every day up to {@code end}'s, again from the session rows left.
   */
  static void redoThrough(
      Connection connection, String account, String environment, LocalDateTime end)
      throws SQLException {
    LocalDate last = end.toLocalDate();
    try (PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM daily_engagement WHERE account = ? AND environment = ? AND day <= ?");
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO daily_engagement "
                    + summed(
                        steps(
                            "(SELECT * FROM session_rollup WHERE account = ? AND environment = ?"
                                + " AND first_at < ?)",
                            1)))) {
      delete.setString(1, account);
      delete.setString(2, environment);
      delete.setObject(3, last);
      delete.executeUpdate();
      // the relation appears in each of the four parts of the steps
      for (int part = 0; part < 4; part++) {
        insert.setString(3 * part + 1, account);
        insert.setString(3 * part + 2, environment);
        insert.setObject(3 * part + 3, last.plusDays(1).atStartOfDay());
      }
      insert.executeUpdate();
    }
  }
}
