package io.playlens.query;

import static io.playlens.store.clickhouse.ClickHouse.micros;
import static io.playlens.store.clickhouse.ClickHouse.number;
import static io.playlens.store.clickhouse.ClickHouse.quote;
import static io.playlens.store.clickhouse.ClickHouse.text;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.playlens.store.StoreException;
import io.playlens.store.clickhouse.ClickHouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@link Analytics} questions over ClickHouse, with the definitions of {@link Queries}: the
 * same session rows (here the merged aggregate states of the {@code sessions} table), the same
 * first-time columns, the same union of watched intervals and minute marks, so every number equals
 * the embedded store's on the same events. Values go into the SQL as escaped literals (ClickHouse
 * 18.16 has no bound parameters).
 */
public final class ClickHouseAnalytics implements Analytics {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final List<String> KINDS = List.of("impression", "play", "start", "end");
  private static final String HEARTBEATS = "('play', 'start', 'watch', 'seek', 'rebuffer')";

  /** Context columns of a session (the values of its first event), all text but the numbers. */
  private static final List<String> TEXTS =
      List.of(
          "viewer_id",
          "media_type",
          "media_title",
          "page_url",
          "referrer",
          "email",
          "ip",
          "country",
          "region",
          "city",
          "continent",
          "organisation",
          "device_type",
          "os",
          "os_version",
          "browser",
          "browser_version",
          "user_agent");

  private static final List<String> NUMBERS = List.of("media_duration", "latitude", "longitude");

  /** The merged columns of a session row, named as {@code session_rollup}'s. */
  private static final String SESSION_COLUMNS = sessionColumns();

  /**
   * A session's watch intervals as sorted endpoints: (start, +1) and (end, -1), so that the union's
   * length is a sweep over them.
   */
  private static final String ENDPOINTS =
      "arraySort(arrayConcat(arrayMap(ww -> (ww.1, 1), watch), arrayMap(ww -> (ww.2, -1), watch)))";

  /**
   * A session's watched seconds: the length of the union of its watch intervals (the stretches
   * between consecutive endpoints where at least one interval is open: sorting makes it n log n in
   * the session's intervals), to the microsecond as the embedded store has it.
   */
  private static final String WATCHED =
      ("round(arraySum(arrayMap((wp, wc, wn) -> if(wc > 0, wn - wp.1, 0), {points},"
              + " arrayCumSum(arrayMap(wp -> wp.2, {points})),"
              + " arrayResize(arrayPopFront(arrayMap(wp -> wp.1, {points})), length({points}), 0.))), 6)")
          .replace("{points}", ENDPOINTS);

  private final ClickHouse clickHouse;

  public ClickHouseAnalytics(ClickHouse clickHouse) {
    this.clickHouse = requireNonNull(clickHouse, "clickHouse is null");
  }

  private static String sessionColumns() {
    List<String> columns = new ArrayList<>();
    columns.add("session_id");
    // text is stored behind a \x01 mark: '' is no value at all, '\x01' an empty one
    columns.add("substring(argMinIfMerge(media_id_state), 2) AS media_id");
    for (String text : TEXTS) {
      String merged = "argMinIfMerge(" + text + "_state)";
      columns.add("if(empty(" + merged + "), NULL, substring(" + merged + ", 2)) AS " + text);
    }
    for (String number : NUMBERS) {
      columns.add(
          "if(maxMerge("
              + number
              + "_known) = 1, argMinIfMerge("
              + number
              + "_state), NULL) AS "
              + number);
    }
    columns.add("argMinMerge(media_tags_state) AS media_tags");
    columns.add("minMerge(first_at_state) AS first_at");
    columns.add("maxMerge(last_at_state) AS last_at");
    for (String kind : KINDS) {
      columns.add("nullIf(minIfMerge(" + kind + "_at_state), 0) AS " + kind + "_at");
    }
    columns.add(
        "if(maxMerge(startup_ms_known) = 1, minIfMerge(startup_ms_state), NULL) AS startup_ms");
    columns.add("arraySort(x -> (x.1, x.2), groupArrayIfMerge(watch_state)) AS watch");
    columns.add("groupUniqArrayIfMerge(marks_state) AS marks");
    columns.add("countMerge(events_state) AS events");
    return String.join(", ", columns);
  }

