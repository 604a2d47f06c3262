package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoreException;
import io.playlens.store.sql.SqlMetadataStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers typed questions from the embedded store with SQL built from the typed values and bind
 * parameters only: session counts, startup and watch time, views, concurrent viewers and all-time
 * plays, each as a whole, per dimension value or per time bucket ({@link Grouping}).
 */
public final class Queries {
  /** Event types that show a session playing: what keeps it among the concurrent viewers. */
  static final String HEARTBEATS = "('play', 'start', 'watch', 'seek', 'rebuffer')";

  /** How long a heartbeat keeps its session among the concurrent viewers. */
  public static final Duration HEARTBEAT_WINDOW = Duration.ofSeconds(20);

  private final SqlMetadataStore.Connections connections;

  public Queries(SqlMetadataStore.Connections connections) {
    this.connections = requireNonNull(connections, "connections is null");
  }

  /** A sum over sessions and how many sessions it covers (for averages). */
  public record Total(double sum, long sessions) {
    public double average() {
      return sessions == 0 ? 0 : sum / sessions;
    }
  }

  /**
   * Concurrent viewers in a time span: the highest number at any instant, and the time-weighted
   * average (viewer-seconds divided by the span's seconds).
   */
  public record Concurrency(long peak, double average) {
    public static final Concurrency NONE = new Concurrency(0, 0);
  }

  /** Sessions with an event of {@code eventType} in scope; each session once. */
  public long count(Scope scope, String eventType) throws StoreException {
    return count(scope, eventType, Grouping.WHOLE_SCOPE).getOrDefault(Grouping.WHOLE, 0L);
  }

  /**
   * Sessions with an event of {@code eventType} in scope, per group; a session counts in the group
   * of its first such event (per dimension value: once in each value it has).
   */
  public Map<String, Long> count(Scope scope, String eventType, Grouping grouping)
      throws StoreException {
    Sql firsts =
        events(
                scope,
                "c.session_id, " + valueOf(grouping) + " AS value, min(e.event_time) AS t",
                "e.event_type = CAST(? AS event_type)",
                eventType)
            .append(" GROUP BY 1, 2");
    Sql sql =
        new Sql("SELECT " + keyOf(grouping, "f") + ", count(*) FROM (")
            .append(firsts)
            .append(") f")
            .append(bucketJoin(scope, grouping, "f.t"))
            .append(" GROUP BY 1");
    return longs(sql, "counting " + eventType + label(grouping));
  }

  /** Startup time: per session its first frame's {@code startupMs}, summed. */
  public Total startup(Scope scope) throws StoreException {
    Sql inner =
        events(
                scope,
                "c.session_id, min(e.startup_ms) AS ms",
                "e.event_type = 'start' AND e.startup_ms IS NOT NULL")
            .append(" GROUP BY c.session_id");
    Sql sql = new Sql("SELECT coalesce(sum(ms), 0), count(*) FROM (").append(inner).append(")");
    return total(sql, "startup time");
  }

  /**
   * Seconds of media played per session: the union of its watch intervals (a second re-watched
   * counts once), summed over sessions that watched.
   */
  public Total watchTime(Scope scope) throws StoreException {
    Sql sql =
        perSessionWatch(scope).append(" SELECT coalesce(sum(seconds), 0), count(*) FROM watched");
    return total(sql, "watch time");
  }

  /**
   * Plays whose session watched at least {@code seconds}; with {@code unique}, one per viewer (user
   * agent + IP) per day.
   */
  public long views(Scope scope, int seconds, boolean unique) throws StoreException {
    return views(scope, seconds, unique, Grouping.WHOLE_SCOPE).getOrDefault(Grouping.WHOLE, 0L);
  }

  /** {@link #views(Scope, int, boolean)} per group: the play's dimension value or time bucket. */
  public Map<String, Long> views(Scope scope, int seconds, boolean unique, Grouping grouping)
      throws StoreException {
    Sql plays =
        events(
                scope,
                "c.session_id, "
                    + valueOf(grouping)
                    + " AS value, min(e.event_time) AS t, any_value(c.user_agent) AS ua,"
                    + " any_value(c.ip) AS ip",
                "e.event_type = 'play'")
            .append(" GROUP BY c.session_id, 2");
    String counted = unique ? "count(DISTINCT (f.ua, f.ip, CAST(f.t AS DATE)))" : "count(*)";
    Sql sql =
        perSessionWatch(scope)
            .append(" SELECT " + keyOf(grouping, "f") + ", " + counted + " FROM (SELECT p.* FROM (")
            .append(plays)
            .append(
                ") p JOIN watched w ON w.session_id = p.session_id WHERE w.seconds >= ?) f",
                seconds)
            .append(bucketJoin(scope, grouping, "f.t"))
            .append(" GROUP BY 1");
    return longs(sql, "views" + label(grouping));
  }

