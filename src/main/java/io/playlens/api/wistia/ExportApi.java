package io.playlens.api.wistia;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.playlens.account.Media;
import io.playlens.account.MetadataStore;
import io.playlens.account.Principal;
import io.playlens.api.Guard;
import io.playlens.query.Analytics;
import io.playlens.query.Views;
import io.playlens.server.ClientError;
import io.playlens.store.StoreException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Wistia's per-video export, {@code /stats/medias/<id>/events.csv|json}: one row per view (a
 * playback session of the media), newest first, with Wistia's filters ({@code filter=view}, {@code
 * limit} up to 1000, {@code offset}, {@code start_date}/{@code end_date}). Beyond Wistia: {@code
 * limit=all} streams every view of the range with no cap in constant memory, and {@code cursor}
 * (from the {@code X-Next-Cursor} header of the previous page) pages by position instead of offset,
 * so views arriving meanwhile neither shift nor repeat rows.
 */
public final class ExportApi {
  /** Wistia's upper limit, and the default, of {@code limit}. */
  static final int MAX_LIMIT = 1000;

  private static final Set<String> PARAMETERS =
      Set.of("filter", "limit", "offset", "start_date", "end_date", "cursor");

  private static final byte[] CSV_HEADER =
      (String.join(",", Views.CSV_COLUMNS) + "\r\n").getBytes(StandardCharsets.UTF_8);
  private static final byte[] CRLF = {'\r', '\n'};

  private final MetadataStore metadata;
  private final Analytics views;
  private final Clock clock;

  public ExportApi(MetadataStore metadata, Analytics views, Clock clock) {
    this.metadata = requireNonNull(metadata, "metadata is null");
    this.views = requireNonNull(views, "views is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public void csv(Context ctx) throws StoreException, IOException {
    Request request = request(ctx, Views.Format.CSV);
    List<Views.View> page = page(ctx, request);
    ctx.contentType("text/csv; charset=utf-8");
    ctx.header(
        "Content-Disposition",
        "attachment; filename=\"" + request.selection().mediaId() + "-events.csv\"");
    try (OutputStream out = buffered(ctx.outputStream())) {
      out.write(CSV_HEADER);
      emit(
          request,
          page,
          view -> {
            out.write(view.utf8());
            out.write(CRLF);
          });
    }
  }

  public void json(Context ctx) throws StoreException, IOException {
    Request request = request(ctx, Views.Format.JSON);
    List<Views.View> page = page(ctx, request);
    ctx.contentType("application/json");
    try (OutputStream out = buffered(ctx.outputStream())) {
      out.write('[');
      boolean[] first = {true};
      emit(
          request,
          page,
          view -> {
            if (!first[0]) {
              out.write(',');
            }
            first[0] = false;
            out.write(view.utf8());
          });
      out.write(']');
    }
  }

  /** The validated request: which views, how many, from where. */
  private record Request(
      Views.Selection selection,
      Views.Format format,
      Double duration,
      String mediaName,
      Views.Cursor cursor,
      long offset,
      long limit) {

    void stream(Analytics views, Views.Sink sink) throws StoreException, IOException {
      views.listViews(selection, format, duration, mediaName, cursor, offset, limit, sink);
    }
  }

  private Request request(Context ctx, Views.Format format) {
    Principal principal = Guard.principal(ctx);
    WistiaParameters parameters = new WistiaParameters(ctx, 400, PARAMETERS);
    String mediaId = ctx.pathParam("id");
    Media media = WistiaAccess.media(metadata, principal, mediaId);
    String filter = parameters.text("filter");
    if (filter != null && !filter.equals("view")) {
      throw parameters.invalid(
          "filter must be 'view' (only views where play was pressed), got '" + filter + "'");
    }
    long limit = limit(parameters);
    long offset = parameters.whole("offset", 0, 0, Long.MAX_VALUE);
    String cursor = parameters.text("cursor");
    if (cursor != null && offset > 0) {
      throw parameters.invalid("give either offset or cursor, not both");
    }
    WistiaParameters.Range range =
        parameters.range(
            principal.account().timeZone(),
            principal.earliestVisible(clock.instant()),
            clock.instant());
    return new Request(
        Views.Selection.ofMedia(
            principal.accountKey(),
            principal.environment().wireName(),
            mediaId,
            range.from(),
            range.to(),
            filter != null),
        format,
        media.duration(),
        media.name(),
        cursor(parameters, cursor),
        offset,
        limit);
  }

  /** Wistia's {@code limit}: 1 to 1000, 1000 by default; Playlens adds {@code all} (-1). */
  private static long limit(WistiaParameters parameters) {
    if ("all".equals(parameters.text("limit"))) {
      return -1;
    }
    try {
      return parameters.whole("limit", MAX_LIMIT, 1, MAX_LIMIT);
    } catch (ClientError e) {
      throw parameters.invalid(e.getMessage() + "; use limit=all to stream every view");
    }
  }

  /** The cursor of {@code X-Next-Cursor}: base64url of {@code <epoch micros>:<session id>}. */
  private static Views.Cursor cursor(WistiaParameters parameters, String value) {
    if (value == null) {
      return null;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      long micros = Long.parseLong(decoded.substring(0, colon));
      String session = decoded.substring(colon + 1);
      if (session.isEmpty()) {
        throw new IllegalArgumentException("no session");
      }
      return new Views.Cursor(
          Instant.EPOCH
              .plusSeconds(Math.floorDiv(micros, 1_000_000L))
              .plusNanos(Math.floorMod(micros, 1_000_000L) * 1000),
          session);
    } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
      throw parameters.invalid(
          "cursor is not one this server gave out (take it from the X-Next-Cursor header)");
    }
  }

  static String cursorOf(Views.Cursor position) {
    Instant at = position.firstAt();
    long micros =
        Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((micros + ":" + position.sessionId()).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A page of views (a finite limit: at most 1000), read before anything is written so that, when
   * it is full, the next page's cursor goes in the headers ({@code X-Next-Cursor}, and a {@code
   * Link} with {@code rel="next"}); null for {@code limit=all}, which streams as it reads.
   */
  private List<Views.View> page(Context ctx, Request request) throws StoreException, IOException {
    if (request.limit() < 0) {
      return null;
    }
    List<Views.View> page = new ArrayList<>();
    request.stream(views, page::add);
    if (page.size() == request.limit()) {
      String next = cursorOf(page.get(page.size() - 1).position());
      ctx.header("X-Next-Cursor", next);
      StringBuilder link = new StringBuilder(ctx.path()).append("?cursor=").append(next);
      ctx.queryParamMap()
          .forEach(
              (name, values) -> {
                if (!name.equals("cursor") && !name.equals("offset")) {
                  values.forEach(
                      value ->
                          link.append('&')
                              .append(name)
                              .append('=')
                              .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
                }
              });
      ctx.header("Link", "<" + link + ">; rel=\"next\"");
    }
    return page;
  }

  /** Sends the page's views, or with none read ({@code limit=all}) every view as it is read. */
  private void emit(Request request, List<Views.View> page, Views.Sink sink)
      throws StoreException, IOException {
    if (page == null) {
      request.stream(views, sink);
      return;
    }
    for (Views.View view : page) {
      sink.accept(view);
    }
  }

  private static OutputStream buffered(OutputStream out) {
    return new BufferedOutputStream(out, 1 << 16);
  }
}
