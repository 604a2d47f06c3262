package io.playlens.store.duckdb;

import io.playlens.query.Dimension;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL that folds events into {@code session_rollup}: one statement that takes the events of a
 * range of commit batches, sums them up per session and merges each sum with the session's row so
 * far. The background sealer writes its result into the table; a query computes it for the batches
 * not sealed yet and reads it beside the table, so both use the same arithmetic.
 */
public final class SessionRollup {
  private SessionRollup() {}

  /** Event types that show a session playing: each keeps it among the concurrent viewers. */
  public static final String HEARTBEATS = "('play', 'start', 'watch', 'seek', 'rebuffer')";

  /** How long one heartbeat keeps its session among the concurrent viewers, in microseconds. */
  public static final long HEARTBEAT_MICROS = 20_000_000L;

  /** Context columns kept per session: the values of its first event. */
  static final List<String> DIMENSIONS =
      List.of(
          "viewer_id",
          "media_id",
          "media_type",
          "media_title",
          "media_duration",
          "media_tags",
          "page_url",
          "referrer",
          "email",
          "ip",
          "country",
          "region",
          "city",
          "latitude",
          "longitude",
          "continent",
          "organisation",
          "device_type",
          "os",
          "browser",
          "user_agent",
          "os_version",
          "browser_version");

  /** The first event of each kind a session row records, as {@code <kind>_at}. */
  static final List<String> FIRSTS = List.of("impression", "play", "start", "end");

  /** The table's columns in order, for inserts. */
  public static final String COLUMNS =
      "account, environment, session_id, "
          + String.join(", ", DIMENSIONS)
          + ", first_at, last_at, "
          + FIRSTS.stream().map(kind -> kind + "_at").collect(Collectors.joining(", "))
          + ", startup_ms, watch, watched, live, events, plays";

  /** The session's values that its minute marks carry (for filters and breakdowns). */
  static final List<String> MARK_DIMENSIONS =
      List.of(
          "media_type",
          "referrer",
          "ip",
          "continent",
          "country",
          "device_type",
          "os",
          "browser",
          "user_agent");

  /** The columns of {@code live_marks} besides the mark, in order. */
  public static final String MARK_COLUMNS =
      "account, environment, session_id, media_id, media_type, media_tags, referrer, ip,"
          + " continent, country, device_type, os, browser, user_agent";

  /**
   * A query for the minute marks of the session rows in {@code relation} (a table or CTE name with
   * the rollup's columns): a row per whole minute {@code mark} inside one of a session's live spans
   * ({@code s <= mark < e}), with {@link #MARK_COLUMNS}.
   */
  public static String marks(String relation) {
    return "SELECT "
        + MARK_COLUMNS
        + ", unnest(generate_series(date_trunc('minute', u.s - INTERVAL 1 MICROSECOND)"
        + " + INTERVAL 1 MINUTE, u.e - INTERVAL 1 MICROSECOND, INTERVAL 1 MINUTE)) AS mark"
        + " FROM (SELECT *, unnest(live) AS u FROM "
        + relation
        + ")";
  }