  /**
   * Concurrent viewers per group: a session is watching from each heartbeat for {@link
   * #HEARTBEAT_WINDOW}; with {@code unique} a viewer (user agent + IP) in several tabs counts once.
   * Heartbeats up to the window before the scope count, as they make a session live at its start.
   */
  public Map<String, Concurrency> concurrency(Scope scope, boolean unique, Grouping grouping)
      throws StoreException {
    String viewer =
        unique ? "coalesce(c.user_agent, '') || '|' || coalesce(c.ip, '')" : "c.session_id";
    Scope widened =
        new Scope(
            scope.account(),
            scope.environment(),
            scope.from().minus(HEARTBEAT_WINDOW),
            scope.to(),
            scope.filters());
    Sql beats =
        events(
            widened,
            viewer + " AS viewer, " + valueOf(grouping) + " AS value, e.event_time AS t",
            "e.event_type IN " + HEARTBEATS);
    long window = HEARTBEAT_WINDOW.toSeconds();
    Sql sql =
        new Sql("WITH beats AS (")
            .append(beats)
            .append(
                "), marked AS (SELECT viewer, value, t, CASE WHEN t <= lag(t) OVER w + INTERVAL "
                    + window
                    + " SECOND THEN 0 ELSE 1 END AS fresh FROM beats"
                    + " WINDOW w AS (PARTITION BY viewer, value ORDER BY t)),"
                    + " islands AS (SELECT viewer, value, t, sum(fresh) OVER"
                    + " (PARTITION BY viewer, value ORDER BY t) AS island FROM marked),"
                    + " spans AS (SELECT value, greatest(min(t), ?) AS s,"
                    + " least(max(t) + INTERVAL "
                    + window
                    + " SECOND, ?) AS e FROM islands GROUP BY viewer, value, island), b AS (",
                utc(scope.from()),
                utc(scope.to()))
            .append(buckets(scope, grouping))
            .append(
                "), live AS (SELECT value, s, e FROM spans WHERE s < e),"
                    // +1 where a viewer starts, -1 where one stops, 0 at each bucket's start (its
                    // value there); ends sort before starts at the same instant (spans are [s, e))
                    + " points AS (SELECT value, s AS moment, 1 AS delta FROM live"
                    + " UNION ALL SELECT value, e, -1 FROM live"
                    + " UNION ALL SELECT v.value, b.bs, 0 FROM (SELECT DISTINCT value FROM live) v"
                    + " CROSS JOIN b),"
                    + " running AS (SELECT value, moment, sum(delta) OVER (PARTITION BY value"
                    + " ORDER BY moment, delta) AS n FROM points),"
                    + " peaks AS (SELECT r.value, b.idx, max(r.n) AS peak FROM running r"
                    + " ASOF JOIN b ON r.moment >= b.bs GROUP BY 1, 2),"
                    + " seconds AS (SELECT l.value, b.idx, sum(epoch_ms(least(l.e, b.be))"
                    + " - epoch_ms(greatest(l.s, b.bs))) AS ms FROM live l"
                    + " JOIN b ON l.s < b.be AND l.e > b.bs GROUP BY 1, 2)"
                    + " SELECT "
                    + keyOf(grouping, "p")
                    + ", p.peak, coalesce(s.ms, 0) / (epoch_ms(b.be) - epoch_ms(b.bs))"
                    + " FROM peaks p JOIN b ON b.idx = p.idx"
                    + " LEFT JOIN seconds s ON s.value = p.value AND s.idx = p.idx");
    return query(
        sql,
        "concurrent viewers" + label(grouping),
        rows -> {
          Map<String, Concurrency> values = new LinkedHashMap<>();
          while (rows.next()) {
            values.put(rows.getString(1), new Concurrency(rows.getLong(2), rows.getDouble(3)));
          }
          return values;
        });
  }

