package io.playlens.store.duckdb;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * {@link SessionRollup#merged}'s arithmetic in Java, for the {@link LiveFold}'s steps: a step of a
 * few hundred events costs DuckDB 60-120 ms in that one statement's fixed costs (some forty
 * operators planned and set up for a handful of rows), far more than the events themselves. Here a
 * step reads the new events and the rows they extend with two plain selects, merges in memory and
 * appends the results.
 *
 * <p>The events come in without their contexts (read once per context and kept) and the rows they
 * extend without a join (a session's row is kept from one step to the next, and for a while after
 * it was sealed), so a step of a busy store's heartbeats reads little but the events themselves.
 *
 * <p>Every figure is computed as the statement computes it, so a session's row is the same
 * whichever of the two merged it ({@code SessionRollupTest} compares them row by row): dimension
 * values are those of the session's earliest event that has one, kept once set; watched intervals
 * and live spans are unions of sorted intervals, where touching ones join; the watched seconds are
 * their sum rounded to the microsecond; plays are the levels of +1/-1 steps at each watched
 * interval's ends.
 */
final class SessionMerge {
  private SessionMerge() {}

  /** A session's key. */
  record Key(String account, String environment, String session) {}

  /**
   * A session's row as {@code session_rollup} holds it (times in epoch microseconds), and the first
   * new heartbeat's time since its sealed row ({@code beatFrom}, null: none; 0: all its minute
   * marks are to be rewritten).
   */
  record Row(
      Key key,
      Object[] dimensions,
      long firstAt,
      long lastAt,
      Long[] firsts,
      Integer startupMs,
      double[] watch,
      double watched,
      double[] live,
      long events,
      double[] plays,
      int[] playCounts,
      Long beatFrom) {}

  /** One new event with its context's dimension values. */
  record Event(
      Key key,
      Object[] dimensions,
      String type,
      long at,
      Double from,
      Double to,
      Integer startupMs) {}

  private static final int DIMENSIONS = SessionRollup.DIMENSIONS.size();
  private static final List<String> HEARTBEATS =
      List.of("play", "start", "watch", "seek", "rebuffer");
  private static final int[] MARK_DIMENSIONS =
      SessionRollup.MARK_DIMENSIONS.stream().mapToInt(SessionRollup.DIMENSIONS::indexOf).toArray();

  /** A context row: its session and the dimension values of the events that refer to it. */
  record Context(Key key, Object[] dimensions) {}

