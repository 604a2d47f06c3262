package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoreException;
import io.playlens.store.duckdb.LiveFold;
import io.playlens.store.duckdb.MediaVisitors;
import io.playlens.store.duckdb.SessionRollup;
import io.playlens.store.sql.SqlMetadataStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Answers typed questions with SQL built from typed values and bind parameters only. Every question
 * reads one row per playback session ({@code session_rollup}, plus the sessions' events not sealed
 * into it yet, folded in by the same SQL), never the raw event rows: exact, current and fast.
 *
 * <p>A session counts at the time of its first event of the kind asked about: impressions at its
 * first impression, plays, views and watch time at its first play, starts and startup time at its
 * first frame, ends at its first end. So each session counts once, in one bucket of a timeseries,
 * and the numbers of adjacent timeframes add up.
 */
public final class Queries implements Analytics {

  /** How long a heartbeat keeps its session among the concurrent viewers. */
  public static final Duration HEARTBEAT_WINDOW =
      Duration.ofNanos(SessionRollup.HEARTBEAT_MICROS * 1000);

  /** Session event kinds with a first-time column, {@code <kind>_at}. */
  private static final List<String> KINDS = List.of("impression", "play", "start", "end");

  /** Read connections kept open between queries (each with its prepared statements). */
  private static final int IDLE_READERS = 8;

  private final ReaderPool readers;
  private final Unsealed unsealed;
  private final Live live;
  private final int foldLimit;
  private final int busyLimit;
  private final WistiaStats wistia = new WistiaStats(this);
  private final Views views = new Views(this);

  /**
   * How many events of an account and environment were committed after a batch, if the store can
   * tell without a query (see {@code DuckDbEventStore#unsealedEvents}).
   */
  @FunctionalInterface
  public interface Unsealed {
    OptionalLong after(long sealed, String account, String environment);
  }

  /**
   * The live rows the sealer folds between seals, for a transaction that read the rollup as sealed
   * at a batch (see {@code DuckDbEventStore#liveRows}): a lease to close once read (or null), and
   * whether those rows lag behind the account's commits.
   */
  @FunctionalInterface
  public interface Live {
    LiveFold.Found rows(long sealed, String account, String environment);
  }

  /**
   * @param live the store's live rows, which a busy account's questions read
   * @param foldLimit how many unsealed events of its account a query folds in itself; beyond, it
   *     reads the live rows, or the rollup as last sealed (a fold that size would cost more than
   *     the query)
   * @param busyLimit with more than {@code foldLimit}, when the live rows lag or hold nothing past
   *     the seal, up to how many a query filtered to some sessions folds in just those of its own
   *     sessions, and any other all of them when the rows lag
   */
  public Queries(
      SqlMetadataStore.Connections connections,
      Unsealed unsealed,
      Live live,
      int foldLimit,
      int busyLimit) {
    this.readers = new ReaderPool(requireNonNull(connections, "connections is null"), IDLE_READERS);
    this.unsealed = requireNonNull(unsealed, "unsealed is null");
    this.live = requireNonNull(live, "live is null");
    this.foldLimit = foldLimit;
    this.busyLimit = busyLimit;
  }