  /**
   * Viewers watching at {@code now}: sessions (or unique viewers) with a heartbeat in the window.
   */
  public long concurrentNow(
      String account, String environment, Filters filters, boolean unique, Instant now)
      throws StoreException {
    String viewer =
        unique ? "coalesce(c.user_agent, '') || '|' || coalesce(c.ip, '')" : "c.session_id";
    // Corrected event times may lie a little ahead of the server's clock; they count as now.
    Scope recent =
        new Scope(
            account,
            environment,
            now.minus(HEARTBEAT_WINDOW),
            now.plus(Duration.ofHours(1)),
            filters);
    Sql sql =
        events(
            recent,
            "count(DISTINCT " + viewer + ")",
            "e.event_type IN " + HEARTBEATS + " AND e.event_time > ?",
            utc(now.minus(HEARTBEAT_WINDOW)));
    return query(
        sql,
        "live concurrent viewers",
        rows -> {
          rows.next();
          return rows.getLong(1);
        });
  }

  /**
   * All-time plays per media id, whatever the retention: sessions with a stored play event plus
   * those the retention job archived when it deleted their last play. Only the media filters apply.
   */
  public Map<String, Long> playTotals(String account, String environment, Filters filters)
      throws StoreException {
    Filters media =
        new Filters(
            filters.mediaIds(),
            filters.mediaType(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            null,
            List.of());
    if (!media.equals(filters)) {
      throw new IllegalArgumentException("only the media filters apply to all-time plays");
    }
    Sql stored =
        new Sql(
            "SELECT c.media_id, count(DISTINCT c.session_id) FROM events e"
                + " JOIN contexts c ON c.context_id = e.context_id"
                + " WHERE c.account = ? AND c.environment = ? AND e.event_type = 'play'",
            account,
            environment);
    where(media, stored);
    stored.append(" GROUP BY 1");
    Sql archived =
        new Sql(
            "SELECT c.media_id, sum(c.plays) FROM play_archive c"
                + " WHERE c.account = ? AND c.environment = ?",
            account,
            environment);
    where(media, archived);
    archived.append(" GROUP BY 1");
    Map<String, Long> totals = new LinkedHashMap<>(longs(stored, "all-time plays"));
    longs(archived, "archived plays").forEach((id, plays) -> totals.merge(id, plays, Long::sum));
    return totals;
  }

  private Total total(Sql sql, String what) throws StoreException {
    return query(
        sql,
        what,
        rows -> {
          rows.next();
          return new Total(rows.getDouble(1), rows.getLong(2));
        });
  }

  private Map<String, Long> longs(Sql sql, String what) throws StoreException {
    return query(
        sql,
        what,
        rows -> {
          Map<String, Long> values = new LinkedHashMap<>();
          while (rows.next()) {
            values.put(rows.getString(1), rows.getLong(2));
          }
          return values;
        });
  }

  /** The per-session value a grouping cuts by: the dimension's column, or one constant group. */
  private static String valueOf(Grouping grouping) {
    return grouping instanceof Grouping.By by
        ? by.dimension().column()
        : "'" + Grouping.WHOLE + "'";
  }

  /** The answer's key over a row {@code alias} that has a {@code value} (and its bucket b). */
  private static String keyOf(Grouping grouping, String alias) {
    return grouping instanceof Grouping.Over ? "CAST(b.idx AS VARCHAR)" : alias + ".value";
  }

  /** For a time grouping, the join that puts each row's {@code time} into its bucket b. */
  private static Sql bucketJoin(Scope scope, Grouping grouping, String time) {
    if (!(grouping instanceof Grouping.Over)) {
      return new Sql("");
    }
    return new Sql(" ASOF JOIN (")
        .append(buckets(scope, grouping))
        .append(") b ON " + time + " >= b.bs");
  }

  /**
   * {@code (idx, bs, be)}: the grouping's buckets clipped to the scope; the whole scope is bucket 0
   * when the grouping is not by time.
   */
  private static Sql buckets(Scope scope, Grouping grouping) {
    List<Instant> starts =
        grouping instanceof Grouping.Over over ? over.starts() : List.of(scope.from());
    Sql sql = new Sql("SELECT * FROM (VALUES ");
    for (int i = 0; i < starts.size(); i++) {
      Instant start = starts.get(i).isBefore(scope.from()) ? scope.from() : starts.get(i);
      Instant end = i + 1 < starts.size() ? starts.get(i + 1) : scope.to();
      end = end.isAfter(scope.to()) ? scope.to() : end;
      if (!start.isBefore(end)) {
        throw new IllegalArgumentException("bucket " + i + " lies outside the scope");
      }
      sql.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)", i, utc(start), utc(end));
    }
    return sql.append(") AS b(idx, bs, be)");
  }