  /**
   * The events of the commit batches ({@code after}, {@code through}], by session. Their contexts
   * come from {@code contexts} (context id to context), and those it lacks are read and added.
   */
  static Map<Key, List<Event>> events(
      DuckDBConnection connection, long after, long through, Map<String, Context> contexts)
      throws SQLException {
    record Raw(String context, String type, long at, Double from, Double to, Integer startupMs) {}
    List<Raw> raws = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT CAST(context_id AS VARCHAR), CAST(event_type AS VARCHAR), epoch_us(event_time),"
                + " from_position, to_position, startup_ms FROM events"
                + " WHERE batch > ? AND batch <= ?")) {
      select.setLong(1, after);
      select.setLong(2, through);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          raws.add(
              new Raw(
                  rows.getString(1),
                  rows.getString(2),
                  rows.getLong(3),
                  (Double) rows.getObject(4),
                  (Double) rows.getObject(5),
                  (Integer) rows.getObject(6)));
        }
      }
    }
    // This step's contexts in a map of its own: adding to the kept ones may evict some it uses.
    Map<String, Context> used = new HashMap<>();
    Set<String> unknown = new HashSet<>();
    for (Raw raw : raws) {
      Context known = contexts.get(raw.context());
      if (known != null) {
        used.put(raw.context(), known);
      } else {
        unknown.add(raw.context());
      }
    }
    if (!unknown.isEmpty()) {
      // Through a table of the ids, not a list of them in the SQL: a step after a quiet spell
      // looks up thousands, and DuckDB took twice as long over such a list (5,000: 105 ms, 50 ms).
      keys(connection, "step_contexts", List.copyOf(unknown));
      try (Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT CAST(context_id AS VARCHAR), account, environment, session_id, "
                      + String.join(", ", SessionRollup.DIMENSIONS)
                      + " FROM contexts WHERE context_id IN (SELECT k::UUID FROM step_contexts)")) {
        while (rows.next()) {
          used.put(
              rows.getString(1),
              new Context(
                  new Key(rows.getString(2), rows.getString(3), rows.getString(4)),
                  dimensions(rows, 5)));
        }
      }
      for (String id : unknown) {
        Context found = used.get(id);
        if (found != null) {
          contexts.put(id, found);
        }
      }
    }
    Map<Key, List<Event>> bySession = new HashMap<>();
    for (Raw raw : raws) {
      Context context = used.get(raw.context());
      if (context == null) {
        throw new SQLException("no context " + raw.context() + " for a committed event");
      }
      bySession
          .computeIfAbsent(context.key(), k -> new ArrayList<>())
          .add(
              new Event(
                  context.key(),
                  context.dimensions(),
                  raw.type(),
                  raw.at(),
                  raw.from(),
                  raw.to(),
                  raw.startupMs()));
    }
    return bySession;
  }

  /** Up to how many sealed rows {@link #sealedRows} looks up through the index on session_id. */
  static final int INDEXED_LOOKUPS = 500;

  /**
   * Fills the temporary table {@code name} on {@code connection} with {@code values}, its one
   * column {@code k}, in place of what it held.
   */
  private static void keys(DuckDBConnection connection, String name, List<String> values)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE OR REPLACE TEMP TABLE " + name + " (k VARCHAR)");
    }
    try (DuckDBAppender appender = connection.createAppender("temp", "main", name)) {
      for (String value : values) {
        appender.beginRow();
        appender.append(value);
        appender.endRow();
      }
    }
  }

  /** The sealed rows of the sessions in {@code wanted} that have one. */
  static Map<Key, Row> sealedRows(DuckDBConnection connection, Set<Key> wanted)
      throws SQLException {
    Map<Key, Row> rows = new HashMap<>();
    if (wanted.isEmpty()) {
      return rows;
    }
    String firsts =
        SessionRollup.FIRSTS.stream()
            .map(kind -> "epoch_us(" + kind + "_at)")
            .collect(Collectors.joining(", "));
    // Looked up by session id alone, then matched on the whole key here: a few through the index
    // (a list in the SQL; the ids are of [A-Za-z0-9_-], checked at collection, and quotes are
    // doubled all the same), more (after a quiet spell, thousands) through a table of the ids, in
    // half the time of a list.
    List<String> sessions = wanted.stream().map(Key::session).distinct().toList();
    String ids;
    if (sessions.size() <= INDEXED_LOOKUPS) {
      ids =
          sessions.stream()
              .map(id -> "'" + id.replace("'", "''") + "'")
              .collect(Collectors.joining(", "));
    } else {
      keys(connection, "step_sessions", sessions);
      ids = "SELECT k FROM step_sessions";
    }
    try (Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT account, environment, session_id, "
                    + String.join(", ", SessionRollup.DIMENSIONS)
                    + ", epoch_us(first_at), epoch_us(last_at), "
                    + firsts
                    // the intervals as the flat from, to, from, to... arrays a Row keeps
                    + ", startup_ms, flatten(list_transform(watch, lambda x: [x.f, x.t])), watched,"
                    + " flatten(list_transform(live, lambda x: [epoch_us(x.s), epoch_us(x.e)])),"
                    + " events, flatten(list_transform(plays, lambda x: [x.f, x.t])),"
                    + " list_transform(plays, lambda x: x.n)"
                    + " FROM session_rollup WHERE session_id IN ("
                    + ids
                    + ")")) {
      while (result.next()) {
        Key key = new Key(result.getString(1), result.getString(2), result.getString(3));
        if (!wanted.contains(key)) {
          continue;
        }
        int at = 4 + DIMENSIONS;
        Long[] firstsAt = new Long[SessionRollup.FIRSTS.size()];
        for (int i = 0; i < firstsAt.length; i++) {
          firstsAt[i] = (Long) result.getObject(at + 2 + i);
        }
        at += 2 + firstsAt.length;
        Object[] counts = (Object[]) result.getArray(at + 6).getArray();
        int[] playCounts = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
          playCounts[i] = ((Number) counts[i]).intValue();
        }
        rows.put(
            key,
            new Row(
                key,
                dimensions(result, 4),
                result.getLong(4 + DIMENSIONS),
                result.getLong(5 + DIMENSIONS),
                firstsAt,
                (Integer) result.getObject(at),
                doubles(result.getArray(at + 1)),
                result.getDouble(at + 2),
                doubles(result.getArray(at + 3)),
                result.getLong(at + 4),
                doubles(result.getArray(at + 5)),
                playCounts,
                null));
      }
    }
    return rows;
  }

  /**
   * The session's row with its new {@code events} merged in: onto {@code base}, its row so far (a
   * live or a sealed one), or from nothing for a new session.
   */
  static Row merge(Key key, Row base, List<Event> events) {
    Object[] first = new Object[DIMENSIONS];
    long[] firstTime = new long[DIMENSIONS];
    long firstAt = Long.MAX_VALUE;
    long lastAt = Long.MIN_VALUE;
    Long[] firsts = new Long[SessionRollup.FIRSTS.size()];
    Integer startup = null;
    Long beat = null;
    List<double[]> watched = new ArrayList<>();
    List<double[]> live = new ArrayList<>();
    TreeMap<Double, Long> steps = new TreeMap<>();
    for (Event event : events) {
      for (int i = 0; i < DIMENSIONS; i++) {
        Object value = event.dimensions()[i];
        if (value != null && (first[i] == null || event.at() < firstTime[i])) {
          first[i] = value;
          firstTime[i] = event.at();
        }
      }
      firstAt = Math.min(firstAt, event.at());
      lastAt = Math.max(lastAt, event.at());
      int kind = SessionRollup.FIRSTS.indexOf(event.type());
      if (kind >= 0) {
        firsts[kind] = least(firsts[kind], event.at());
      }
      if (event.type().equals("start") && event.startupMs() != null) {
        startup = least(startup, event.startupMs());
      }
      if (HEARTBEATS.contains(event.type())) {
        beat = least(beat, event.at());
        live.add(new double[] {event.at(), event.at() + SessionRollup.HEARTBEAT_MICROS});
      }
      if (event.type().equals("watch")
          && event.from() != null
          && event.to() != null
          && event.to() > event.from()) {
        watched.add(new double[] {event.from(), event.to()});
        steps.merge(event.from(), 1L, Long::sum);
        steps.merge(event.to(), -1L, Long::sum);
      }
    }
    Object[] dimensions = new Object[DIMENSIONS];
    for (int i = 0; i < DIMENSIONS; i++) {
      dimensions[i] =
          base == null || base.dimensions()[i] == null ? first[i] : base.dimensions()[i];
    }
    if (base != null) {
      for (int i = 0; i < base.watch().length; i += 2) {
        watched.add(new double[] {base.watch()[i], base.watch()[i + 1]});
      }
      for (int i = 0; i < base.live().length; i += 2) {
        live.add(new double[] {base.live()[i], base.live()[i + 1]});
      }
      for (int i = 0; i < base.playCounts().length; i++) {
        steps.merge(base.plays()[2 * i], (long) base.playCounts()[i], Long::sum);
        steps.merge(base.plays()[2 * i + 1], (long) -base.playCounts()[i], Long::sum);
      }
      firstAt = Math.min(firstAt, base.firstAt());
      lastAt = Math.max(lastAt, base.lastAt());
      for (int i = 0; i < firsts.length; i++) {
        firsts[i] = least(firsts[i], base.firsts()[i]);
      }
      startup = least(startup, base.startupMs());
    }
    double[] watch = union(watched);
    double seconds = 0;
    for (int i = 0; i < watch.length; i += 2) {
      seconds += watch[i + 1] - watch[i];
    }
    double[] spans = union(live);
    Long beatFrom = beat;
    if (base != null && spans.length > 0) {
      for (int i : MARK_DIMENSIONS) {
        if (base.dimensions()[i] == null && first[i] != null) {
          beatFrom = 0L; // a value its minute marks lacked: all of them are rewritten
          break;
        }
      }
    }
    beatFrom = base == null ? beatFrom : least(base.beatFrom(), beatFrom);
    List<Double> playAt = new ArrayList<>();
    List<Integer> playCount = new ArrayList<>();
    long level = 0;
    Double previous = null;
    for (Map.Entry<Double, Long> step : steps.entrySet()) {
      if (step.getValue() == 0) {
        continue; // where +1s and -1s cancel, nothing changes: abutting stretches make one
      }
      if (previous != null && level > 0) {
        playAt.add(previous);
        playAt.add(step.getKey());
        playCount.add((int) level);
      }
      level += step.getValue();
      previous = step.getKey();
    }
    double[] plays = new double[playAt.size()];
    for (int i = 0; i < plays.length; i++) {
      plays[i] = playAt.get(i);
    }
    return new Row(
        key,
        dimensions,
        firstAt,
        lastAt,
        firsts,
        startup,
        watch,
        Math.round(seconds * 1e6) / 1e6,
        spans,
        (base == null ? 0 : base.events()) + events.size(),
        plays,
        playCount.stream().mapToInt(Integer::intValue).toArray(),
        beatFrom);
  }

  /** Appends a row to {@code folds.live}, with its base seal and generation. */
  static void append(DuckDBAppender appender, Row row, long base, long generation, long open)
      throws SQLException {
    appender.beginRow();
    appender.append(base);
    appender.append(generation);
    appender.append(open);
    appender.append(row.key().account());
    appender.append(row.key().environment());
    appender.append(row.key().session());
    for (Object value : row.dimensions()) {
      if (value == null) {
        appender.appendNull();
      } else if (value instanceof String text) {
        appender.append(text);
      } else if (value instanceof Double number) {
        appender.append(number.doubleValue());
      } else {
        appender.append((List<?>) value);
      }
    }
    appender.append(timestamp(row.firstAt()));
    appender.append(timestamp(row.lastAt()));
    for (Long at : row.firsts()) {
      if (at == null) {
        appender.appendNull();
      } else {
        appender.append(timestamp(at));
      }
    }
    if (row.startupMs() == null) {
      appender.appendNull();
    } else {
      appender.append(row.startupMs().intValue());
    }
    List<Map<String, Object>> watch = new ArrayList<>();
    for (int i = 0; i < row.watch().length; i += 2) {
      watch.add(struct("f", row.watch()[i], "t", row.watch()[i + 1]));
    }
    appender.append(watch);
    appender.append(row.watched());
    List<Map<String, Object>> live = new ArrayList<>();
    for (int i = 0; i < row.live().length; i += 2) {
      live.add(
          struct("s", timestamp((long) row.live()[i]), "e", timestamp((long) row.live()[i + 1])));
    }
    appender.append(live);
    appender.append(row.events());
    List<Map<String, Object>> plays = new ArrayList<>();
    for (int i = 0; i < row.playCounts().length; i++) {
      Map<String, Object> play = struct("f", row.plays()[2 * i], "t", row.plays()[2 * i + 1]);
      play.put("n", row.playCounts()[i]);
      plays.add(play);
    }
    appender.append(plays);
    if (row.beatFrom() == null) {
      appender.appendNull();
    } else {
      appender.append(timestamp(row.beatFrom()));
    }
    appender.endRow();
  }

  private static Map<String, Object> struct(String a, Object first, String b, Object second) {
    Map<String, Object> struct = new LinkedHashMap<>();
    struct.put(a, first);
    struct.put(b, second);
    return struct;
  }

  private static LocalDateTime timestamp(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1000,
        ZoneOffset.UTC);
  }

  private static Object[] dimensions(ResultSet rows, int from) throws SQLException {
    Object[] values = new Object[DIMENSIONS];
    for (int i = 0; i < DIMENSIONS; i++) {
      Object value = rows.getObject(from + i);
      if (value instanceof Array array) {
        Object[] items = (Object[]) array.getArray();
        List<String> texts = new ArrayList<>(items.length);
        for (Object item : items) {
          texts.add((String) item);
        }
        value = texts;
      } else if (value instanceof Number number && !(value instanceof Double)) {
        value = number.doubleValue();
      }
      values[i] = value;
    }
    return values;
  }

  private static double[] doubles(Array array) throws SQLException {
    Object[] items = (Object[]) array.getArray();
    double[] values = new double[items.length];
    for (int i = 0; i < items.length; i++) {
      values[i] = ((Number) items[i]).doubleValue();
    }
    return values;
  }

  /**
   * The union of intervals, sorted: one that starts where another reaches joins it. (Live spans are
   * epoch microseconds, exact in a double, as the merge SQL has them.)
   */
  private static double[] union(List<double[]> pieces) {
    pieces.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    double[] out = new double[2 * pieces.size()];
    int n = 0;
    for (double[] piece : pieces) {
      if (n > 0 && piece[0] <= out[n - 1]) {
        out[n - 1] = Math.max(out[n - 1], piece[1]);
      } else {
        out[n++] = piece[0];
        out[n++] = piece[1];
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static Integer least(Integer a, Integer b) {
    return a == null ? b : b == null ? a : Integer.valueOf(Math.min(a, b));
  }

  private static Long least(Long a, Long b) {
    return a == null ? b : b == null ? a : Long.valueOf(Math.min(a, b));
  }
}