  /**
   * The account's session rows as a subquery (to be aliased {@code c}); with {@code watched}, also
   * their watched seconds; {@code only}, when given, narrows the sessions before merging.
   */
  private static String sessions(String account, String environment, boolean watched, String only) {
    String merged =
        "SELECT "
            + SESSION_COLUMNS
            + " FROM sessions WHERE account = "
            + quote(account)
            + " AND environment = "
            + quote(environment)
            + (only == null ? "" : " AND " + only)
            + " GROUP BY session_id";
    return watched
        ? "(SELECT *, " + WATCHED + " AS watched FROM (" + merged + "))"
        : "(" + merged + ")";
  }

  private static String sessions(Scope scope, boolean watched) {
    return sessions(scope.account(), scope.environment(), watched, null);
  }

  /** The filters over the session row {@code c}, as {@code Queries#where} has them. */
  static String where(Filters filters) {
    StringBuilder sql = new StringBuilder();
    in(sql, "c.media_id", filters.mediaIds());
    if (filters.mediaType() != null) {
      sql.append(" AND coalesce(c.media_type, 'video') = ").append(quote(filters.mediaType()));
    }
    in(sql, "c.continent", filters.continents());
    in(sql, "c.country", filters.countries());
    in(sql, "c.device_type", filters.deviceTypes());
    in(sql, "c.os", filters.operatingSystems());
    in(sql, "c.browser", filters.browsers());
    if (filters.tag() != null) {
      sql.append(" AND has(c.media_tags, ").append(quote(filters.tag())).append(")");
    }
    in(sql, "coalesce(c.referrer, '')", filters.referrers());
    return sql.toString();
  }

  private static void in(StringBuilder sql, String column, List<String> values) {
    if (!values.isEmpty()) {
      sql.append(" AND ")
          .append(column)
          .append(" IN (")
          .append(values.stream().map(ClickHouse::quote).collect(Collectors.joining(", ")))
          .append(")");
    }
  }

  private static String range(String column, Instant from, Instant to) {
    return column + " >= " + micros(from) + " AND " + column + " < " + micros(to);
  }

  /** The per-session value a grouping cuts by, or one constant group. */
  private static String valueOf(Grouping grouping) {
    return grouping instanceof Grouping.By by ? by.dimension().column() : "''";
  }

  /** The answer's key: the grouping's value, or the index of the bucket {@code time} falls in. */
  private static String keyOf(Grouping grouping, String time) {
    if (grouping instanceof Grouping.Over over) {
      String starts =
          over.starts().stream()
              .map(s -> Long.toString(micros(s)))
              .collect(Collectors.joining(", "));
      return "toString(arrayCount(s -> s <= assumeNotNull(" + time + "), [" + starts + "]) - 1)";
    }
    return valueOf(grouping);
  }

