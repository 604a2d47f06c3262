package io.playlens.store.duckdb;

import java.sql.Connection;
import java.sql.PreparedStatement;
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
      // One statement (a seal used to spend ~70 ms on seven: temp tables, a join, a delete, an
      // insert); the join's bounds on day reach the table's scan, so only those days are read.
      statement.execute(
          "MERGE INTO daily_engagement d USING ("
              + summed(steps("replaced", -1) + " UNION ALL " + steps("sealing", 1))
              + ") x ON d.account = x.account AND d.environment = x.environment"
              + " AND d.media_id = x.media_id AND d.day = x.day AND d.cell = x.cell"
              + " WHEN MATCHED AND d.dn + x.dn = 0 AND d.dp + x.dp = 0 THEN DELETE"
              + " WHEN MATCHED THEN UPDATE SET dn = d.dn + x.dn, dp = d.dp + x.dp"
              + " WHEN NOT MATCHED THEN INSERT VALUES"
              + " (x.account, x.environment, x.media_id, x.day, x.cell, x.dn, x.dp)");
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
