package io.playlens.query;

import io.playlens.store.StoreException;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Every question the APIs and the dashboard ask of the stored sessions, with one answer whatever
 * store holds them: {@link Queries} over the embedded DuckDB file, {@code ClickHouseAnalytics} over
 * ClickHouse. Both count a session at the time of its first event of the kind asked about, so
 * adjacent timeframes add up; the definitions are on each method of {@link Queries}.
 */
public interface Analytics extends AutoCloseable {
  /** A sum over sessions and how many sessions it covers (for averages). */
  record Total(double sum, long sessions) {
    public double average() {
      return sessions == 0 ? 0 : sum / sessions;
    }
  }

  /**
   * Concurrent viewers in a time span, sampled at each whole minute: the highest sample and their
   * mean over the span's minutes.
   */
  record Concurrency(long peak, double average) {
    public static final Concurrency NONE = new Concurrency(0, 0);
  }

  /** Sessions whose first event of {@code kind} is in scope. */
  default long count(Scope scope, String kind) throws StoreException {
    return count(scope, kind, Grouping.WHOLE_SCOPE).getOrDefault(Grouping.WHOLE, 0L);
  }

  /** Sessions whose first event of {@code kind} is in scope, per group. */
  Map<String, Long> count(Scope scope, String kind, Grouping grouping) throws StoreException;

  /** Startup time of the sessions that rendered a first frame in scope, summed. */
  Total startup(Scope scope) throws StoreException;

  /** Seconds of media played (union of watch intervals) by the sessions that played in scope. */
  Total watchTime(Scope scope) throws StoreException;

  /** {@link #watchTime(Scope)} per group. */
  Map<String, Double> watchTime(Scope scope, Grouping grouping) throws StoreException;

  /**
   * Plays whose session watched at least {@code seconds}; with {@code unique} one per viewer/day.
   */
  default long views(Scope scope, int seconds, boolean unique) throws StoreException {
    return views(scope, seconds, unique, Grouping.WHOLE_SCOPE).getOrDefault(Grouping.WHOLE, 0L);
  }

  /** {@link #views(Scope, int, boolean)} per group. */
  Map<String, Long> views(Scope scope, int seconds, boolean unique, Grouping grouping)
      throws StoreException;

  /** Concurrent viewers per group, sampled once a minute: peak and average. */
  Map<String, Concurrency> concurrency(Scope scope, boolean unique, Grouping grouping)
      throws StoreException;

  /** Viewers watching at {@code now}: a heartbeat in the 20 s before. */
  long concurrentNow(
      String account, String environment, Filters filters, boolean unique, Instant now)
      throws StoreException;

  /** All-time plays per media id, whatever the retention; only the media filters apply. */
  Map<String, Long> playTotals(String account, String environment, Filters filters)
      throws StoreException;

  /** Wistia's figures over a scope; {@code duration} stands in for sessions that lack one. */
  WistiaStats.Figures figures(Scope scope, Double duration) throws StoreException;

  /**
   * {@link WistiaStats.Figures#engagement()} of the scope alone, where that is all that is asked.
   */
  default double meanShareWatched(Scope scope, Double duration) throws StoreException {
    return figures(scope, duration).engagement();
  }

  /** The engagement graph of a media's watch events in [from, to), or of one session's. */
  WistiaStats.Engagement engagement(
      String account,
      String environment,
      String mediaId,
      String sessionId,
      Instant from,
      Instant to,
      Integer seconds)
      throws StoreException;

  /** Wistia visitors as JSON objects, most recently active first. */
  List<String> visitors(
      Scope scope,
      String visitorKey,
      String search,
      boolean withEmail,
      boolean withName,
      long offset,
      long limit)
      throws StoreException;

  /** Lets go of what the answers kept open (before the store closes); nothing by default. */
  @Override
  default void close() {}

  /** Views (one per session), newest first, written in {@code format}; see {@link Views#stream}. */
  long listViews(
      Views.Selection selection,
      Views.Format format,
      Double duration,
      String mediaName,
      Views.Cursor cursor,
      long offset,
      long limit,
      Views.Sink sink)
      throws StoreException, IOException;
}
