package io.playlens.query;

import static java.util.Objects.requireNonNull;

import io.playlens.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The views of one media, one row per playback session, newest first: what Wistia's per-video
 * export lists. Read from the session rows (sealed, plus what a query folds in) and rendered by the
 * store itself, a CSV record or a JSON object per view, so that the export reads one value per row
 * (reading two dozen columns a row through JDBC ran at a third of the speed) and streams in
 * constant memory. That value comes as UTF-8 bytes (a BLOB): the driver turns a text value into a
 * Java string through a charset decoder called once per value, which took longer than the query,
 * and the bytes go out to the client as they are.
 */
public final class Views {
  private static final String TIME = "strftime(c.first_at, '%Y-%m-%dT%H:%M:%S.%gZ')";
  private static final String WATCHED =
      "array_to_string(list_transform(c.watch, lambda w: CAST(floor(w.f) AS BIGINT)"
          + " || '-' || CAST(ceil(w.t) AS BIGINT)), ';')";

  /**
   * A CSV column: its header, its value over a view {@code c} with its computed values, and whether
   * that value is text from outside (quoted and defused by {@link #csv}) rather than one Playlens
   * formats itself (a date, a number keeping its sign, a flag, the watched ranges).
   */
  private record Column(String header, String value, boolean text) {}

  /** The CSV columns, in order; the first ten are those of Wistia's export. */
  private static final List<Column> CSV =
      List.of(
          new Column("Date", TIME, false),
          new Column("IP Address", "c.ip", true),
          new Column("Country", "c.country", true),
          new Column("Region", "c.region", true),
          new Column("City", "c.city", true),
          new Column("Latitude", "c.latitude", false),
          new Column("Longitude", "c.longitude", false),
          new Column("Organization", "c.organisation", true),
          new Column("Email", "c.email", true),
          new Column("Percent Viewed", "CAST(round(100 * c.percent) AS BIGINT)", false),
          new Column("Visitor Key", "c.viewer_id", true),
          new Column("Event Key", "c.session_id", true),
          new Column("Media ID", "c.media_id", true),
          new Column("Media Name", "c.media_name", true),
          new Column("Played", "c.play_at IS NOT NULL", false),
          new Column("Device Type", "c.device_type", true),
          new Column("OS", "c.os", true),
          new Column("Browser", "c.browser", true),
          new Column("Referrer", "c.referrer", true),
          new Column("Embed URL", "c.page_url", true),
          new Column("Watched Seconds", "c.watched_text", false));

  public static final List<String> CSV_COLUMNS = CSV.stream().map(Column::header).toList();

  static final char SEPARATOR = '\u001f';

  /**
   * The fields of a CSV record, joined by the unit separator (U+001F, removed from text values):
   * the store only lines them up, {@link #csv} quotes them (a third of the time of quoting in SQL).
   */
  private static final String CSV_FIELDS =
      "concat_ws('"
          + SEPARATOR
          + "', "
          + CSV.stream()
              .map(
                  column ->
                      column.text()
                          ? "coalesce(replace(" + column.value() + ", '" + SEPARATOR + "', ''), '')"
                          : "coalesce(CAST(" + column.value() + " AS VARCHAR), '')")
              .collect(Collectors.joining(", "))
          + ")";

  /** How a view is written: an RFC 4180 CSV record, or a JSON object of Wistia's event fields. */
  public enum Format {
    CSV,
    JSON
  }

  private final Queries queries;

  public Views(Queries queries) {
    this.queries = requireNonNull(queries, "queries is null");
  }