  /** Sessions whose first event of {@code kind} is in scope, per group. */
  @Override
  public Map<String, Long> count(Scope scope, String kind, Grouping grouping)
      throws StoreException {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("no first-time column for " + kind);
    }
    String at = "c." + kind + "_at";
    if (grouping instanceof Grouping.Over) {
      // Per minute first (buckets are whole minutes), then the few minutes into their buckets.
      Sql sql =
          sessions(scope.account(), scope.environment())
              .append(
                  " SELECT CAST(b.idx AS VARCHAR), sum(m.n) FROM (SELECT date_trunc('minute', "
                      + at
                      + ") AS t, count(*) AS n FROM sessions c WHERE "
                      + at
                      + " >= ? AND "
                      + at
                      + " < ?",
                  utc(scope.from()),
                  utc(scope.to()));
      where(scope.filters(), sql);
      sql.append(" GROUP BY 1) m").append(bucketJoin(scope, grouping, "m.t")).append(" GROUP BY 1");
      return longs(sql, "counting " + kind + label(grouping));
    }
    Sql sql =
        sessions(scope.account(), scope.environment())
            .append(" SELECT " + keyOf(grouping) + ", count(*) FROM sessions c")
            .append(
                " WHERE " + at + " >= ? AND " + at + " < ?", utc(scope.from()), utc(scope.to()));
    where(scope.filters(), sql);
    sql.append(" GROUP BY 1");
    return longs(sql, "counting " + kind + label(grouping));
  }

  /** Startup time of the sessions that rendered a first frame in scope, summed. */
  @Override
  public Total startup(Scope scope) throws StoreException {
    Sql sql =
        sessions(scope.account(), scope.environment())
            .append(
                " SELECT coalesce(sum(c.startup_ms), 0), count(*) FROM sessions c"
                    + " WHERE c.start_at >= ? AND c.start_at < ? AND c.startup_ms IS NOT NULL",
                utc(scope.from()),
                utc(scope.to()));
    where(scope.filters(), sql);
    return total(sql, "startup time");
  }

  /**
   * Seconds of media played by the sessions that played in scope: per session the union of its
   * watch intervals (a second re-watched counts once), summed over sessions that watched.
   */
  @Override
  public Total watchTime(Scope scope) throws StoreException {
    Sql sql =
        sessions(scope.account(), scope.environment())
            .append(
                " SELECT coalesce(sum(CAST(round(c.watched * 1000000) AS BIGINT)), 0) / 1000000.0,"
                    + " count(*) FROM sessions c"
                    + " WHERE c.play_at >= ? AND c.play_at < ? AND c.watched > 0",
                utc(scope.from()),
                utc(scope.to()));
    where(scope.filters(), sql);
    return total(sql, "watch time");
  }

  /** {@link #watchTime(Scope)} per group: seconds played by the sessions whose play is in it. */
  @Override
  public Map<String, Double> watchTime(Scope scope, Grouping grouping) throws StoreException {
    Sql sql =
        sessions(scope.account(), scope.environment())
            .append(
                " SELECT "
                    + keyOf(grouping)
                    + ", sum(CAST(round(c.watched * 1000000) AS BIGINT)) / 1000000.0"
                    + " FROM sessions c")
            .append(bucketJoin(scope, grouping, "c.play_at"))
            .append(
                " WHERE c.play_at >= ? AND c.play_at < ? AND c.watched > 0",
                utc(scope.from()),
                utc(scope.to()));
    where(scope.filters(), sql);
    sql.append(" GROUP BY 1");
    return query(
        sql,
        "watch time" + label(grouping),
        rows -> {
          Map<String, Double> values = new LinkedHashMap<>();
          while (rows.next()) {
            values.put(rows.getString(1), rows.getDouble(2));
          }
          return values;
        });
  }

  /**
   * Plays in scope whose session watched at least {@code seconds}; with {@code unique}, one per
   * viewer (user agent + IP) per day of the play.
   */
  @Override
  public long views(Scope scope, int seconds, boolean unique) throws StoreException {
    return Analytics.super.views(scope, seconds, unique);
  }

  /** {@link #views(Scope, int, boolean)} per group: the play's dimension value or time bucket. */
  @Override
  public Map<String, Long> views(Scope scope, int seconds, boolean unique, Grouping grouping)
      throws StoreException {
    if (unique && grouping instanceof Grouping.Whole && scope.filters().equals(Filters.NONE)) {
      LocalDate firstDay = LocalDate.ofInstant(scope.from().minusNanos(1), ZoneOffset.UTC);
      LocalDate lastDay = LocalDate.ofInstant(scope.to(), ZoneOffset.UTC);
      if (firstDay.plusDays(1).isBefore(lastDay)) {
        long views = uniqueViews(scope, seconds, firstDay.plusDays(1), lastDay);
        return views == 0 ? Map.of() : Map.of(Grouping.WHOLE, views);
      }
    }
    String counted = unique ? "count(DISTINCT " + VIEWER_DAY + ")" : "count(*)";
    Sql sql =
        sessions(scope.account(), scope.environment())
            .append(" SELECT " + keyOf(grouping) + ", " + counted + " FROM sessions c")
            .append(bucketJoin(scope, grouping, "c.play_at"))
            .append(
                " WHERE c.play_at >= ? AND c.play_at < ? AND c.watched >= ?",
                utc(scope.from()),
                utc(scope.to()),
                seconds);
    where(scope.filters(), sql);
    sql.append(" GROUP BY 1");
    return longs(sql, "views" + label(grouping));
  }

  /** What a unique view is one per: the viewer (user agent + IP) and the day of the play. */
  private static final String VIEWER_DAY = "(c.user_agent, c.ip, CAST(c.play_at AS DATE))";

  /**
   * Unique views in a scope with whole days in it, from {@code first} to before {@code last}: the
   * viewers of those days as the sealer counted them ({@code daily_viewers}), and from the sessions
   * the viewers of the part-days before and after, and of any whole day a session with unsealed
   * events played on. A viewer counts once per day, so the days' counts add up.
   */
  private long uniqueViews(Scope scope, int seconds, LocalDate first, LocalDate last)
      throws StoreException {
    String distinct = " + (SELECT count(DISTINCT " + VIEWER_DAY + ") FROM sessions c";
    Sql sql =
        sessionsByDay(scope.account(), scope.environment())
            .append(
                " SELECT (SELECT count(*) FROM daily_viewers d WHERE d.account = ?"
                    + " AND d.environment = ? AND d.day >= ? AND d.day < ? AND d.watched >= ?"
                    + " AND NOT EXISTS (SELECT 1 FROM fresh_days f WHERE f.day = d.day))",
                scope.account(),
                scope.environment(),
                first,
                last,
                seconds)
            .append(
                distinct + " WHERE c.play_at >= ? AND c.play_at < ? AND c.watched >= ?)",
                utc(scope.from()),
                first.atStartOfDay(),
                seconds)
            .append(
                distinct + " WHERE c.play_at >= ? AND c.play_at < ? AND c.watched >= ?)",
                last.atStartOfDay(),
                utc(scope.to()),
                seconds)
            .append(
                distinct
                    + " SEMI JOIN fresh_days f ON CAST(c.play_at AS DATE) = f.day"
                    + " WHERE c.play_at >= ? AND c.play_at < ? AND c.watched >= ?)",
                first.atStartOfDay(),
                last.atStartOfDay(),
                seconds);
    return query(
        sql,
        "unique views",
        rows -> {
          rows.next();
          return rows.getLong(1);
        });
  }

  /** A viewer: the session, or with {@code unique} the user agent + IP across tabs. */
  private static String viewer(boolean unique) {
    return unique ? "coalesce(c.user_agent, '') || '|' || coalesce(c.ip, '')" : "c.session_id";
  }

  /**
   * Concurrent viewers per group, sampled once a minute: at each whole minute the sessions that
   * sent a heartbeat (a play, start, watch, seek or rebuffer event) in the 20 s before; with {@code
   * unique} a viewer (user agent + IP) in several tabs counts once. The peak is the highest of
   * those per-minute values in the group's time span, the average their mean over its minutes.
   */
  @Override
  public Map<String, Concurrency> concurrency(Scope scope, boolean unique, Grouping grouping)
      throws StoreException {
    boolean overTime = grouping instanceof Grouping.Over;
    // Viewers per group and minute mark first: kept by the sealer (counts) when there is nothing
    // to filter or make unique, else counted from the marks; by time, the marks then go into
    // their buckets.
    Sql sql;
    if (!unique && scope.filters().equals(Filters.NONE)) {
      sql =
          sessions(new SessionRows(scope.account(), scope.environment(), grouping, null, false))
              .append(" SELECT " + (overTime ? "CAST(b.idx AS VARCHAR)" : "m.value"))
              .append(
                  ", max(m.n), sum(m.n) FROM (SELECT value, mark, n FROM counts"
                      + " WHERE mark >= ? AND mark < ?",
                  utc(scope.from()),
                  utc(scope.to()));
    } else {
      String counted = unique ? "count(DISTINCT " + viewer(true) + ")" : "count(*)";
      sql =
          sessions(scope.account(), scope.environment())
              .append(" SELECT " + (overTime ? "CAST(b.idx AS VARCHAR)" : "m.value"))
              .append(
                  ", max(m.n), sum(m.n) FROM (SELECT "
                      + valueOf(grouping)
                      + " AS value, c.mark, "
                      + counted
                      + " AS n FROM marks c WHERE c.mark >= ? AND c.mark < ?",
                  utc(scope.from()),
                  utc(scope.to()));
      where(scope.filters(), sql);
      sql.append(" GROUP BY 1, 2");
    }
    sql.append(") m").append(bucketJoin(scope, grouping, "m.mark")).append(" GROUP BY 1");
    List<Instant> starts = overTime ? ((Grouping.Over) grouping).starts() : List.of(scope.from());
    return query(
        sql,
        "concurrent viewers" + label(grouping),
        rows -> {
          Map<String, Concurrency> values = new LinkedHashMap<>();
          while (rows.next()) {
            String key = rows.getString(1);
            long minutes = bucketMinutes(scope, starts, overTime ? Integer.parseInt(key) : 0);
            values.put(
                key,
                new Concurrency(rows.getLong(2), minutes == 0 ? 0 : rows.getDouble(3) / minutes));
          }
          return values;
        });
  }

  /** The minute marks of bucket {@code i} of {@code starts}, clipped to the scope. */
  static long bucketMinutes(Scope scope, List<Instant> starts, int i) {
    Instant from = starts.get(i).isBefore(scope.from()) ? scope.from() : starts.get(i);
    Instant to = i + 1 < starts.size() ? starts.get(i + 1) : scope.to();
    return minuteMarks(from, to.isAfter(scope.to()) ? scope.to() : to);
  }

  /** Whole minutes T with from <= T < to. */
  static long minuteMarks(Instant from, Instant to) {
    return Math.max(0, ceilMinute(to) - ceilMinute(from));
  }

  private static long ceilMinute(Instant instant) {
    return Math.ceilDiv(
        instant.getEpochSecond() * 1_000_000_000L + instant.getNano(), 60_000_000_000L);
  }

  /**
   * Viewers watching at {@code now}: sessions (or unique viewers) with a heartbeat in the window.
   */
  @Override
  public long concurrentNow(
      String account, String environment, Filters filters, boolean unique, Instant now)
      throws StoreException {
    Sql sql =
        sessions(account, environment)
            .append(
                " SELECT count(DISTINCT viewer) FROM (SELECT "
                    + viewer(unique)
                    + " AS viewer, unnest(c.live) AS u FROM sessions c WHERE c.last_at >= ?",
                utc(now.minus(HEARTBEAT_WINDOW)));
    where(filters, sql);
    sql.append(") WHERE u.s <= ? AND u.e > ?", utc(now), utc(now));
    return query(
        sql,
        "live concurrent viewers",
        rows -> {
          rows.next();
          return rows.getLong(1);
        });
  }

  /**
   * All-time plays per media id, whatever the retention: sessions with a play, from their rollup
   * rows while they have them and from the archive the retention job adds them to when the rows
   * expire. Only the media filters apply.
   */
  @Override
  public Map<String, Long> playTotals(String account, String environment, Filters filters)
      throws StoreException {
    Filters media = filters.mediaOnly();
    Sql stored =
        sessions(account, environment)
            .append(" SELECT c.media_id, count(*) FROM sessions c WHERE c.play_at IS NOT NULL");
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

  @Override
  public WistiaStats.Figures figures(Scope scope, Double duration) throws StoreException {
    return wistia.figures(scope, duration);
  }

  @Override
  public double meanShareWatched(Scope scope, Double duration) throws StoreException {
    return wistia.meanShareWatched(scope, duration);
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
    return wistia.engagement(account, environment, mediaId, sessionId, from, to, seconds);
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
    return wistia.visitors(scope, visitorKey, search, withEmail, withName, offset, limit);
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
      throws StoreException, java.io.IOException {
    return views.stream(selection, format, duration, mediaName, cursor, offset, limit, sink);
  }

  /**
   * What a statement reads: an account and environment's session rows (and minute marks); with
   * {@code counts}, the sealer's viewer counts per minute for that grouping too; {@code asked}, the
   * filters its sessions are read under (null until {@link #where} states them, {@link
   * Filters#NONE} when it reads all of them).
   */
  private record SessionRows(
      String account, String environment, Grouping counts, Filters asked, boolean days) {
    SessionRows asking(Filters filters) {
      Filters now = asked == null || asked.equals(filters) ? filters : Filters.NONE;
      return new SessionRows(account, environment, counts, now, days);
    }

    /** Whether a fold may merge only the sessions the filters can match. */
    boolean narrow() {
      return counts == null && asked != null && !asked.equals(Filters.NONE);
    }
  }

  /**
   * The start of a statement over the account's session rows, {@code WITH sessions AS (...)}; the
   * text is chosen when the statement runs ({@link #sessionRows}), as it depends on what is sealed.
   */
  static Sql sessions(String account, String environment) {
    return sessions(new SessionRows(account, environment, null, null, false));
  }

  /**
   * {@link #sessions(String, String)} with {@code fresh_days} too: the days (UTC) on which the
   * sessions with events not sealed yet began or played, as sealed and as they are now; a statement
   * reads the sealer's per-day rows only for other days. And {@code fresh_viewers}: the (media,
   * viewer) pairs of those sessions, whose last load as sealed may be behind.
   */
  static Sql sessionsByDay(String account, String environment) {
    return sessions(new SessionRows(account, environment, null, null, true));
  }

  private static Sql sessions(SessionRows rows) {
    Sql sql = new Sql("");
    sql.rows = rows;
    return sql;
  }

  /**
   * {@code WITH sessions}: the account's session rows as of the transaction's snapshot. Sealed rows
   * alone when no batch after {@code sealed} exists (the common case, read straight from the
   * table); otherwise the sealed rows of sessions without newer events, and for the others their
   * rows with the newer events folded in.
   */
  private static Sql sessionRows(
      long sealed, Fold fold, LiveFold.Generation folded, SessionRows read) {
    String account = read.account();
    String environment = read.environment();
    boolean fresh = fold != Fold.NONE;
    Sql rows = sessionRows(fresh ? freshRows(sealed, fold, folded, read) : null, read);
    if (read.days()) {
      // The days the sessions with unsealed events began or played on, as sealed and as they are
      // now: the sealer's per-day rows of those days are not what the sessions say yet.
      rows.append(
          fresh
              ? ", fresh_days AS (SELECT DISTINCT day FROM (SELECT unnest([CAST(first_at AS DATE),"
                  + " CAST(play_at AS DATE)]) AS day FROM (SELECT first_at, play_at FROM fresh"
                  + " UNION ALL SELECT r.first_at, r.play_at FROM (SELECT r.* FROM session_rollup r"
                  + " SEMI JOIN fresh USING (session_id)) r"
                  + " WHERE r.account = ? AND r.environment = ?)) WHERE day IS NOT NULL)"
              : ", fresh_days AS (SELECT CAST(NULL AS DATE) AS day WHERE false)");
      // The viewers of each media with unsealed events: their last load kept may be behind.
      rows.append(
          fresh
              ? ", fresh_viewers AS (SELECT DISTINCT media_id, viewer_id, "
                  + MediaVisitors.k("?", "?", "media_id", "viewer_id")
                  + " AS k FROM fresh WHERE viewer_id IS NOT NULL)"
              : ", fresh_viewers AS (SELECT CAST(NULL AS VARCHAR) AS media_id,"
                  + " CAST(NULL AS VARCHAR) AS viewer_id, CAST(NULL AS UBIGINT) AS k WHERE false)");
      if (fresh) {
        rows.withParameters(account, environment, account, environment);
      }
    }
    if (read.counts() == null) {
      return rows;
    }
    String dimension =
        read.counts() instanceof Grouping.By by ? by.dimension().wireName() : Grouping.WHOLE;
    String value = valueOf(read.counts());
    if (!fresh) {
      return rows.append(
          ", counts AS (SELECT value, mark, n FROM live_counts"
              + " WHERE account = ? AND environment = ? AND dimension = ?)",
          account,
          environment,
          dimension);
    }
    // The minutes the unsealed sessions touch (as sealed and as they are now) are counted afresh
    // from the marks; every other minute's count is as sealed.
    return rows.append(
        ", touched AS (SELECT mark FROM live_marks m WHERE m.account = ? AND m.environment = ?"
            + " AND m.session_id IN (SELECT session_id FROM fresh)"
            + " UNION SELECT mark FROM ("
            + SessionRollup.marks("fresh")
            + ")), counts AS (SELECT value, mark, n FROM live_counts"
            + " WHERE account = ? AND environment = ? AND dimension = ?"
            + " AND mark NOT IN (SELECT mark FROM touched)"
            + " UNION ALL SELECT "
            + value
            + ", c.mark, count(*) FROM marks c WHERE c.mark IN (SELECT mark FROM touched)"
            + " GROUP BY 1, 2)",
        account,
        environment,
        account,
        environment,
        dimension);
  }

  /**
   * The rows of the sessions with unsealed events, merged: computed by the statement itself (all of
   * the account's, or those its filters can match), or the live rows the sealer folded.
   */
  private static Sql freshRows(
      long sealed, Fold fold, LiveFold.Generation folded, SessionRows read) {
    if (fold == Fold.LIVE) {
      return new Sql(
          LiveFold.rowsOf(), LiveFold.parameters(folded, read.account(), read.environment()));
    }
    Sql choice = fold == Fold.ASKED ? choice(read.asked()) : null;
    Sql rows =
        new Sql(
            SessionRollup.merged(
                Long.toString(sealed),
                Long.toString(Long.MAX_VALUE),
                true,
                choice == null ? null : choice.text.toString()),
            read.account(),
            read.environment());
    if (choice != null) {
      rows.parameters.addAll(choice.parameters);
    }
    return rows;
  }

  /**
   * {@code WITH sessions, marks}: with {@code fresh} rows (null: none), those in place of theirs.
   */
  private static Sql sessionRows(Sql fresh, SessionRows read) {
    String account = read.account();
    String environment = read.environment();
    if (fresh == null) {
      return new Sql(
          // Not materialized: a statement naming them twice (visitors: the top ones, then their
          // figures) had DuckDB copy every column of the account's rows first, and the scans
          // inlined take the filters of each use (a visitors page: 110 ms before, 75-93 after).
          "WITH sessions AS NOT MATERIALIZED (SELECT * FROM session_rollup"
              + " WHERE account = ? AND environment = ?), marks AS NOT MATERIALIZED"
              + " (SELECT * FROM live_marks WHERE account = ? AND environment = ?)",
          account,
          environment,
          account,
          environment);
    }
    return new Sql("WITH fresh AS MATERIALIZED (")
        .append(fresh)
        .append(
            "), sessions AS (SELECT "
                + SessionRollup.COLUMNS
                + " FROM session_rollup r WHERE r.account = ? AND r.environment = ?"
                + " AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.session_id = r.session_id)"
                + " UNION ALL SELECT "
                + SessionRollup.COLUMNS
                + " FROM fresh), marks AS (SELECT "
                + SessionRollup.MARK_COLUMNS
                + ", mark FROM live_marks m WHERE m.account = ? AND m.environment = ?"
                + " AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.session_id = m.session_id)"
                + " UNION ALL "
                + SessionRollup.marks("fresh")
                + ")",
            account,
            environment,
            account,
            environment);
  }

  /**
   * How a query reads the events after the last seal: not at all (the sealed rows answer), all of
   * its account's folded in, only those of the sessions its filters can match, or as the sealer
   * folded them into the live rows.
   */
  private enum Fold {
    NONE,
    ALL,
    ASKED,
    LIVE
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

  /** The answer's key over the session row {@code c} (and its bucket b). */
  private static String keyOf(Grouping grouping) {
    return grouping instanceof Grouping.Over ? "CAST(b.idx AS VARCHAR)" : valueOf(grouping);
  }

  /** For a time grouping, the join that puts each row's {@code time} into its bucket b. */
  private static Sql bucketJoin(Scope scope, Grouping grouping, String time) {
    if (!(grouping instanceof Grouping.Over)) {
      return new Sql("");
    }
    return new Sql(" ASOF JOIN (").append(buckets(grouping)).append(") b ON " + time + " >= b.bs");
  }

  /**
   * {@code (idx, bs)}: the grouping's buckets by their (whole-minute) starts; the first may start
   * before the scope, whose rows are all at or after its start.
   */
  private static Sql buckets(Grouping grouping) {
    List<Instant> starts = ((Grouping.Over) grouping).starts();
    Sql sql = new Sql("SELECT * FROM (VALUES ");
    for (int i = 0; i < starts.size(); i++) {
      sql.append(i == 0 ? "(?, ?)" : ", (?, ?)", i, utc(starts.get(i)));
    }
    return sql.append(") AS b(idx, bs)");
  }

  private static String label(Grouping grouping) {
    return switch (grouping) {
      case Grouping.Whole whole -> "";
      case Grouping.By by -> " by " + by.dimension().wireName();
      case Grouping.Over over -> " over time";
    };
  }

  static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** SQL text and its bind parameters, in order, built by appending both together. */
  static final class Sql {
    final StringBuilder text;

    /** In order; a null binds SQL NULL. */
    final List<Object> parameters = new ArrayList<>();

    /** What the statement reads when it starts with {@link #sessions}; else null. */
    SessionRows rows;

    Sql(String text, Object... parameters) {
      this.text = new StringBuilder(text);
      Collections.addAll(this.parameters, parameters);
    }

    Sql append(String more, Object... moreParameters) {
      text.append(more);
      Collections.addAll(parameters, moreParameters);
      return this;
    }

    Sql append(Sql more) {
      if (more.rows != null) {
        throw new IllegalArgumentException("the session rows start a statement");
      }
      text.append(more.text);
      parameters.addAll(more.parameters);
      return this;
    }

    Sql withParameters(Object... moreParameters) {
      Collections.addAll(parameters, moreParameters);
      return this;
    }
  }

  @FunctionalInterface
  interface Reader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  /**
   * Runs the statement in one read transaction: what is sealed and the rows it reads come from the
   * same snapshot, so no session is counted twice or missed while the sealer works.
   */
  <T> T query(Sql sql, String what, Reader<T> reader) throws StoreException {
    ReaderPool.Reader connection;
    try {
      connection = readers.borrow();
    } catch (SQLException e) {
      throw new StoreException(what + " failed: " + e.getMessage(), e);
    }
    boolean clean = false;
    LiveFold.Lease lease = null;
    try {
      connection.prepare("BEGIN TRANSACTION").execute();
      T result;
      try {
        Sql statement = sql;
        if (sql.rows != null) {
          long sealed = sealed(connection);
          long events = unsealedEvents(connection, sealed, sql.rows);
          Fold fold = fold(events);
          if (fold == Fold.LIVE) {
            LiveFold.Found found = live.rows(sealed, sql.rows.account(), sql.rows.environment());
            lease = found.lease();
            if ((found.lagging() || lease == null) && asksFew(events, sql.rows)) {
              // A statement filtered to some sessions folds in just those itself when the live
              // rows lag or hold nothing past this seal: exact, and it reads few rows.
              fold = Fold.ASKED;
            } else if (found.lagging() && events <= busyLimit) {
              // The folder has just started (after a quiet spell) or lags: the statement folds
              // the unsealed events in itself rather than answer from rows that far behind.
              fold = Fold.ALL;
            } else if (lease == null) {
              fold = Fold.NONE; // nothing folded past this seal yet: the sealed rows answer
            }
            if (fold != Fold.LIVE && lease != null) {
              lease.close();
              lease = null;
            }
          }
          Sql rest = new Sql(sql.text.toString());
          rest.parameters.addAll(sql.parameters);
          statement =
              sessionRows(sealed, fold, lease == null ? null : lease.generation(), sql.rows)
                  .append(rest);
        }
        PreparedStatement prepared = connection.prepare(statement.text.toString());
        for (int i = 0; i < statement.parameters.size(); i++) {
          prepared.setObject(i + 1, statement.parameters.get(i));
        }
        try (ResultSet rows = prepared.executeQuery()) {
          result = reader.read(rows);
        }
      } catch (SQLException | RuntimeException e) {
        // The first failure is the one reported: ending the transaction may fail too, and goes
        // along as suppressed.
        try {
          connection.prepare("ROLLBACK").execute();
        } catch (SQLException end) {
          e.addSuppressed(end);
        }
        throw e;
      }
      connection.prepare("COMMIT").execute();
      clean = true;
      return result;
    } catch (SQLException e) {
      throw new StoreException(what + " failed: " + e.getMessage(), e);
    } finally {
      if (lease != null) {
        lease.close();
      }
      readers.release(connection, clean);
    }
  }

  /** Closes the read connections kept open (before the store closes). */
  @Override
  public void close() {
    readers.close();
  }

  private static long sealed(ReaderPool.Reader connection) throws SQLException {
    try (ResultSet row =
        connection.prepare("SELECT sealed_batch FROM rollup_state").executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /**
   * How a statement reads the {@code events} of its account and environment after the last seal. Up
   * to foldLimit of them, the statement folds them all in itself. Past it the account is busy and
   * the sealer a moment behind: the statement reads the live rows the folder keeps between seals,
   * the sessions its filters match among them. When those lag, or none are kept past the seal yet,
   * a statement filtered to some sessions (a media, a country) folds in just those its filters can
   * match, up to busyLimit events; any other folds them all in itself (when the rows lag) or reads
   * the sealed rows (see {@link #query}). Under a steady load of heartbeats a one-media question
   * folding its own sessions took 112-121 ms (p50), reading the live rows 16 ms.
   */
  private Fold fold(long events) {
    if (events == 0) {
      return Fold.NONE;
    }
    if (events <= foldLimit) {
      return Fold.ALL;
    }
    return Fold.LIVE;
  }

  /** Whether a statement over {@code rows} may fold in just the sessions it asks about. */
  private boolean asksFew(long events, SessionRows rows) {
    return busyLimit > foldLimit && events <= busyLimit && rows.narrow();
  }

  /**
   * The events of the account and environment of {@code rows} after batch {@code sealed}: counted
   * in memory, or in the store (up to one past the larger limit) when this process cannot tell.
   */
  private long unsealedEvents(ReaderPool.Reader connection, long sealed, SessionRows rows)
      throws SQLException {
    String account = rows.account();
    String environment = rows.environment();
    OptionalLong counted = unsealed.after(sealed, account, environment);
    return counted.isPresent()
        ? counted.getAsLong()
        : unsealedInStore(connection, sealed, account, environment, Math.max(busyLimit, foldLimit));
  }

  /** The account's events after batch {@code sealed}, counted up to one past {@code limit}. */
  private static long unsealedInStore(
      ReaderPool.Reader connection, long sealed, String account, String environment, int limit)
      throws SQLException {
    PreparedStatement count =
        connection.prepare(
            "SELECT count(*) FROM (SELECT 1 FROM events e"
                + " JOIN contexts c ON c.context_id = e.context_id WHERE e.batch > ?"
                + " AND c.account = ? AND c.environment = ? LIMIT "
                + (limit + 1L)
                + ")");
    count.setLong(1, sealed);
    count.setString(2, account);
    count.setString(3, environment);
    try (ResultSet row = count.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /**
   * The filters as SQL over the session row or minute mark {@code c}. A statement over the session
   * rows takes them as the sessions it asks about: when the sealer is behind, a fold may merge just
   * the sessions they can match (see {@link SessionRows#asking}).
   */
  static void where(Filters filters, Sql sql) {
    for (Sql condition : conditions(filters, "c")) {
      sql.append(" AND ").append(condition);
    }
    if (sql.rows != null) {
      sql.rows = sql.rows.asking(filters);
    }
  }

  /**
   * States the sessions a statement over the session rows asks about, as {@link #where} does, for a
   * statement that puts the filters in its SQL itself: under load its fold may merge just those.
   */
  static void asks(Filters filters, Sql sql) {
    sql.rows = sql.rows.asking(filters);
  }

  /** Each filter as an SQL condition over the row {@code alias}, with its bind parameters. */
  private static List<Sql> conditions(Filters filters, String alias) {
    List<Sql> conditions = new ArrayList<>();
    in(alias + ".media_id", filters.mediaIds(), conditions);
    if (filters.mediaType() != null) {
      conditions.add(
          new Sql("coalesce(" + alias + ".media_type, 'video') = ?", filters.mediaType()));
    }
    in(alias + ".continent", filters.continents(), conditions);
    in(alias + ".country", filters.countries(), conditions);
    in(alias + ".device_type", filters.deviceTypes(), conditions);
    in(alias + ".os", filters.operatingSystems(), conditions);
    in(alias + ".browser", filters.browsers(), conditions);
    if (filters.tag() != null) {
      conditions.add(new Sql("list_contains(" + alias + ".media_tags, ?)", filters.tag()));
    }
    in("coalesce(" + alias + ".referrer, '')", filters.referrers(), conditions);
    return conditions;
  }

  private static void in(String column, List<String> values, List<Sql> conditions) {
    if (values.isEmpty()) {
      return;
    }
    Sql sql = new Sql(column + " IN (");
    for (int i = 0; i < values.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?", values.get(i));
    }
    conditions.add(sql.append(")"));
  }

  /**
   * The condition a narrowed fold chooses sessions by (see {@link SessionRollup#merged(String,
   * String, boolean, String)}): for every filter, one of the session's new events ({@code a}) or
   * its sealed row ({@code r}) meets it. A session's merged row takes each value from one or the
   * other, so every session whose merged or sealed row matches all the filters is chosen; any other
   * is left out of the answer by the filters whichever row of it is read.
   */
  private static Sql choice(Filters filters) {
    List<Sql> overEvents = conditions(filters, "a");
    List<Sql> overSealed = conditions(filters, "r");
    Sql choice = new Sql("");
    for (int i = 0; i < overEvents.size(); i++) {
      choice
          .append(i == 0 ? "(bool_or(" : " AND (bool_or(")
          .append(overEvents.get(i))
          .append(") OR bool_or(")
          .append(overSealed.get(i))
          .append("))");
    }
    return choice;
  }
}