  @Override
  public Map<String, Long> count(Scope scope, String kind, Grouping grouping)
      throws StoreException {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("no first-time column for " + kind);
    }
    String at = "c." + kind + "_at";
    // The key is taken in a subquery: 18.16 cannot group by a lambda over a column.
    return longs(
        "SELECT k, count() AS n FROM (SELECT "
            + keyOf(grouping, at)
            + " AS k FROM "
            + sessions(scope, false)
            + " AS c WHERE "
            + range(at, scope.from(), scope.to())
            + where(scope.filters())
            + ") GROUP BY k");
  }

  @Override
  public Total startup(Scope scope) throws StoreException {
    JsonNode row =
        one(
            "SELECT sum(c.startup_ms) AS s, count() AS n FROM "
                + sessions(scope, false)
                + " AS c WHERE "
                + range("c.start_at", scope.from(), scope.to())
                + " AND isNotNull(c.startup_ms)"
                + where(scope.filters()));
    return new Total(row.path("s").asDouble(), row.path("n").asLong());
  }

  /** Watched seconds summed to the microsecond, as the embedded store sums them. */
  private static final String WATCHED_SUM =
      "sum(toInt64(floor(c.watched * 1000000 + 0.5))) / 1000000";

  @Override
  public Total watchTime(Scope scope) throws StoreException {
    JsonNode row =
        one(
            "SELECT "
                + WATCHED_SUM
                + " AS s, count() AS n FROM "
                + sessions(scope, true)
                + " AS c WHERE "
                + range("c.play_at", scope.from(), scope.to())
                + " AND c.watched > 0"
                + where(scope.filters()));
    return new Total(row.path("s").asDouble(), row.path("n").asLong());
  }

  @Override
  public Map<String, Double> watchTime(Scope scope, Grouping grouping) throws StoreException {
    Map<String, Double> values = new LinkedHashMap<>();
    for (JsonNode row :
        clickHouse.rows(
            "SELECT k, sum(toInt64(floor(w * 1000000 + 0.5))) / 1000000 AS s FROM (SELECT "
                + keyOf(grouping, "c.play_at")
                + " AS k, c.watched AS w FROM "
                + sessions(scope, true)
                + " AS c WHERE "
                + range("c.play_at", scope.from(), scope.to())
                + " AND c.watched > 0"
                + where(scope.filters())
                + ") GROUP BY k")) {
      values.put(row.path("k").asText(), row.path("s").asDouble());
    }
    return values;
  }

  /** Text that stands for NULL in a distinct count (so NULL and '' stay apart, as in DuckDB). */
  private static String orNull(String column) {
    return "ifNull(" + column + ", '\\x01')";
  }

  @Override
  public Map<String, Long> views(Scope scope, int seconds, boolean unique, Grouping grouping)
      throws StoreException {
    String viewer =
        unique
            ? "concat("
                + orNull("c.user_agent")
                + ", '\\0', "
                + orNull("c.ip")
                + ", '\\0', toString(intDiv(c.play_at, 86400000000)))"
            : "c.session_id";
    return longs(
        "SELECT k, "
            + (unique ? "uniqExact(v)" : "count()")
            + " AS n FROM (SELECT "
            + keyOf(grouping, "c.play_at")
            + " AS k, "
            + viewer
            + " AS v FROM "
            + sessions(scope, true)
            + " AS c WHERE "
            + range("c.play_at", scope.from(), scope.to())
            + " AND c.watched >= "
            + seconds
            + where(scope.filters())
            + ") GROUP BY k");
  }

  /** A viewer: the session, or with {@code unique} the user agent + IP across tabs. */
  private static String viewer(boolean unique) {
    return unique ? "concat(ifNull(c.user_agent, ''), '|', ifNull(c.ip, ''))" : "c.session_id";
  }

  @Override
  public Map<String, Concurrency> concurrency(Scope scope, boolean unique, Grouping grouping)
      throws StoreException {
    boolean overTime = grouping instanceof Grouping.Over;
    // Each mark with its group (a value, or its bucket: taken before any grouping, as 18.16
    // cannot group by a lambda over a column), then viewers per group and minute, then per group.
    String marks =
        "SELECT "
            + (overTime ? keyOf(grouping, "m.mark") : "m.value")
            + " AS k, m.viewer AS viewer, m.mark AS mark FROM (SELECT "
            + valueOf(grouping)
            + " AS value, "
            + viewer(unique)
            + " AS viewer, arrayJoin(c.marks) AS mark FROM "
            + sessions(scope, false)
            + " AS c WHERE notEmpty(c.marks)"
            + where(scope.filters())
            + ") AS m WHERE "
            + range("m.mark", scope.from(), scope.to());
    String sql =
        "SELECT k, max(n) AS peak, sum(n) AS total FROM (SELECT k, mark, "
            + (unique ? "uniqExact(viewer)" : "count()")
            + " AS n FROM ("
            + marks
            + ") GROUP BY k, mark) GROUP BY k";
    List<Instant> starts = overTime ? ((Grouping.Over) grouping).starts() : List.of(scope.from());
    Map<String, Concurrency> values = new LinkedHashMap<>();
    for (JsonNode row : clickHouse.rows(sql)) {
      String key = row.path("k").asText();
      long minutes = Queries.bucketMinutes(scope, starts, overTime ? Integer.parseInt(key) : 0);
      values.put(
          key,
          new Concurrency(
              row.path("peak").asLong(),
              minutes == 0 ? 0 : row.path("total").asDouble() / minutes));
    }
    return values;
  }

  @Override
  public long concurrentNow(
      String account, String environment, Filters filters, boolean unique, Instant now)
      throws StoreException {
    // live at now: a heartbeat t with t <= now < t + 20 s
    long at = micros(now);
    String beating =
        "session_id IN (SELECT session_id FROM events WHERE account = "
            + quote(account)
            + " AND environment = "
            + quote(environment)
            + " AND event_type IN "
            + HEARTBEATS
            + " AND event_time > "
            + (at - micros(Instant.EPOCH.plus(Queries.HEARTBEAT_WINDOW)))
            + " AND event_time <= "
            + at
            + ")";
    return one("SELECT uniqExact("
            + viewer(unique)
            + ") AS n FROM "
            + sessions(account, environment, false, beating)
            + " AS c WHERE 1"
            + where(filters))
        .path("n")
        .asLong();
  }

  @Override
  public Map<String, Long> playTotals(String account, String environment, Filters filters)
      throws StoreException {
    Filters media = filters.mediaOnly();
    StringBuilder sql =
        new StringBuilder(
            "SELECT media_id AS k, uniqExactIfMerge(plays_state) AS n FROM play_totals"
                + " WHERE account = "
                + quote(account)
                + " AND environment = "
                + quote(environment));
    in(sql, "media_id", filters.mediaIds());
    if (filters.mediaType() != null) {
      sql.append(" AND media_kind = ").append(quote(filters.mediaType()));
    }
    sql.append(" GROUP BY media_id HAVING n > 0");
    return longs(sql.toString());
  }

  @Override
  public WistiaStats.Figures figures(Scope scope, Double duration) throws StoreException {
    String played = range("c.play_at", scope.from(), scope.to());
    String loaded = range("c.impression_at", scope.from(), scope.to());
    String length =
        duration == null ? "c.media_duration" : "ifNull(c.media_duration, " + duration + ")";
    String share = played + " AND isNotNull(" + length + ") AND " + length + " != 0";
    JsonNode row =
        one(
            "SELECT countIf("
                + loaded
                + ") AS loads, countIf("
                + played
                + ") AS plays, sumIf(toInt64(floor(c.watched * 1000000 + 0.5)), "
                + played
                + " AND c.watched > 0) AS watched_us, sumIf(least(1.0, c.watched / "
                + length
                + "), "
                + share
                + ") AS share_sum, countIf("
                + share
                + ") AS share_n, uniqExactIf(c.viewer_id, "
                + loaded
                + " AND isNotNull(c.viewer_id)) AS visitors FROM "
                + sessions(scope, true)
                + " AS c WHERE c.first_at < "
                + micros(scope.to())
                + " AND c.last_at >= "
                + micros(scope.from())
                + where(scope.filters()));
    long shares = row.path("share_n").asLong();
    return new WistiaStats.Figures(
        row.path("loads").asLong(),
        row.path("plays").asLong(),
        row.path("watched_us").asLong() / 1_000_000.0,
        shares == 0 ? 0 : row.path("share_sum").asDouble() / shares,
        row.path("visitors").asLong());
  }

  @Override
  public WistiaStats.Engagement engagement(
      String account,
      String environment,
      String mediaId,
      String sessionId,
      Instant from,
      Instant to,
      Integer seconds)
      throws StoreException {
    int end =
        seconds == null ? WistiaStats.MAX_SECONDS : Math.min(seconds, WistiaStats.MAX_SECONDS);
    // A watch interval plays the seconds whose middle it covers: cells round(from) to round(to)-1.
    String intervals =
        "SELECT session_id, toInt64(floor(assumeNotNull(from_position) + 0.5)) AS lo,"
            + " least(toInt64(floor(assumeNotNull(to_position) + 0.5)), "
            + end
            + ") AS hi FROM events WHERE account = "
            + quote(account)
            + " AND environment = "
            + quote(environment)
            + " AND media_id = "
            + quote(mediaId)
            + " AND event_type = 'watch' AND to_position > from_position AND "
            + range("event_time", from, to)
            + (sessionId == null ? "" : " AND session_id = " + quote(sessionId));
    String cells =
        "SELECT session_id, arrayJoin(arrayMap(i -> lo + i, range(toUInt64(greatest(0, hi - lo)))))"
            + " AS cell FROM ("
            + intervals
            + ")";
    String sql =
        "SELECT cell, sum(n) AS plays, sum(n - 1) AS replays FROM (SELECT session_id, cell,"
            + " count() AS n FROM ("
            + cells
            + ") GROUP BY session_id, cell)"
            + (seconds == null ? "" : " WHERE cell < " + seconds)
            + " GROUP BY cell ORDER BY cell";
    List<long[]> found = new ArrayList<>();
    for (JsonNode row : clickHouse.rows(sql)) {
      found.add(
          new long[] {
            row.path("cell").asLong(), row.path("plays").asLong(), row.path("replays").asLong()
          });
    }
    int length =
        seconds != null ? seconds : found.isEmpty() ? 0 : (int) found.get(found.size() - 1)[0] + 1;
    long[] plays = new long[length];
    long[] replays = new long[length];
    for (long[] cell : found) {
      plays[(int) cell[0]] = cell[1];
      replays[(int) cell[0]] = cell[2];
    }
    return new WistiaStats.Engagement(plays, replays);
  }

  @Override
  public List<String> visitors(
      Scope scope,
      String visitorKey,
      String search,
      boolean withEmail,
      boolean withName,
      long offset,
      long limit)
      throws StoreException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT * FROM (SELECT c.viewer_id AS vid, min(c.first_at) AS created,"
                + " max(c.last_at) AS active, argMax(c.session_id, c.first_at) AS last_key,"
                + " countIf(isNotNull(c.impression_at)) AS loads,"
                + " countIf(isNotNull(c.play_at)) AS plays,"
                + " "
                + latest("c.email")
                + " AS v_email, "
                + latest("c.organisation")
                + " AS v_org,"
                + " argMax((c.browser, c.browser_version, c.os, c.device_type), c.first_at) AS v_agent"
                + " FROM "
                + sessions(scope, false)
                + " AS c WHERE isNotNull(c.viewer_id) AND "
                + range("c.first_at", scope.from(), scope.to())
                + where(scope.filters()));
    if (visitorKey != null) {
      sql.append(" AND c.viewer_id = ").append(quote(visitorKey));
    }
    sql.append(" GROUP BY c.viewer_id) WHERE 1");
    if (withName) {
      sql.append(" AND 0"); // no visitor has a name: the tracker reports none
    }
    if (withEmail) {
      sql.append(" AND isNotNull(v_email)");
    }
    if (search != null && !search.isBlank()) {
      String needle = quote(search.strip().toLowerCase(java.util.Locale.ROOT));
      sql.append(" AND (positionUTF8(lowerUTF8(vid), ")
          .append(needle)
          .append(") > 0 OR positionUTF8(lowerUTF8(ifNull(v_email, '')), ")
          .append(needle)
          .append(") > 0 OR positionUTF8(lowerUTF8(ifNull(v_org, '')), ")
          .append(needle)
          .append(") > 0)");
    }
    sql.append(" ORDER BY active DESC, vid LIMIT ").append(limit).append(" OFFSET ").append(offset);
    List<String> visitors = new ArrayList<>();
    for (JsonNode row : clickHouse.rows(sql.toString())) {
      ObjectNode visitor = JSON.createObjectNode();
      visitor.put("visitor_key", row.path("vid").asText());
      visitor.put("created_at", MILLIS.format(ClickHouse.instant(row.path("created").asLong())));
      visitor.put("last_active_at", MILLIS.format(ClickHouse.instant(row.path("active").asLong())));
      visitor.put("last_event_key", row.path("last_key").asText());
      visitor.put("load_count", row.path("loads").asLong());
      visitor.put("play_count", row.path("plays").asLong());
      ObjectNode identity = visitor.putObject("visitor_identity");
      identity.putNull("name");
      identity.set("email", row.path("v_email"));
      ObjectNode org = identity.putObject("org");
      org.set("name", row.path("v_org"));
      org.putNull("title");
      JsonNode agent = row.path("v_agent");
      ObjectNode details = visitor.putObject("user_agent_details");
      details.set("browser", agent.path(0));
      details.set("browser_version", agent.path(1));
      details.set("platform", agent.path(2));
      details.put("mobile", mobile(agent.path(3)));
      visitors.add(visitor.toString());
    }
    return visitors;
  }

  /**
   * The value of the visitor's latest session that has one (NULLs skipped, as DuckDB's arg_max
   * skips them), kept apart from an empty one by a \x01 mark while aggregated.
   */
  private static String latest(String column) {
    String marked =
        "argMaxIf(concat('\\x01', assumeNotNull("
            + column
            + ")), c.first_at, isNotNull("
            + column
            + "))";
    return "if(empty(" + marked + "), NULL, substring(" + marked + ", 2))";
  }

  private static boolean mobile(JsonNode deviceType) {
    return deviceType.isTextual()
        && (deviceType.asText().equals("phone") || deviceType.asText().equals("tablet"));
  }

  @Override
  public long listViews(
      Views.Selection selection,
      Views.Format format,
      Double duration,
      String mediaName,
      Views.Cursor cursor,
      long offset,
      long limit,
      Views.Sink sink)
      throws StoreException, IOException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT * FROM "
                + sessions(selection.account(), selection.environment(), true, null)
                + " AS c WHERE "
                + range("c.first_at", selection.from(), selection.to()));
    if (selection.mediaId() != null) {
      sql.append(" AND c.media_id = ").append(quote(selection.mediaId()));
    }
    if (selection.viewerId() != null) {
      sql.append(" AND c.viewer_id = ").append(quote(selection.viewerId()));
    }
    if (selection.sessionId() != null) {
      sql.append(" AND c.session_id = ").append(quote(selection.sessionId()));
    }
    if (selection.playedOnly()) {
      sql.append(" AND isNotNull(c.play_at)");
    }
    if (cursor != null) {
      long at = micros(cursor.firstAt());
      sql.append(" AND (c.first_at < ")
          .append(at)
          .append(" OR (c.first_at = ")
          .append(at)
          .append(" AND c.session_id < ")
          .append(quote(cursor.sessionId()))
          .append("))");
    }
    sql.append(" ORDER BY c.first_at DESC, c.session_id DESC");
    if (limit >= 0) {
      sql.append(" LIMIT ").append(limit);
      if (offset > 0) {
        sql.append(" OFFSET ").append(offset);
      }
    } else if (offset > 0) {
      sql.append(" LIMIT ").append(offset).append(", ").append(Long.MAX_VALUE);
    }
    long[] sent = {0};
    try {
      clickHouse.stream(
          sql.toString(),
          row -> {
            View view = new View(row, duration, mediaName);
            byte[] text =
                format == Views.Format.CSV
                    ? Views.csv(view.csvFields().getBytes(StandardCharsets.UTF_8))
                    : view.json().getBytes(StandardCharsets.UTF_8);
            sink.accept(
                new Views.View(
                    text, limit < 0 ? null : new Views.Cursor(view.firstAt, view.sessionId)));
            sent[0]++;
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return sent[0];
  }

  /** One view's values as the export shows them, computed as {@link Views} has DuckDB do it. */
  private static final class View {
    final JsonNode row;
    final Instant firstAt;
    final String sessionId;
    final Double percent;
    final String mediaName;
    final String watchedText;

    View(JsonNode row, Double duration, String registeredName) {
      this.row = row;
      this.firstAt = ClickHouse.instant(row.path("first_at").asLong());
      this.sessionId = row.path("session_id").asText();
      Double length = number(row, "media_duration");
      if (length == null) {
        length = duration;
      }
      double watched = row.path("watched").asDouble();
      this.percent = length == null || length == 0 ? null : Math.min(1.0, watched / length);
      this.mediaName = registeredName != null ? registeredName : text(row, "media_title");
      this.watchedText = watchedText(row.path("watch"));
    }

    /** The union of the (sorted) intervals as whole-second ranges, {@code 0-15;30-42}. */
    private static String watchedText(JsonNode intervals) {
      List<String> ranges = new ArrayList<>();
      double from = 0;
      double to = 0;
      boolean open = false;
      for (JsonNode interval : intervals) {
        double f = interval.path(0).asDouble();
        double t = interval.path(1).asDouble();
        if (open && f <= to) {
          to = Math.max(to, t);
          continue;
        }
        if (open) {
          ranges.add((long) Math.floor(from) + "-" + (long) Math.ceil(to));
        }
        from = f;
        to = t;
        open = true;
      }
      if (open) {
        ranges.add((long) Math.floor(from) + "-" + (long) Math.ceil(to));
      }
      return String.join(";", ranges);
    }

    String csvFields() {
      List<String> fields = new ArrayList<>();
      fields.add(MILLIS.format(firstAt.truncatedTo(ChronoUnit.MILLIS)));
      fields.add(cleaned("ip"));
      fields.add(cleaned("country"));
      fields.add(cleaned("region"));
      fields.add(cleaned("city"));
      fields.add(decimal(number(row, "latitude")));
      fields.add(decimal(number(row, "longitude")));
      fields.add(cleaned("organisation"));
      fields.add(cleaned("email"));
      fields.add(percent == null ? "" : Long.toString(Math.round(100 * percent)));
      fields.add(cleaned("viewer_id"));
      fields.add(cleaned("session_id"));
      fields.add(cleaned("media_id"));
      fields.add(mediaName == null ? "" : mediaName.replace(String.valueOf(Views.SEPARATOR), ""));
      fields.add(Boolean.toString(!row.path("play_at").isNull()));
      fields.add(cleaned("device_type"));
      fields.add(cleaned("os"));
      fields.add(cleaned("browser"));
      fields.add(cleaned("referrer"));
      fields.add(cleaned("page_url"));
      fields.add(watchedText);
      return String.join(String.valueOf(Views.SEPARATOR), fields);
    }

    private String cleaned(String field) {
      String value = text(row, field);
      return value == null ? "" : value.replace(String.valueOf(Views.SEPARATOR), "");
    }

    String json() {
      ObjectNode view = JSON.createObjectNode();
      view.put("received_at", MILLIS.format(firstAt.truncatedTo(ChronoUnit.MILLIS)));
      view.put("event_key", sessionId);
      view.set("visitor_key", row.path("viewer_id"));
      view.set("ip", row.path("ip"));
      view.set("org", row.path("organisation"));
      view.set("country", row.path("country"));
      view.set("region", row.path("region"));
      view.set("city", row.path("city"));
      view.set("lat", row.path("latitude"));
      view.set("lon", row.path("longitude"));
      view.set("email", row.path("email"));
      if (percent == null) {
        view.putNull("percent_viewed");
      } else {
        view.put("percent_viewed", percent);
      }
      view.set("media_id", row.path("media_id"));
      view.put("media_name", mediaName);
      view.set("embed_url", row.path("page_url"));
      view.put("played", !row.path("play_at").isNull());
      view.put("watched_seconds", watchedText);
      ObjectNode details = view.putObject("user_agent_details");
      details.set("browser", row.path("browser"));
      details.set("browser_version", row.path("browser_version"));
      details.set("platform", row.path("os"));
      details.set("platform_version", row.path("os_version"));
      details.put("mobile", mobile(row.path("device_type")));
      details.set("device_type", row.path("device_type"));
      return view.toString();
    }
  }

  /** A number as DuckDB writes a DOUBLE as text: shortest digits, never an exponent here. */
  private static String decimal(Double value) {
    if (value == null) {
      return "";
    }
    String text = Double.toString(value);
    return text.contains("E") ? new BigDecimal(text).stripTrailingZeros().toPlainString() : text;
  }

  private JsonNode one(String sql) throws StoreException {
    List<JsonNode> rows = clickHouse.rows(sql);
    if (rows.isEmpty()) {
      throw new StoreException("no answer row for " + sql, null);
    }
    return rows.get(0);
  }

  private Map<String, Long> longs(String sql) throws StoreException {
    Map<String, Long> values = new LinkedHashMap<>();
    for (JsonNode row : clickHouse.rows(sql)) {
      values.put(row.path("k").asText(), row.path("n").asLong());
    }
    return values;
  }
}
