package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoreException;
import io.playlens.store.sql.SqlMetadataStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers typed questions from the embedded store with SQL built from the typed values and bind
 * parameters only. Today it reads the raw events; rollups maintained at commit will take over the
 * common questions.
 */
public final class Queries {
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

  /** Sessions with an event of {@code eventType} in scope; each session once. */
  public long count(Scope scope, String eventType) throws StoreException {
    return countBy(scope, eventType, null).getOrDefault(WHOLE, 0L);
  }

  /** Startup time: per session its first frame's {@code startupMs}, summed. */
  public Total startup(Scope scope) throws StoreException {
    Sql inner =
        events(
            scope,
            "c.session_id, min(e.startup_ms) AS ms",
            "e.event_type = 'start' AND e.startup_ms IS NOT NULL");
    inner.text.append(" GROUP BY c.session_id");
    Sql sql = new Sql("SELECT coalesce(sum(ms), 0), count(*) FROM (" + inner.text + ")", inner);
    return total(sql, "startup time");
  }

  /**
   * Seconds of media played per session: the union of its watch intervals (a second re-watched
   * counts once), summed over sessions that watched.
   */
  public Total watchTime(Scope scope) throws StoreException {
    Sql sql =
        new Sql(
            perSessionWatch(scope) + " SELECT coalesce(sum(seconds), 0), count(*) FROM watched",
            null);
    sql.parameters.addAll(watchParameters(scope));
    return total(sql, "watch time");
  }

  /**
   * Plays whose session watched at least {@code seconds}; with {@code unique}, one per viewer (user
   * agent + IP) per day.
   */
  public long views(Scope scope, int seconds, boolean unique) throws StoreException {
    return viewsBy(scope, seconds, unique, null).getOrDefault(WHOLE, 0L);
  }

  /** The one group of a question asked without a breakdown. */
  private static final String WHOLE = "";

  /** The grouping expression: the dimension's column, or one group for the whole scope. */
  private static String groupOf(Dimension dimension) {
    return dimension == null ? "'" + WHOLE + "'" : dimension.column();
  }

  private static String label(Dimension dimension) {
    return dimension == null ? "" : " by " + dimension.wireName();
  }

  /**
   * Sessions with an event of {@code eventType} in scope, per value of the dimension (null: one
   * group).
   */
  public Map<String, Long> countBy(Scope scope, String eventType, Dimension dimension)
      throws StoreException {
    Sql sql =
        events(
            scope,
            groupOf(dimension) + " AS value, count(DISTINCT c.session_id)",
            "e.event_type = CAST(? AS event_type)",
            eventType);
    sql.text.append(" GROUP BY 1");
    return grouped(sql, "counting " + eventType + label(dimension));
  }

  /**
   * {@link #views} per value of the dimension (the value of the play's context; null: one group).
   */
  public Map<String, Long> viewsBy(Scope scope, int seconds, boolean unique, Dimension dimension)
      throws StoreException {
    Sql plays =
        events(
            scope,
            "c.session_id, "
                + groupOf(dimension)
                + " AS value, min(e.event_time) AS played_at, any_value(c.user_agent) AS ua,"
                + " any_value(c.ip) AS ip",
            "e.event_type = 'play'");
    plays.text.append(" GROUP BY c.session_id, 2");
    String counted =
        unique ? "count(DISTINCT (p.ua, p.ip, CAST(p.played_at AS DATE)))" : "count(*)";
    Sql sql =
        new Sql(
            perSessionWatch(scope)
                + " SELECT p.value, "
                + counted
                + " FROM ("
                + plays.text
                + ") p JOIN watched w ON w.session_id = p.session_id WHERE w.seconds >= ?"
                + " GROUP BY 1",
            null);
    sql.parameters.addAll(watchParameters(scope));
    sql.parameters.addAll(plays.parameters);
    sql.parameters.add(seconds);
    return grouped(sql, "views" + label(dimension));
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

  private Map<String, Long> grouped(Sql sql, String what) throws StoreException {
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

  /** {@code WITH watched(session_id, seconds)}: islands of overlapping intervals per session. */
  private static String perSessionWatch(Scope scope) {
    Sql intervals =
        events(
            scope,
            "c.session_id, e.from_position AS f, e.to_position AS t",
            "e.event_type = 'watch' AND e.to_position > e.from_position");
    return "WITH intervals AS ("
        + intervals.text
        + "), ordered AS (SELECT session_id, f, t, max(t) OVER (PARTITION BY session_id ORDER BY f, t"
        + " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM intervals),"
        + " islands AS (SELECT session_id, f, t, sum(CASE WHEN reach IS NULL OR f > reach THEN 1"
        + " ELSE 0 END) OVER (PARTITION BY session_id ORDER BY f, t) AS island FROM ordered),"
        + " spans AS (SELECT session_id, max(t) - min(f) AS seconds FROM islands"
        + " GROUP BY session_id, island),"
        + " watched AS (SELECT session_id, sum(seconds) AS seconds FROM spans GROUP BY session_id)";
  }

  private static List<Object> watchParameters(Scope scope) {
    return events(scope, "1", "TRUE").parameters;
  }

  /** SQL text and its bind parameters, in order. */
  private static final class Sql {
    final StringBuilder text;
    final List<Object> parameters = new ArrayList<>();

    Sql(String text, Sql from) {
      this.text = new StringBuilder(text);
      if (from != null) {
        parameters.addAll(from.parameters);
      }
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
                + " AND e.event_time >= ? AND e.event_time < ? AND "
                + condition,
            null);
    sql.parameters.add(scope.account());
    sql.parameters.add(scope.environment());
    sql.parameters.add(LocalDateTime.ofInstant(scope.from(), ZoneOffset.UTC));
    sql.parameters.add(LocalDateTime.ofInstant(scope.to(), ZoneOffset.UTC));
    sql.parameters.addAll(List.of(conditionParameters));
    where(scope.filters(), sql.text, sql.parameters);
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
  static void where(Filters filters, StringBuilder sql, List<Object> parameters) {
    in("c.media_id", filters.mediaIds(), sql, parameters);
    if (filters.mediaType() != null) {
      sql.append(" AND coalesce(c.media_type, 'video') = ?");
      parameters.add(filters.mediaType());
    }
    in("c.continent", filters.continents(), sql, parameters);
    in("c.country", filters.countries(), sql, parameters);
    in("c.device_type", filters.deviceTypes(), sql, parameters);
    in("c.os", filters.operatingSystems(), sql, parameters);
    in("c.browser", filters.browsers(), sql, parameters);
    if (filters.tag() != null) {
      sql.append(" AND list_contains(c.media_tags, ?)");
      parameters.add(filters.tag());
    }
    in("coalesce(c.referrer, '')", filters.referrers(), sql, parameters);
  }

  private static void in(
      String column, List<String> values, StringBuilder sql, List<Object> parameters) {
    if (values.isEmpty()) {
      return;
    }
    sql.append(" AND ").append(column).append(" IN (");
    for (int i = 0; i < values.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
      parameters.add(values.get(i));
    }
    sql.append(')');
  }
}
