package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The views of one media, one row per playback session, newest first: what Wistia's per-video
 * export lists. Read from the session rows (sealed, plus what a query folds in), streamed to the
 * caller row by row so an export of any size runs in constant memory.
 */
public final class Views {
  private final Queries queries;

  public Views(Queries queries) {
    this.queries = requireNonNull(queries, "queries is null");
  }

  /**
   * Which views: of a media of an account and environment, first seen in [from, to); with {@code
   * playedOnly} only sessions where play was pressed (Wistia's {@code filter=view}).
   */
  public record Selection(
      String account,
      String environment,
      String mediaId,
      Instant from,
      Instant to,
      boolean playedOnly) {
    public Selection {
      requireNonNull(account, "account is null");
      requireNonNull(environment, "environment is null");
      requireNonNull(mediaId, "mediaId is null");
      requireNonNull(from, "from is null");
      requireNonNull(to, "to is null");
    }
  }

  /** Where a page of views starts: after the view {@code (firstAt, sessionId)}, newest first. */
  public record Cursor(Instant firstAt, String sessionId) {
    public Cursor {
      requireNonNull(firstAt, "firstAt is null");
      requireNonNull(sessionId, "sessionId is null");
    }
  }

  /**
   * One view.
   *
   * @param percentViewed the share of the media's seconds the session played (the union of its
   *     watched intervals over the media's duration), 0–1; null when the duration is unknown (a
   *     live stream)
   * @param watched the watched intervals in whole seconds, {@code 0-15;30-42}
   */
  public record View(
      String sessionId,
      String viewerId,
      String mediaId,
      String mediaTitle,
      Instant firstAt,
      boolean played,
      String ip,
      String country,
      String region,
      String city,
      Double latitude,
      Double longitude,
      String organisation,
      String email,
      Double percentViewed,
      double watchedSeconds,
      String watched,
      String deviceType,
      String os,
      String osVersion,
      String browser,
      String browserVersion,
      String referrer,
      String pageUrl) {}

  /** Receives the views one by one; may throw the I/O errors of writing them out. */
  @FunctionalInterface
  public interface Sink {
    void accept(View view) throws IOException;
  }

  /**
   * Sends the selected views, newest first (ties broken by session id), after {@code cursor} when
   * given, skipping {@code offset} and stopping after {@code limit} (negative: no limit); returns
   * how many were sent. {@code duration} is the media's registered duration, for sessions whose
   * player did not report one.
   */
  public long stream(
      Selection selection, Double duration, Cursor cursor, long offset, long limit, Sink sink)
      throws StoreException, IOException {
    Queries.Sql sql =
        Queries.sessions(selection.account(), selection.environment())
            .append(
                " SELECT c.session_id, c.viewer_id, c.media_id, c.media_title, c.first_at,"
                    + " c.play_at IS NOT NULL, c.ip, c.country, c.region, c.city, c.latitude,"
                    + " c.longitude, c.organisation, c.email,"
                    + " least(1.0, c.watched / nullif(coalesce(c.media_duration, ?), 0)),"
                    + " c.watched,"
                    + " array_to_string(list_transform(c.watch, lambda w: CAST(floor(w.f) AS BIGINT)"
                    + " || '-' || CAST(ceil(w.t) AS BIGINT)), ';'),"
                    + " c.device_type, c.os, c.os_version, c.browser, c.browser_version,"
                    + " c.referrer, c.page_url FROM sessions c"
                    + " WHERE c.media_id = ? AND c.first_at >= ? AND c.first_at < ?",
                duration,
                selection.mediaId(),
                Queries.utc(selection.from()),
                Queries.utc(selection.to()));
    if (selection.playedOnly()) {
      sql.append(" AND c.play_at IS NOT NULL");
    }
    if (cursor != null) {
      sql.append(
          " AND (c.first_at < ? OR (c.first_at = ? AND c.session_id < ?))",
          Queries.utc(cursor.firstAt()),
          Queries.utc(cursor.firstAt()),
          cursor.sessionId());
    }
    sql.append(" ORDER BY c.first_at DESC, c.session_id DESC");
    if (limit >= 0) {
      sql.append(" LIMIT ?", limit);
    }
    if (offset > 0) {
      sql.append(" OFFSET ?", offset);
    }
    try {
      return queries.query(
          sql,
          "listing views",
          rows -> {
            long sent = 0;
            while (rows.next()) {
              try {
                sink.accept(view(rows));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              sent++;
            }
            return sent;
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static View view(ResultSet rows) throws SQLException {
    return new View(
        rows.getString(1),
        rows.getString(2),
        rows.getString(3),
        rows.getString(4),
        rows.getObject(5, LocalDateTime.class).toInstant(ZoneOffset.UTC),
        rows.getBoolean(6),
        rows.getString(7),
        rows.getString(8),
        rows.getString(9),
        rows.getString(10),
        nullableDouble(rows, 11),
        nullableDouble(rows, 12),
        rows.getString(13),
        rows.getString(14),
        nullableDouble(rows, 15),
        rows.getDouble(16),
        rows.getString(17),
        rows.getString(18),
        rows.getString(19),
        rows.getString(20),
        rows.getString(21),
        rows.getString(22),
        rows.getString(23),
        rows.getString(24));
  }

  private static Double nullableDouble(ResultSet rows, int column) throws SQLException {
    double value = rows.getDouble(column);
    return rows.wasNull() ? null : value;
  }
}
