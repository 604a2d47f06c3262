package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The figures of Wistia's Stats API over the same session rows as the api.video numbers, so the two
 * agree on the same data: loads are impressions, plays are plays, hours watched are the watch time
 * (union of each session's watched intervals) in hours.
 */
public final class WistiaStats {
  /**
   * The longest engagement graph, in seconds (about 28 hours): a watch interval is cut there, so
   * one beacon claiming ten million seconds cannot make a question expand ten million rows.
   */
  public static final int MAX_SECONDS = 100_000;

  private final Queries queries;

  public WistiaStats(Queries queries) {
    this.queries = requireNonNull(queries, "queries is null");
  }

  /**
   * Figures over a scope: loads and visitors by the session's impression, plays, watch time and
   * engagement by its play.
   *
   * @param engagement the mean share of the media each play watched (0–1), over plays with a known
   *     duration
   * @param visitors distinct viewers (visitor keys) among the loads
   */
  public record Figures(
      long loads, long plays, double watchedSeconds, double engagement, long visitors) {
    public double playRate() {
      return loads == 0 ? 0 : (double) plays / loads;
    }

    public double hoursWatched() {
      return watchedSeconds / 3600;
    }
  }

  /**
   * The share of its media a session {@code c} played, at most 1; its one parameter, the length
   * that stands in for a session without one.
   */
  private static final String SHARE_WATCHED =
      "least(1.0, c.watched / nullif(coalesce(c.media_duration, ?), 0))";

  /** {@link Figures} for the scope; {@code duration} stands in for sessions that lack one. */
  public Figures figures(Scope scope, Double duration) throws StoreException {
    Filters filters = scope.filters();
    if (filters.mediaIds().size() == 1 && filters.equals(Filters.ofMedia(filters.mediaIds()))) {
      return mediaFigures(scope, filters.mediaIds().get(0), duration);
    }
    Queries.Sql sql =
        Queries.sessions(scope.account(), scope.environment())
            .append(" SELECT ")
            .append(sums(scope, duration))
            .append(
                ", count(DISTINCT c.viewer_id) FILTER (WHERE c.impression_at >= ?"
                    + " AND c.impression_at < ?)"
                    // every figure counts a session with an impression or a play in the range, so
                    // one whose last event is before it counts in none: bounding by last_at lets
                    // the scan skip the older sessions (a 7-day range of a year: 1.2 s -> 20 ms)
                    + " FROM sessions c WHERE c.first_at < ? AND c.last_at >= ?",
                Queries.utc(scope.from()),
                Queries.utc(scope.to()),
                Queries.utc(scope.to()),
                Queries.utc(scope.from()));
    Queries.where(scope.filters(), sql);
    return queries.query(sql, "Wistia figures", WistiaStats::figuresOf);
  }

  /**
   * Loads, plays, seconds watched and mean share watched of the session rows {@code c}, each over
   * the scope (the figures but visitors), as SQL aggregates.
   */
  private static Queries.Sql sums(Scope scope, Double duration) {
    Object from = Queries.utc(scope.from());
    Object to = Queries.utc(scope.to());
    return new Queries.Sql(
        "count(*) FILTER (WHERE c.impression_at >= ? AND c.impression_at < ?),"
            + " count(*) FILTER (WHERE c.play_at >= ? AND c.play_at < ?),"
            + " coalesce(sum(CAST(round(c.watched * 1000000) AS BIGINT)) FILTER (WHERE"
            + " c.play_at >= ? AND c.play_at < ? AND c.watched > 0), 0) / 1000000.0,"
            + " coalesce(avg("
            + SHARE_WATCHED
            + ") FILTER (WHERE c.play_at >= ? AND c.play_at < ?), 0)",
        from,
        to,
        from,
        to,
        from,
        to,
        duration,
        from,
        to);
  }

  /** The figures from the one row of a statement that selects them in their order. */
  private static Figures figuresOf(ResultSet rows) throws SQLException {
    rows.next();
    return new Figures(
        rows.getLong(1), rows.getLong(2), rows.getDouble(3), rows.getDouble(4), rows.getLong(5));
  }

  /**
   * {@link #figures} of one media: its visitors are the viewers whose last load (kept by the sealer
   * per media and viewer) is in the scope, and from the sessions those whose last load is after it
   * or who have unsealed sessions, if they had a load in it (a year of a media with a million
   * sessions: a distinct count of their viewers took 0.35-0.45 s).
   */
  private Figures mediaFigures(Scope scope, String media, Double duration) throws StoreException {
    Object from = Queries.utc(scope.from());
    Object to = Queries.utc(scope.to());
    String account = scope.account();
    String environment = scope.environment();
    Queries.Sql sql =
        Queries.sessionsByDay(account, environment)
            .append(
                // those with unsealed sessions taken off by their k, not by an anti-join that
                // read every viewer id of the media (70-120 ms for a million)
                " SELECT f.*, (SELECT count(*) FROM media_visitors v WHERE v.account = ?"
                    + " AND v.environment = ? AND v.media_id = ? AND v.last_load >= ?"
                    + " AND v.last_load < ?) - (SELECT count(*) FROM media_visitors v"
                    + " SEMI JOIN fresh_viewers w ON w.k = v.k AND w.media_id = v.media_id"
                    + " AND w.viewer_id = v.viewer_id WHERE v.account = ? AND v.environment = ?"
                    + " AND v.media_id = ? AND v.last_load >= ? AND v.last_load < ?)"
                    + " + (SELECT count(DISTINCT c.viewer_id) FROM sessions c WHERE c.media_id = ?"
                    + " AND c.impression_at >= ? AND c.impression_at < ? AND c.viewer_id IN"
                    + " (SELECT viewer_id FROM media_visitors WHERE account = ? AND environment = ?"
                    + " AND media_id = ? AND last_load >= ?"
                    + " UNION SELECT viewer_id FROM fresh_viewers WHERE media_id = ?))",
                account,
                environment,
                media,
                from,
                to,
                account,
                environment,
                media,
                from,
                to,
                media,
                from,
                to,
                account,
                environment,
                media,
                to,
                media)
            .append(" FROM (SELECT ")
            .append(sums(scope, duration))
            .append(
                " FROM sessions c WHERE c.media_id = ? AND c.first_at < ? AND c.last_at >= ?) f",
                media,
                to,
                from);
    // Every part asks about this media's sessions alone (fresh_viewers too).
    Queries.asks(Filters.ofMedia(List.of(media)), sql);
    return queries.query(sql, "Wistia figures of a media", WistiaStats::figuresOf);
  }

  /**
   * {@link Figures#engagement()} alone: the mean share of the media played by the sessions that
   * played in the scope, without the other figures' distinct count of visitors (a year of a media
   * with a million sessions: every figure 470 ms, this one 60-85 ms).
   */
  public double meanShareWatched(Scope scope, Double duration) throws StoreException {
    Queries.Sql sql =
        Queries.sessions(scope.account(), scope.environment())
            .append(
                " SELECT coalesce(avg("
                    + SHARE_WATCHED
                    + "), 0) FROM sessions c WHERE c.play_at >= ? AND c.play_at < ?",
                duration,
                Queries.utc(scope.from()),
                Queries.utc(scope.to()));
    Queries.where(scope.filters(), sql);
    return queries.query(
        sql,
        "mean share watched",
        rows -> {
          rows.next();
          return rows.getDouble(1);
        });
  }

  /**
   * The engagement graph of a media over a scope: per second of the media, how many times it was
   * played in all ({@code plays}) and how many of those were by a session that had already played
   * it ({@code replays}). A watch interval plays second {@code i} when it covers at least half of
   * it, that is when the interval covers the second's middle (cells {@code round(from)} to {@code
   * round(to)} - 1). {@code seconds} is the media's length in whole seconds (cells past it are
   * dropped); with null, up to the last second played; never past {@link #MAX_SECONDS}.
   */
  public record Engagement(long[] plays, long[] replays) {}

  /**
   * The {@link Engagement} of a media's watch events in [from, to), or of one session's.
   *
   * <p>A session all of whose events fall in the range brings its row's counts: how many times each
   * stretch of the media was played ({@code plays}) and the stretches played at all ({@code
   * watch}), each turned into steps (+n from its first second, -n from the second after its last)
   * that add up, second by second, to the same counts as its every interval would. Only the few
   * sessions that began before the range or went on past it are counted from their watch events in
   * the range. Summing steps costs the stretches, not the seconds: a media with 100,000 sessions
   * took 1.4-2.7 s counted second by second from its events.
   */
  public Engagement engagement(
      String account,
      String environment,
      String mediaId,
      String sessionId,
      Instant from,
      Instant to,
      Integer seconds)
      throws StoreException {
    int end = seconds == null ? MAX_SECONDS : Math.min(seconds, MAX_SECONDS);
    Object fromUtc = Queries.utc(from);
    Object toUtc = Queries.utc(to);
    String session = sessionId == null ? "" : " AND c.session_id = ?";
    Object[] ofSession = sessionId == null ? new Object[0] : new Object[] {sessionId};
    // The whole days (UTC) in the range, [firstDay, lastDay): the sealer keeps the steps of the
    // sessions that began on each day, and a day's are read from there unless one of its sessions
    // has unsealed events. Each part of "inside" below is bounded by plain ranges of the session's
    // times, so the scan reads the lists of only the sessions it keeps (a year of a media with a
    // million sessions read every session's lists first: 130 ms warm, 330 ms cold).
    LocalDate firstDay = LocalDate.ofInstant(from.minusNanos(1), ZoneOffset.UTC).plusDays(1);
    LocalDate lastDay = LocalDate.ofInstant(to, ZoneOffset.UTC);
    boolean byDay = sessionId == null && firstDay.isBefore(lastDay);
    Queries.Sql sql;
    if (byDay) {
      Object first = firstDay.atStartOfDay();
      Object last = lastDay.atStartOfDay();
      String part = " UNION ALL SELECT c.watch, c.plays, ";
      sql =
          Queries.sessionsByDay(account, environment)
              .append(
                  // sign: -1 takes off steps the sealer summed that the range must not count
                  ", inside AS (SELECT c.watch, c.plays, 1 AS sign FROM sessions c"
                      + " WHERE c.media_id = ? AND c.first_at >= ? AND c.first_at < ?"
                      + " AND c.last_at < ?",
                  mediaId,
                  fromUtc,
                  first,
                  toUtc)
              // the part-day after the whole days
              .append(
                  part
                      + "1 FROM sessions c WHERE c.media_id = ? AND c.first_at >= ? AND c.last_at < ?",
                  mediaId,
                  last,
                  toUtc)
              // whole days with unsealed sessions: not as summed
              .append(
                  part
                      + "1 FROM sessions c WHERE c.media_id = ? AND c.first_at >= ? AND c.first_at < ?"
                      + " AND c.last_at < ? AND CAST(c.first_at AS DATE) IN"
                      + " (SELECT day FROM fresh_days WHERE day >= ? AND day < ?)",
                  mediaId,
                  first,
                  last,
                  toUtc,
                  firstDay,
                  lastDay)
              // summed on their day but going on past the range: counted from their events
              .append(
                  part
                      + "-1 FROM sessions c WHERE c.media_id = ? AND c.first_at >= ? AND c.first_at < ?"
                      + " AND c.last_at >= ? AND CAST(c.first_at AS DATE) NOT IN"
                      + " (SELECT day FROM fresh_days))",
                  mediaId,
                  first,
                  last,
                  toUtc);
    } else {
      sql =
          Queries.sessions(account, environment)
              .append(
                  ", inside AS (SELECT c.watch, c.plays, 1 AS sign FROM sessions c"
                      + " WHERE c.media_id = ? AND c.first_at >= ? AND c.last_at < ?"
                      + session
                      + ")",
                  mediaId,
                  fromUtc,
                  toUtc)
              .withParameters(ofSession);
    }
    sql.append(
            ", across AS (SELECT c.session_id, c.first_at, c.last_at FROM sessions c"
                + " WHERE c.media_id = ? AND c.first_at < ? AND c.last_at >= ?"
                + " AND NOT (c.first_at >= ? AND c.last_at < ?)"
                + session
                + ")",
            mediaId,
            toUtc,
            fromUtc,
            fromUtc,
            toUtc)
        .withParameters(ofSession)
        .append(
            // Their contexts first: with none, the events are not read at all (bounding the
            // events by the sessions' times, an empty bound, still read them all: 0.2 s).
            ", ac AS (SELECT c.context_id, c.session_id FROM contexts c"
                + " JOIN across a ON a.session_id = c.session_id"
                + " WHERE c.account = ? AND c.environment = ? AND c.media_id = ?),"
                + " w AS (SELECT ac.session_id, e.from_position AS f, e.to_position AS t"
                + " FROM events e JOIN ac ON ac.context_id = e.context_id"
                + " WHERE e.event_type = 'watch' AND e.to_position > e.from_position"
                + " AND e.event_time >= ? AND e.event_time < ?),"
                + " per AS (SELECT session_id, cell, count(*) AS n FROM (SELECT session_id,"
                + " unnest(range(CAST(round(f) AS BIGINT), least(CAST(round(t) AS BIGINT), "
                + end
                + "))) AS cell FROM w) GROUP BY ALL),"
                // The stretches (each played n times) and the spans played at all, summed per
                // first and last cell before they become steps: a few hundred rows instead of
                // two per stretch (a year of a million sessions: 0.60 s -> 0.45 s)
                + " stretches AS (SELECT CAST(round(u.f) AS BIGINT) AS lo, least(CAST(round(u.t)"
                + " AS BIGINT), "
                + end
                + ") AS hi, sum(u.n * sign) AS n FROM (SELECT unnest(plays) AS u, sign FROM inside)"
                + " GROUP BY ALL), spans AS (SELECT CAST(round(u.f) AS BIGINT) AS lo,"
                + " least(CAST(round(u.t) AS BIGINT), "
                + end
                + ") AS hi, sum(sign) AS played FROM (SELECT unnest(watch) AS u, sign FROM inside)"
                + " GROUP BY ALL),"
                + " steps AS (SELECT lo AS cell, n, 0 AS played FROM stretches WHERE lo < hi"
                + " UNION ALL SELECT hi, -n, 0 FROM stretches WHERE lo < hi"
                + " UNION ALL SELECT lo, 0, played FROM spans WHERE lo < hi"
                + " UNION ALL SELECT hi, 0, -played FROM spans WHERE lo < hi"
                + " UNION ALL SELECT cell, n, 1 FROM per UNION ALL SELECT cell + 1, -n, -1 FROM per",
            account,
            environment,
            mediaId,
            fromUtc,
            toUtc);
    if (byDay) {
      // past the end a step up meets its step down and they cancel, as a stretch cut there would
      sql.append(
          " UNION ALL SELECT least(d.cell, "
              + end
              + "), d.dn, d.dp FROM daily_engagement d WHERE d.account = ? AND d.environment = ?"
              + " AND d.media_id = ? AND d.day >= ? AND d.day < ?"
              + " AND d.day NOT IN (SELECT day FROM fresh_days)",
          account,
          environment,
          mediaId,
          firstDay,
          lastDay);
    }
    sql.append(") SELECT cell, sum(n), sum(played) FROM steps GROUP BY cell");
    return queries.query(
        sql,
        "engagement",
        rows -> {
          // The steps per second (none past the end), then their running sums: plays, and
          // sessions that played the second; every step up has its step down, so the sums are 0
          // at the end.
          long[] plays = new long[end + 1];
          long[] played = new long[end + 1];
          while (rows.next()) {
            int cell = rows.getInt(1);
            plays[cell] += rows.getLong(2);
            played[cell] += rows.getLong(3);
          }
          int last = -1;
          for (int cell = 0; cell <= end; cell++) {
            if (cell > 0) {
              plays[cell] += plays[cell - 1];
              played[cell] += played[cell - 1];
            }
            if (plays[cell] > 0) {
              last = cell;
            }
          }
          int length = seconds != null ? seconds : last + 1;
          long[] replays = new long[length];
          for (int cell = 0; cell < Math.min(length, end); cell++) {
            replays[cell] = plays[cell] - played[cell];
          }
          return new Engagement(Arrays.copyOf(plays, length), replays);
        });
  }

  /**
   * An engagement array of a media longer than {@code cells} seconds, shrunk to {@code cells}
   * cells: cell {@code j} covers seconds {@code [j·n/cells, (j+1)·n/cells)} and holds their mean,
   * rounded, so the values stay plays per second.
   */
  public static long[] scaled(long[] perSecond, int cells) {
    int n = perSecond.length;
    if (n <= cells) {
      return perSecond;
    }
    long[] scaled = new long[cells];
    for (int j = 0; j < cells; j++) {
      int from = (int) ((long) j * n / cells);
      int to = (int) ((long) (j + 1) * n / cells);
      long sum = 0;
      for (int i = from; i < to; i++) {
        sum += perSecond[i];
      }
      scaled[j] = Math.round((double) sum / (to - from));
    }
    return scaled;
  }

  /** A visitor's figures, from its session rows {@code c}. */
  private static final String VISITOR_FIGURES =
      "c.viewer_id, min(c.first_at) AS created_at, max(c.last_at) AS last_active_at,"
          + " arg_max(c.session_id, c.first_at) AS last_event_key,"
          + " count(*) FILTER (WHERE c.impression_at IS NOT NULL) AS load_count,"
          + " count(*) FILTER (WHERE c.play_at IS NOT NULL) AS play_count,"
          + " arg_max(c.email, c.first_at) FILTER (WHERE c.email IS NOT NULL) AS email,"
          + " arg_max(c.organisation, c.first_at) AS org,"
          + " arg_max({'browser': c.browser, 'browser_version': c.browser_version,"
          + " 'platform': c.os, 'mobile': coalesce(c.device_type IN ('phone', 'tablet'),"
          + " false)}, c.first_at) AS user_agent_details";

  /**
   * Visitors (viewer ids) with sessions in the scope, most recently active first, each as a JSON
   * object of Wistia's visitor fields: first and last activity, latest session, loads and plays,
   * the identity the tracker was given (email; organisation from the IP; Playlens knows no names)
   * and the browser of the latest session. {@code search} matches visitor key, email or
   * organisation (case-insensitive); {@code visitorKey} picks one visitor.
   */
  public List<String> visitors(
      Scope scope,
      String visitorKey,
      String search,
      boolean withEmail,
      boolean withName,
      long offset,
      long limit)
      throws StoreException {
    Queries.Sql sql =
        Queries.sessions(scope.account(), scope.environment())
            .append(
                ", s AS NOT MATERIALIZED (SELECT * FROM sessions c WHERE c.viewer_id IS NOT NULL"
                    + " AND c.first_at >= ? AND c.first_at < ?",
                Queries.utc(scope.from()),
                Queries.utc(scope.to()));
    Queries.where(scope.filters(), sql);
    if (visitorKey != null) {
      sql.append(" AND c.viewer_id = ?", visitorKey);
    }
    sql.append(")");
    boolean byActivityAlone = !withName && !withEmail && (search == null || search.isBlank());
    if (byActivityAlone) {
      // The page's visitors first, by their last activity alone (one figure per visitor), then
      // the other figures of those few: all figures of every visitor took 560-730 ms at 300,000.
      // Only the visitors of the latest sessions can be on the page: if the latest 2 x (offset +
      // limit) sessions (last_at >= t) have offset + limit visitors, every other one was last
      // active before t, after all of those, so the page is among them and each one's latest
      // activity is in them. Otherwise (t null) every visitor is ranked: 1.0-1.6 s at 3 million.
      long needed = offset + limit;
      sql.append(
          ", latest AS (SELECT viewer_id, last_at FROM s ORDER BY last_at DESC LIMIT ?),"
              + " cut AS (SELECT CASE WHEN count(DISTINCT viewer_id) >= ? THEN min(last_at) END"
              + " AS t FROM latest),"
              + " top AS (SELECT viewer_id, max(last_at) AS last_active_at FROM s"
              + " WHERE last_at >= coalesce((SELECT t FROM cut), TIMESTAMP '-infinity')"
              + " GROUP BY viewer_id ORDER BY last_active_at DESC, viewer_id LIMIT ? OFFSET ?),"
              + " v AS (SELECT "
              + VISITOR_FIGURES
              + " FROM s c JOIN top t ON t.viewer_id = c.viewer_id GROUP BY c.viewer_id)",
          needed > Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : 2 * needed,
          needed,
          limit,
          offset);
    } else {
      sql.append(", v AS (SELECT " + VISITOR_FIGURES + " FROM s c GROUP BY c.viewer_id)");
    }
    sql.append(" SELECT to_json({'visitor_key': viewer_id,")
        .append(
            " 'created_at': strftime(created_at, '%Y-%m-%dT%H:%M:%S.%gZ'),"
                + " 'last_active_at': strftime(last_active_at, '%Y-%m-%dT%H:%M:%S.%gZ'),"
                + " 'last_event_key': last_event_key, 'load_count': load_count,"
                + " 'play_count': play_count, 'visitor_identity': {'name': NULL::VARCHAR,"
                + " 'email': email, 'org': {'name': org, 'title': NULL::VARCHAR}},"
                + " 'user_agent_details': user_agent_details})::VARCHAR FROM v WHERE true");
    if (withName) {
      sql.append(" AND false"); // no visitor has a name: the tracker reports none
    }
    if (withEmail) {
      sql.append(" AND email IS NOT NULL");
    }
    if (search != null && !search.isBlank()) {
      String pattern = "%" + search.strip().toLowerCase(java.util.Locale.ROOT) + "%";
      sql.append(
          " AND (lower(viewer_id) LIKE ? ESCAPE '\\' OR lower(email) LIKE ? ESCAPE '\\'"
              + " OR lower(org) LIKE ? ESCAPE '\\')",
          escaped(pattern),
          escaped(pattern),
          escaped(pattern));
    }
    sql.append(" ORDER BY last_active_at DESC, viewer_id");
    if (!byActivityAlone) {
      sql.append(" LIMIT ? OFFSET ?", limit, offset);
    }
    return queries.query(
        sql,
        "visitors",
        rows -> {
          List<String> visitors = new ArrayList<>();
          while (rows.next()) {
            visitors.add(rows.getString(1));
          }
          return visitors;
        });
  }

  /** A LIKE pattern whose inner {@code %}, {@code _} and backslashes match themselves. */
  private static String escaped(String pattern) {
    String inner = pattern.substring(1, pattern.length() - 1);
    return "%" + inner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }
}