  private static String label(Grouping grouping) {
    return switch (grouping) {
      case Grouping.Whole whole -> "";
      case Grouping.By by -> " by " + by.dimension().wireName();
      case Grouping.Over over -> " over time";
    };
  }

  /**
   * {@code WITH ... watched(session_id, seconds)}: islands of overlapping intervals per session.
   */
  private static Sql perSessionWatch(Scope scope) {
    Sql intervals =
        events(
            scope,
            "c.session_id, e.from_position AS f, e.to_position AS t",
            "e.event_type = 'watch' AND e.to_position > e.from_position");
    return new Sql("WITH intervals AS (")
        .append(intervals)
        .append(
            "), ordered AS (SELECT session_id, f, t, max(t) OVER (PARTITION BY session_id"
                + " ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach"
                + " FROM intervals),"
                + " islands AS (SELECT session_id, f, t, sum(CASE WHEN reach IS NULL OR f > reach"
                + " THEN 1 ELSE 0 END) OVER (PARTITION BY session_id ORDER BY f, t) AS island"
                + " FROM ordered),"
                + " spans AS (SELECT session_id, max(t) - min(f) AS seconds FROM islands"
                + " GROUP BY session_id, island),"
                + " watched AS (SELECT session_id, sum(seconds) AS seconds FROM spans"
                + " GROUP BY session_id)");
  }

  private static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** SQL text and its bind parameters, in order, built by appending both together. */
  private static final class Sql {
    final StringBuilder text;
    final List<Object> parameters = new ArrayList<>();

    Sql(String text, Object... parameters) {
      this.text = new StringBuilder(text);
      this.parameters.addAll(List.of(parameters));
    }

    Sql append(String more, Object... moreParameters) {
      text.append(more);
      parameters.addAll(List.of(moreParameters));
      return this;
    }

    Sql append(Sql more) {
      text.append(more.text);
      parameters.addAll(more.parameters);
      return this;
    }
  }

  /**
   * {@code SELECT select FROM events JOIN contexts WHERE scope AND condition AND filters}; the
   * condition's own parameters follow the scope's.
   */
  private static Sql events(
      Scope scope, String select, String condition, Object... conditionParameters) {
    Sql sql =
        new Sql(
                "SELECT "
                    + select
                    + " FROM events e JOIN contexts c ON c.context_id = e.context_id"
                    + " WHERE c.account = ? AND c.environment = ?"
                    + " AND e.event_time >= ? AND e.event_time < ? AND ",
                scope.account(),
                scope.environment(),
                utc(scope.from()),
                utc(scope.to()))
            .append(condition, conditionParameters);
    where(scope.filters(), sql);
    return sql;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private <T> T query(Sql sql, String what, Reader<T> reader) throws StoreException {
    try (Connection connection = connections.open();
        PreparedStatement statement = connection.prepareStatement(sql.text.toString())) {
      for (int i = 0; i < sql.parameters.size(); i++) {
        statement.setObject(i + 1, sql.parameters.get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        return reader.read(rows);
      }
    } catch (SQLException e) {
      throw new StoreException(what + " failed: " + e.getMessage(), e);
    }
  }

  /** The filters as SQL over the context row {@code c}. */
  private static void where(Filters filters, Sql sql) {
    in("c.media_id", filters.mediaIds(), sql);
    if (filters.mediaType() != null) {
      sql.append(" AND coalesce(c.media_type, 'video') = ?", filters.mediaType());
    }
    in("c.continent", filters.continents(), sql);
    in("c.country", filters.countries(), sql);
    in("c.device_type", filters.deviceTypes(), sql);
    in("c.os", filters.operatingSystems(), sql);
    in("c.browser", filters.browsers(), sql);
    if (filters.tag() != null) {
      sql.append(" AND list_contains(c.media_tags, ?)", filters.tag());
    }
    in("coalesce(c.referrer, '')", filters.referrers(), sql);
  }

  private static void in(String column, List<String> values, Sql sql) {
    if (values.isEmpty()) {
      return;
    }
    sql.append(" AND " + column + " IN (");
    for (int i = 0; i < values.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?", values.get(i));
    }
    sql.append(")");
  }
}