  /**
   * A query for {@code live_counts} rows (account, environment, dimension, value, mark, n) of the
   * minute marks in {@code relation}: per mark, everyone (dimension and value '') and each value of
   * every breakdown.
   */
  public static String counts(String relation) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT c.account, c.environment, '' AS dimension, '' AS value, c.mark, count(*) AS n"
                + " FROM "
                + relation
                + " c GROUP BY c.account, c.environment, c.mark");
    for (Dimension dimension : Dimension.values()) {
      sql.append(" UNION ALL SELECT c.account, c.environment, '")
          .append(dimension.wireName())
          .append("', ")
          .append(dimension.column())
          .append(", c.mark, count(*) FROM ")
          .append(relation)
          .append(" c GROUP BY ALL");
    }
    return sql.toString();
  }

  /**
   * A query for the merged rows of every session with events in batches ({@code after}, {@code
   * through}]: {@code after} and {@code through} are SQL expressions (a bind parameter or a scalar
   * subquery); with {@code scoped}, two parameters follow them: account and environment. Besides
   * {@link #COLUMNS}, {@code beat_from} is the first new heartbeat's time (null without one): the
   * session's minute marks before it are as they were.
   */
  public static String merged(String after, String through, boolean scoped) {
    return merged(after, through, scoped, null);
  }

  /**
   * {@link #merged(String, String, boolean)} for only some of those sessions: with a {@code
   * choice}, a condition over the aggregates of each session's new contexts ({@code a}: the
   * contexts its new events point to) beside its sealed row ({@code r}, absent for a new session),
   * only the sessions it holds for are merged. Its bind parameters, if any, follow account and
   * environment.
   *
   * <p>The new events are summed up per context first, and only those sums are joined to the
   * contexts, one file's table at a time: through the {@code contexts} view's UNION ALL, DuckDB
   * cannot tell how many rows a join on the context id makes (it estimated billions), and the
   * window functions below, sized by that estimate, took ten times as long.
   */
  public static String merged(String after, String through, boolean scoped, String choice) {
    String key = "account, environment, session_id";
    String dimensions =
        DIMENSIONS.stream()
            .map(column -> "arg_min(" + column + ", first_at) AS " + column)
            .collect(Collectors.joining(", "));
    String firsts =
        FIRSTS.stream()
            .map(
                kind ->
                    "min(event_time) FILTER (WHERE event_type = '" + kind + "') AS " + kind + "_at")
            .collect(Collectors.joining(", "));
    String firstOfFirsts =
        FIRSTS.stream()
            .map(kind -> "min(" + kind + "_at) AS " + kind + "_at")
            .collect(Collectors.joining(", "));
    String mergedDimensions =
        DIMENSIONS.stream()
            .map(
                // the first value a session had: one its sealed row lacks (an email sent by a
                // later beacon) comes from the new events, whenever the sealer ran
                column ->
                    "CASE WHEN o.session_id IS NULL THEN p."
                        + column
                        + " ELSE coalesce(o."
                        + column
                        + ", p."
                        + column
                        + ") END AS "
                        + column)
            .collect(Collectors.joining(", "));
    String mergedFirsts =
        FIRSTS.stream()
            .map(kind -> "least(o." + kind + "_at, p." + kind + "_at) AS " + kind + "_at")
            .collect(Collectors.joining(", "));
    String contextColumns =
        "c.account, c.environment, c.session_id, "
            + DIMENSIONS.stream().map(column -> "c." + column).collect(Collectors.joining(", "));
    String ofContexts =
        DuckDbEventStore.CATALOGS.stream()
            .map(catalog -> DuckDbEventStore.table(catalog, "contexts"))
            .map(
                table ->
                    "SELECT "
                        + contextColumns
                        + ", s.* FROM s JOIN "
                        + table
                        + " c USING (context_id)")
            .collect(Collectors.joining(" UNION ALL "));
    String n =
        "WITH e AS MATERIALIZED (SELECT context_id, event_type, event_time, from_position,"
            + " to_position, startup_ms FROM events WHERE batch > "
            + after
            + " AND batch <= "
            + through
            // per context: its events' sums
            + "), s AS (SELECT context_id, min(event_time) AS first_at, max(event_time) AS last_at, "
            + firsts
            + ", min(startup_ms) FILTER (WHERE event_type = 'start') AS startup_ms,"
            + " count(*) AS events, min(event_time) FILTER (WHERE event_type IN "
            + HEARTBEATS
            + ") AS beat_from FROM e GROUP BY context_id), a AS MATERIALIZED (SELECT * FROM ("
            + ofContexts
            + ")"
            + (scoped ? " WHERE account = ? AND environment = ?" : "")
            + ")";
    if (choice != null) {
      // The sealed rows of the sessions with new events, looked up by id (the index), then the
      // sessions chosen, then their contexts alone go through the merge.
      n +=
          ", k AS (SELECT a.account, a.environment, a.session_id FROM a"
              + " LEFT JOIN (SELECT r.* FROM session_rollup r SEMI JOIN"
              + " (SELECT DISTINCT session_id FROM a) USING (session_id)) r"
              + " USING ("
              + key
              + ") GROUP BY ALL HAVING "
              + choice
              + "), n AS (SELECT * FROM a SEMI JOIN k USING ("
              + key
              + "))";
    } else {
      n += ", n AS (SELECT * FROM a)";
    }
    return n
        + ", p AS (SELECT "
        + key
        + ", "
        + dimensions
        + ", min(first_at) AS first_at, max(last_at) AS last_at, "
        + firstOfFirsts
        + ", min(startup_ms) AS startup_ms, sum(events)::BIGINT AS events,"
        + " min(beat_from) AS beat_from, row_number() OVER () AS sid"
        + " FROM n GROUP BY "
        + key
        // Looked up by session id alone, so the index on it is used; a row of another account or
        // environment with the same id joins nothing below, where every join is on the whole key.
        + "), o AS (SELECT r.* FROM session_rollup r SEMI JOIN p USING (session_id)),"
        // Watched intervals ('w', media seconds) and live spans ('l', epoch microseconds): the
        // row's disjoint ones and the new events' ones, merged into islands below. They are keyed
        // by a number per session (sid), which the window functions partition and sort by far
        // faster than by the three text columns of the key; rows and events take it once each.
        + " os AS (SELECT p.sid, o.watch, o.live, o.plays FROM o JOIN p USING ("
        + key
        + ")), ns AS (SELECT x.sid, e.event_type, e.event_time, e.from_position, e.to_position"
        + " FROM e JOIN (SELECT n.context_id, p.sid FROM n JOIN p USING ("
        + key
        + ")) x USING (context_id)), pieces AS (SELECT sid, 'w' AS kind, u.f AS lo, u.t AS hi"
        + " FROM (SELECT sid, unnest(watch) AS u FROM os)"
        + " UNION ALL SELECT sid, 'l', epoch_us(u.s)::DOUBLE, epoch_us(u.e)::DOUBLE"
        + " FROM (SELECT sid, unnest(live) AS u FROM os)"
        // Pieces alike merge into one: a beacon of many events, all sent at the same moment,
        // makes one live piece rather than one per event (a seal of 100-event beacons sorted
        // half as many rows in the window functions below).
        + " UNION ALL SELECT DISTINCT sid, 'w', from_position, to_position FROM ns"
        + " WHERE event_type = 'watch' AND to_position > from_position"
        + " UNION ALL SELECT DISTINCT sid, 'l', epoch_us(event_time)::DOUBLE, epoch_us(event_time)::DOUBLE + "
        + HEARTBEAT_MICROS
        + " FROM ns WHERE event_type IN "
        + HEARTBEATS
        + "), reach AS (SELECT *, max(hi) OVER (PARTITION BY sid, kind ORDER BY lo, hi"
        + " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach"
        + " FROM pieces), islands AS (SELECT *, sum(CASE WHEN reach IS NULL OR lo > reach THEN 1"
        + " ELSE 0 END) OVER (PARTITION BY sid, kind ORDER BY lo, hi ROWS UNBOUNDED PRECEDING)"
        + " AS island FROM reach),"
        + " spans AS (SELECT sid, kind, min(lo) AS lo, max(hi) AS hi FROM islands"
        + " GROUP BY sid, kind, island), lists AS (SELECT sid,"
        + " list({'f': lo, 't': hi} ORDER BY lo) FILTER (WHERE kind = 'w') AS watch,"
        // to the microsecond, so a session's figure does not depend on the order it was summed in
        + " round(sum(hi - lo) FILTER (WHERE kind = 'w'), 6) AS watched,"
        + " list({'s': make_timestamp(lo::BIGINT), 'e': make_timestamp(hi::BIGINT)} ORDER BY lo)"
        + " FILTER (WHERE kind = 'l') AS live FROM spans GROUP BY sid),"
        // How many times each stretch was played: every interval counts +1 from its start and -1
        // from its end (a sealed stretch +n and -n), summed where they meet; a point where the sum
        // is 0 changes nothing and goes, so abutting heartbeats make one stretch.
        + " steps AS (SELECT sid, x, sum(d) AS d FROM ("
        + "SELECT sid, u.f AS x, u.n AS d FROM (SELECT sid, unnest(plays) AS u FROM os)"
        + " UNION ALL SELECT sid, u.t, -u.n FROM (SELECT sid, unnest(plays) AS u FROM os)"
        + " UNION ALL SELECT sid, from_position, 1 FROM ns"
        + " WHERE event_type = 'watch' AND to_position > from_position"
        + " UNION ALL SELECT sid, to_position, -1 FROM ns"
        + " WHERE event_type = 'watch' AND to_position > from_position"
        + ") GROUP BY sid, x HAVING sum(d) <> 0), levels AS (SELECT sid, x, lead(x) OVER w AS next_x,"
        + " sum(d) OVER w AS level FROM steps WINDOW w AS (PARTITION BY sid ORDER BY x)),"
        + " played AS (SELECT sid, list({'f': x, 't': next_x, 'n': level::INTEGER} ORDER BY x)"
        + " AS plays FROM levels WHERE level > 0 GROUP BY sid"
        + ") SELECT p.account, p.environment, p.session_id, "
        + mergedDimensions
        + ", least(o.first_at, p.first_at) AS first_at, greatest(o.last_at, p.last_at) AS last_at, "
        + mergedFirsts
        + ", least(o.startup_ms, p.startup_ms) AS startup_ms,"
        + " coalesce(l.watch, []) AS watch, coalesce(l.watched, 0) AS watched,"
        + " coalesce(l.live, []) AS live, coalesce(o.events, 0) + p.events AS events,"
        + " coalesce(pl.plays, []) AS plays,"
        // A sealed session whose minute marks carry a value it lacked (a referrer sent by a later
        // beacon) has all its marks rewritten, not only those from its first new heartbeat on.
        + " CASE WHEN o.session_id IS NOT NULL AND len(coalesce(l.live, [])) > 0 AND ("
        + MARK_DIMENSIONS.stream()
            .map(column -> "(o." + column + " IS NULL AND p." + column + " IS NOT NULL)")
            .collect(Collectors.joining(" OR "))
        + ") THEN TIMESTAMP '1970-01-01 00:00:00' ELSE p.beat_from END AS beat_from"
        + " FROM p LEFT JOIN o USING ("
        + key
        + ") LEFT JOIN lists l USING (sid) LEFT JOIN played pl USING (sid)";
  }
}