  /**
   * Which views: of an account and environment, first seen in [from, to); of one media, one viewer
   * or one session when those are given (null: any); with {@code playedOnly} only sessions where
   * play was pressed (Wistia's {@code filter=view}).
   */
  public record Selection(
      String account,
      String environment,
      String mediaId,
      String viewerId,
      String sessionId,
      Instant from,
      Instant to,
      boolean playedOnly) {
    public Selection {
      requireNonNull(account, "account is null");
      requireNonNull(environment, "environment is null");
      requireNonNull(from, "from is null");
      requireNonNull(to, "to is null");
    }

    /** The same views, first seen in [from, to). */
    Selection between(Instant from, Instant to) {
      return new Selection(
          account, environment, mediaId, viewerId, sessionId, from, to, playedOnly);
    }

    /** The views of one media. */
    public static Selection ofMedia(
        String account,
        String environment,
        String mediaId,
        Instant from,
        Instant to,
        boolean playedOnly) {
      requireNonNull(mediaId, "mediaId is null");
      return new Selection(account, environment, mediaId, null, null, from, to, playedOnly);
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
   * A view as written ({@code utf8}: its UTF-8 bytes, without a line end), and where it sits in the
   * order (for a page, that is with a limit; null when streaming everything).
   */
  public record View(byte[] utf8, Cursor position) {
    public View {
      requireNonNull(utf8, "utf8 is null");
    }
  }

  /** Receives the views one by one; may throw the I/O errors of writing them out. */
  @FunctionalInterface
  public interface Sink {
    void accept(View view) throws IOException;
  }

  /**
   * Sends the selected views in {@code format}, newest first (ties broken by session id), after
   * {@code cursor} when given, skipping {@code offset} and stopping after {@code limit} (negative:
   * no limit); returns how many were sent. {@code duration} is the media's registered duration, for
   * sessions whose player did not report one; {@code mediaName} its registered name, shown before
   * the title the player reported (an owner may have corrected it).
   *
   * <p>Percent viewed is the union of the session's watched intervals over the media's duration
   * (0–1 in JSON, a whole number 0–100 in CSV), empty without a duration (a live stream). Watched
   * seconds are those intervals in whole seconds, {@code 0-15;30-42}.
   */
  public long stream(
      Selection selection,
      Format format,
      Double duration,
      String mediaName,
      Cursor cursor,
      long offset,
      long limit,
      Sink sink)
      throws StoreException, IOException {
    Listing listing = new Listing(selection, format, duration, mediaName, cursor);
    if (limit < 0 && offset == 0) {
      return streamAll(listing, sink);
    }
    return streamOne(listing, offset, limit, sink);
  }

  /** What {@link #stream} lists and how, but for the page's bounds. */
  private record Listing(
      Selection selection, Format format, Double duration, String mediaName, Cursor cursor) {
    /** The same listing over other views. */
    Listing of(Selection views) {
      return new Listing(views, format, duration, mediaName, cursor);
    }
  }

  /** {@link #stream} in one statement. */
  private long streamOne(Listing listing, long offset, long limit, Sink sink)
      throws StoreException, IOException {
    Selection selection = listing.selection();
    Format format = listing.format();
    // The views first (filtered, cut to the page, with the values both formats show), then each
    // written out in the order of the page.
    Queries.Sql sql =
        where(
            Queries.sessions(selection.account(), selection.environment())
                .append(
                    ", v AS (SELECT c.*, least(1.0, c.watched / nullif(coalesce(c.media_duration,"
                        + " ?), 0)) AS percent, coalesce(?, c.media_title) AS media_name, "
                        + WATCHED
                        + " AS watched_text FROM sessions c",
                    listing.duration(),
                    listing.mediaName()),
            selection,
            listing.cursor());
    String order = " ORDER BY c.first_at DESC, c.session_id DESC";
    if (limit >= 0 || offset > 0) {
      sql.append(order); // which rows a page or an offset keeps depends on the order
    }
    if (limit >= 0) {
      sql.append(" LIMIT ?", limit);
    }
    if (offset > 0) {
      sql.append(" OFFSET ?", offset);
    }
    // Streaming everything needs no positions: the text alone is read.
    sql.append(
        ") SELECT encode("
            + (format == Format.CSV ? CSV_FIELDS : JSON_OBJECT)
            + ")"
            + (limit < 0 ? "" : ", c.first_at, c.session_id")
            + " FROM v c"
            + order);
    try {
      return queries.query(
          sql,
          "listing views",
          rows -> {
            long sent = 0;
            while (rows.next()) {
              Cursor position =
                  limit < 0
                      ? null
                      : new Cursor(
                          rows.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC),
                          rows.getString(3));
              try {
                byte[] text = rows.getBytes(1);
                sink.accept(new View(format == Format.CSV ? csv(text) : text, position));
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

  /** Appends the conditions on session rows {@code c} that select the views. */
  private static Queries.Sql where(Queries.Sql sql, Selection selection, Cursor cursor) {
    sql.append(
        " WHERE c.first_at >= ? AND c.first_at < ?",
        Queries.utc(selection.from()),
        Queries.utc(selection.to()));
    if (selection.mediaId() != null) {
      sql.append(" AND c.media_id = ?", selection.mediaId());
    }
    if (selection.viewerId() != null) {
      sql.append(" AND c.viewer_id = ?", selection.viewerId());
    }
    if (selection.sessionId() != null) {
      sql.append(" AND c.session_id = ?", selection.sessionId());
    }
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
    return sql;
  }

  /**
   * Fewer views than this are streamed by one statement: splitting costs a statement more, and
   * gains little on a few.
   */
  static final long SPLIT_FROM = 10_000;

  /** How many views of the older half may wait while the newer half is written; bounds memory. */
  private static final int WAITING = 2_048;

  /**
   * Streams every view (no limit, no offset) as two statements run at once, over the newer and the
   * older half of the views by start time: the store runs a statement on the thread that asks it,
   * one thread to a statement, and one statement kept one of the two cores busy and the other idle
   * for most of an export. The newer half is written as it is read here; the older half is read on
   * a thread of its own, which waits once {@link #WAITING} views are queued (by then the store has
   * done most of its work: the sort) and is written after. The halves are read in two transactions
   * a moment apart: a view that begins meanwhile is in the newer half or not at all, and a view is
   * in both only if an event dated before its start arrives in that moment and moves its start
   * across the middle.
   */
  private long streamAll(Listing listing, Sink sink) throws StoreException, IOException {
    Selection selection = listing.selection();
    Instant middle = middle(selection, listing.cursor());
    if (middle == null) {
      return streamOne(listing, 0, -1, sink);
    }
    Listing newer = listing.of(selection.between(middle, selection.to()));
    Listing older = listing.of(selection.between(selection.from(), middle));
    OlderHalf half = new OlderHalf(queue -> streamOne(older, 0, -1, queue));
    try {
      return streamOne(newer, 0, -1, sink) + half.writeTo(sink);
    } finally {
      half.stop();
    }
  }

  /**
   * The median start time of the selected views: the older half are those that began before it;
   * null when there are fewer than {@link #SPLIT_FROM} views.
   */
  private Instant middle(Selection selection, Cursor cursor) throws StoreException {
    Queries.Sql sql =
        where(
            Queries.sessions(selection.account(), selection.environment())
                .append(" SELECT count(*), quantile_disc(c.first_at, 0.5) FROM sessions c"),
            selection,
            cursor);
    return queries.query(
        sql,
        "splitting views",
        rows -> {
          rows.next();
          return rows.getLong(1) < SPLIT_FROM
              ? null
              : rows.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC);
        });
  }

  /** How the older half is read: into the sink given. */
  @FunctionalInterface
  private interface Reading {
    void read(Sink sink) throws StoreException, IOException;
  }

  /**
   * The older half of a stream, read on a thread of its own into a bounded queue, for the writer to
   * take once the newer half is out. Stopping it (the writer failed, or is done) makes the reader
   * give up at its next view.
   */
  private static final class OlderHalf {
    /** Ends the queue: null after the last view, or how the reader failed. */
    private record End(Exception failure) {}

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(WAITING);
    private final Thread reader;
    private volatile boolean stopped;

    OlderHalf(Reading reading) {
      reader = Thread.ofPlatform().name("export-reader").daemon().start(() -> read(reading));
    }

    private void read(Reading reading) {
      End end;
      try {
        reading.read(this::put);
        end = new End(null);
      } catch (StoreException | IOException | RuntimeException e) {
        end = new End(e);
      } catch (Error e) {
        end = new End(new StoreException("listing views failed: " + e, e));
      }
      try {
        put(end);
      } catch (IOException e) {
        // stopped: nobody takes it
      }
    }

    /** Queues a view (or the end); throws once stopped, which ends the reading. */
    private void put(Object item) throws IOException {
      try {
        while (!stopped) {
          if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("the stream was stopped");
    }

    /** Writes every view of the half to {@code sink}; returns how many. */
    long writeTo(Sink sink) throws StoreException, IOException {
      try {
        for (long written = 0; ; written++) {
          Object item = queue.take();
          if (item instanceof End end) {
            switch (end.failure()) {
              case null -> {
                return written;
              }
              case StoreException e -> throw e;
              case IOException e -> throw e;
              case RuntimeException e -> throw e;
              default -> throw new IllegalStateException(end.failure());
            }
          }
          sink.accept((View) item);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while streaming views", e);
      }
    }

    /** Stops the reader and waits until it has let go of its statement. */
    void stop() {
      stopped = true;
      boolean interrupted = false;
      while (true) {
        try {
          reader.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The RFC 4180 record of separated fields, both UTF-8: a text field a spreadsheet would run as a
   * formula (starting with {@code = + - @}, a tab or a carriage return: beacon text is
   * attacker-controlled) gets a leading apostrophe; a field holding a comma, quote or line break is
   * quoted, quotes doubled. Every byte looked at is ASCII, which never occurs inside a multi-byte
   * UTF-8 character, so the bytes need no decoding.
   */
  static byte[] csv(byte[] fields) {
    // At worst every byte is a doubled quote, and each cell gains two quotes and an apostrophe.
    byte[] record = new byte[2 * fields.length + 3 * CSV.size()];
    int length = 0;
    int column = 0;
    int start = 0;
    while (true) {
      int end = start;
      while (end < fields.length && fields[end] != SEPARATOR) {
        end++;
      }
      if (column > 0) {
        record[length++] = ',';
      }
      if (column < CSV.size() && CSV.get(column).text()) {
        length = cell(record, length, fields, start, end);
      } else {
        System.arraycopy(fields, start, record, length, end - start);
        length += end - start;
      }
      if (end == fields.length) {
        return Arrays.copyOf(record, length);
      }
      column++;
      start = end + 1;
    }
  }

  /** Writes one text cell at {@code length} of {@code record}; returns the new length. */
  private static int cell(byte[] record, int length, byte[] fields, int start, int end) {
    if (start == end) {
      return length;
    }
    boolean quote = false;
    for (int i = start; i < end; i++) {
      byte c = fields[i];
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        quote = true;
        break;
      }
    }
    byte first = fields[start];
    boolean formula =
        first == '='
            || first == '+'
            || first == '-'
            || first == '@'
            || first == '\t'
            || first == '\r';
    if (quote) {
      record[length++] = '"';
    }
    if (formula) {
      record[length++] = '\'';
    }
    if (quote) {
      for (int i = start; i < end; i++) {
        byte c = fields[i];
        if (c == '"') {
          record[length++] = '"';
        }
        record[length++] = c;
      }
      record[length++] = '"';
    } else {
      System.arraycopy(fields, start, record, length, end - start);
      length += end - start;
    }
    return length;
  }

  /** A JSON object with the field names of Wistia's events API, from a view {@code c}. */
  private static final String JSON_OBJECT = jsonObject();

  private static String jsonObject() {
    List<String> fields =
        List.of(
            "'received_at': " + TIME,
            "'event_key': c.session_id",
            "'visitor_key': c.viewer_id",
            "'ip': c.ip",
            "'org': c.organisation",
            "'country': c.country",
            "'region': c.region",
            "'city': c.city",
            "'lat': c.latitude",
            "'lon': c.longitude",
            "'email': c.email",
            "'percent_viewed': c.percent",
            "'media_id': c.media_id",
            "'media_name': c.media_name",
            "'embed_url': c.page_url",
            "'played': c.play_at IS NOT NULL",
            "'watched_seconds': c.watched_text",
            "'user_agent_details': {'browser': c.browser, 'browser_version': c.browser_version,"
                + " 'platform': c.os, 'platform_version': c.os_version,"
                + " 'mobile': coalesce(c.device_type IN ('phone', 'tablet'), false),"
                + " 'device_type': c.device_type}");
    return "to_json({" + String.join(", ", fields) + "})::VARCHAR";
  }
}
