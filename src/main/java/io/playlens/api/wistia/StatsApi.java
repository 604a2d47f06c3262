package io.playlens.api.wistia;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.playlens.account.Media;
import io.playlens.account.MetadataStore;
import io.playlens.account.Principal;
import io.playlens.account.Project;
import io.playlens.api.Guard;
import io.playlens.query.Analytics;
import io.playlens.query.Filters;
import io.playlens.query.Grouping;
import io.playlens.query.Scope;
import io.playlens.query.TimeBuckets;
import io.playlens.query.Views;
import io.playlens.query.WistiaStats;
import io.playlens.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wistia's current Stats API under {@code /v1/stats} (JSON; a {@code .json} suffix is accepted):
 * the account's and a media's figures, per day, a media's engagement graph, and its views as
 * events. Figures cover the data kept (the account's retention; the sandbox's 24 hours) and are the
 * api.video figures of the same sessions: loads are impressions, plays are plays, hours watched the
 * watch time.
 */
public final class StatsApi {
  /** Wistia's paging: {@code per_page} up to 100, 10 by default. */
  static final int MAX_PER_PAGE = 100;

  static final int DEFAULT_PER_PAGE = 10;

  /** Engagement arrays of longer media are shrunk to this many cells. */
  static final int ENGAGEMENT_CELLS = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MetadataStore metadata;
  private final Analytics queries;
  private final Clock clock;

  public StatsApi(MetadataStore metadata, Analytics queries, Clock clock) {
    this.metadata = requireNonNull(metadata, "metadata is null");
    this.queries = requireNonNull(queries, "queries is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** The routes, each with and without {@code .json}. */
  public void register(RoutesConfig routes) {
    for (String suffix : List.of("", ".json")) {
      routes.get("/v1/stats/account" + suffix, this::account);
      routes.get("/v1/stats/account/by_date" + suffix, this::accountByDate);
      routes.get("/v1/stats/events" + suffix, this::events);
      routes.get("/v1/stats/visitors" + suffix, this::visitors);
    }
    // Ids cannot hold a dot, so a ".json" ending is the suffix (see id()).
    routes.get("/v1/stats/projects/{id}", this::project);
    routes.get("/v1/stats/medias/{id}", this::media);
    routes.get("/v1/stats/medias/{id}/by_date", this::mediaByDate);
    routes.get("/v1/stats/medias/{id}/by_date.json", this::mediaByDate);
    routes.get("/v1/stats/medias/{id}/engagement", this::engagement);
    routes.get("/v1/stats/medias/{id}/engagement.json", this::engagement);
    routes.get("/v1/stats/events/{key}", this::event);
    routes.get("/v1/stats/visitors/{key}", this::visitor);
  }

  private static String id(Context ctx, String name) {
    String value = ctx.pathParam(name);
    return value.endsWith(".json") ? value.substring(0, value.length() - 5) : value;
  }

  /** The route's parameters, refused (422) unless among {@code allowed}. */
  private static WistiaParameters parameters(Context ctx, String... allowed) {
    return new WistiaParameters(ctx, 422, Set.of(allowed));
  }

  /** The data the principal sees: from the start of its retention window to now. */
  private Scope visible(Principal principal, Filters filters) {
    Instant now = clock.instant();
    return new Scope(
        principal.accountKey(),
        principal.environment().wireName(),
        principal.earliestVisible(now),
        now.plusSeconds(1),
        filters);
  }

  public void account(Context ctx) throws StoreException {
    parameters(ctx);
    Principal principal = Guard.principal(ctx);
    WistiaStats.Figures figures = queries.figures(visible(principal, readable(principal)), null);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("load_count", figures.loads());
    body.put("play_count", figures.plays());
    body.put("hours_watched", figures.hoursWatched());
    ctx.json(body);
  }

  public void media(Context ctx) throws StoreException {
    parameters(ctx);
    Principal principal = Guard.principal(ctx);
    Media media = WistiaAccess.media(metadata, principal, id(ctx, "id"));
    WistiaStats.Figures figures =
        queries.figures(visible(principal, Filters.ofMedia(List.of(media.id()))), media.duration());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("load_count", figures.loads());
    body.put("play_count", figures.plays());
    body.put("play_rate", figures.playRate());
    body.put("hours_watched", figures.hoursWatched());
    body.put("engagement", figures.engagement());
    body.put("visitors", figures.visitors());
    body.put("actions", List.of()); // the Playlens tracker reports no calls to action
    ctx.json(body);
  }

  /**
   * A project's figures: those of its media together (the ones this user may read), and how many
   * media it holds.
   */
  public void project(Context ctx) throws StoreException {
    parameters(ctx);
    Principal principal = Guard.principal(ctx);
    Project project =
        metadata.project(principal.accountKey(), id(ctx, "id")).orElseThrow(WistiaAccess::notFound);
    List<String> media = project.media().stream().filter(principal::canRead).toList();
    WistiaStats.Figures figures =
        media.isEmpty() // no filter would mean every media: nothing to count instead
            ? new WistiaStats.Figures(0, 0, 0, 0, 0)
            : queries.figures(visible(principal, Filters.ofMedia(media)), null);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("load_count", figures.loads());
    body.put("play_count", figures.plays());
    body.put("hours_watched", figures.hoursWatched());
    body.put("number_of_videos", media.size());
    ctx.json(body);
  }

  public void accountByDate(Context ctx) throws StoreException {
    byDate(ctx, parameters(ctx, "start_date", "end_date"), readable(Guard.principal(ctx)));
  }

  public void mediaByDate(Context ctx) throws StoreException {
    WistiaParameters parameters = parameters(ctx, "start_date", "end_date");
    Media media = WistiaAccess.media(metadata, Guard.principal(ctx), id(ctx, "id"));
    byDate(ctx, parameters, Filters.ofMedia(List.of(media.id())));
  }

  /**
   * One entry per day of [start_date, end_date] (default yesterday to today) in the account's zone.
   */
  private void byDate(Context ctx, WistiaParameters parameters, Filters filters)
      throws StoreException {
    Principal principal = Guard.principal(ctx);
    ZoneId zone = principal.account().timeZone();
    LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
    LocalDate start = parameters.date("start_date", today.minusDays(1));
    LocalDate end = parameters.date("end_date", today);
    if (start.isAfter(end)) {
      throw parameters.invalid("start_date " + start + " is after end_date " + end);
    }
    if (start.plusDays(3660).isBefore(end)) {
      throw parameters.invalid("a date range spans at most ten years");
    }
    Instant from = start.atStartOfDay(zone).toInstant();
    Instant to = end.plusDays(1).atStartOfDay(zone).toInstant();
    List<Instant> starts = TimeBuckets.starts(from, to, TimeBuckets.Interval.DAY, zone);
    Grouping.Over days = new Grouping.Over(starts);
    // Days before the data kept are listed with zeros, as the other figures do not count them.
    Instant earliest = principal.earliestVisible(clock.instant());
    Map<String, Long> loads = Map.of();
    Map<String, Long> plays = Map.of();
    Map<String, Double> watched = Map.of();
    if (earliest.isBefore(to)) {
      Scope scope =
          new Scope(
              principal.accountKey(),
              principal.environment().wireName(),
              from.isBefore(earliest) ? earliest : from,
              to,
              filters);
      loads = queries.count(scope, "impression", days);
      plays = queries.count(scope, "play", days);
      watched = queries.watchTime(scope, days);
    }
    List<Map<String, Object>> body = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      String key = Integer.toString(i);
      Map<String, Object> day = new LinkedHashMap<>();
      day.put("date", LocalDate.ofInstant(starts.get(i), zone).toString());
      day.put("load_count", loads.getOrDefault(key, 0L));
      day.put("play_count", plays.getOrDefault(key, 0L));
      day.put("hours_watched", watched.getOrDefault(key, 0.0) / 3600);
      body.add(day);
    }
    ctx.json(body);
  }

  /**
   * The media's engagement graph over the data kept: plays per second ({@code engagement_data}),
   * replays by the same session ({@code rewatch_data}), and the mean share watched.
   */
  public void engagement(Context ctx) throws StoreException {
    parameters(ctx);
    Principal principal = Guard.principal(ctx);
    Media media = WistiaAccess.media(metadata, principal, id(ctx, "id"));
    Scope scope = visible(principal, Filters.ofMedia(List.of(media.id())));
    WistiaStats.Engagement graph =
        queries.engagement(
            scope.account(),
            scope.environment(),
            media.id(),
            null,
            scope.from(),
            scope.to(),
            seconds(media.duration()));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("engagement", queries.meanShareWatched(scope, media.duration()));
    body.put("engagement_data", WistiaStats.scaled(graph.plays(), ENGAGEMENT_CELLS));
    body.put("rewatch_data", WistiaStats.scaled(graph.replays(), ENGAGEMENT_CELLS));
    ctx.json(body);
  }

  /** The media's length in whole seconds, at most {@link WistiaStats#MAX_SECONDS}. */
  private static Integer seconds(Double duration) {
    return duration == null
        ? null
        : (int) Math.min(WistiaStats.MAX_SECONDS, (long) Math.ceil(duration));
  }

  /** Views as events, newest first: {@code media_id}, {@code visitor_key}, dates, paging. */
  public void events(Context ctx) throws StoreException, java.io.IOException {
    WistiaParameters parameters =
        parameters(ctx, "media_id", "visitor_key", "page", "per_page", "start_date", "end_date");
    Principal principal = Guard.principal(ctx);
    String mediaId = parameters.text("media_id");
    Media media = mediaId == null ? null : WistiaAccess.media(metadata, principal, mediaId);
    if (mediaId == null && principal.user() != null && !principal.user().media().isEmpty()) {
      throw parameters.invalid(
          "media_id is required: this user reads only some media of the account");
    }
    long perPage = parameters.whole("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE);
    long page = parameters.whole("page", 1, 1, Long.MAX_VALUE / MAX_PER_PAGE);
    Instant now = clock.instant();
    WistiaParameters.Range range =
        parameters.range(principal.account().timeZone(), principal.earliestVisible(now), now);
    ArrayNode body = JSON.createArrayNode();
    if (!range.isEmpty()) {
      Views.Selection selection =
          new Views.Selection(
              principal.accountKey(),
              principal.environment().wireName(),
              mediaId,
              parameters.text("visitor_key"),
              null,
              range.from(),
              range.to(),
              false);
      queries.listViews(
          selection,
          Views.Format.JSON,
          media == null ? null : media.duration(),
          media == null ? null : media.name(),
          null,
          (page - 1) * perPage,
          perPage,
          view -> body.add(JSON.readTree(view.utf8())));
    }
    ctx.json(body);
  }

  /** One view with its own heatmap: how many times the session played each second. */
  public void event(Context ctx) throws StoreException, java.io.IOException {
    parameters(ctx);
    Principal principal = Guard.principal(ctx);
    Instant now = clock.instant();
    Views.Selection selection =
        new Views.Selection(
            principal.accountKey(),
            principal.environment().wireName(),
            null,
            null,
            id(ctx, "key"),
            principal.earliestVisible(now),
            now.plusSeconds(1),
            false);
    List<ObjectNode> found = new ArrayList<>();
    queries.listViews(
        selection,
        Views.Format.JSON,
        null,
        null,
        null,
        0,
        1,
        view -> found.add((ObjectNode) JSON.readTree(view.utf8())));
    if (found.isEmpty()) {
      throw WistiaAccess.notFound();
    }
    ObjectNode event = found.get(0);
    Media media = WistiaAccess.media(metadata, principal, event.get("media_id").asText());
    event.put(
        "media_name", media.name() != null ? media.name() : event.path("media_name").asText(null));
    WistiaStats.Engagement heatmap =
        queries.engagement(
            selection.account(),
            selection.environment(),
            media.id(),
            selection.sessionId(),
            selection.from(),
            selection.to(),
            seconds(media.duration()));
    ArrayNode cells = event.putArray("heatmap");
    for (long plays : WistiaStats.scaled(heatmap.plays(), ENGAGEMENT_CELLS)) {
      cells.add(plays);
    }
    ctx.json(event);
  }

  /**
   * Visitors, most recently active first: {@code page}/{@code per_page}, {@code filter} ({@code
   * has_email}, or {@code has_name}: Playlens learns no names, so none), {@code search}.
   */
  public void visitors(Context ctx) throws StoreException, java.io.IOException {
    WistiaParameters parameters = parameters(ctx, "page", "per_page", "filter", "search");
    Principal principal = Guard.principal(ctx);
    String filter = parameters.text("filter");
    if (filter != null && !filter.equals("has_name") && !filter.equals("has_email")) {
      throw parameters.invalid("filter must be has_name or has_email (got '" + filter + "')");
    }
    long perPage = parameters.whole("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE);
    long page = parameters.whole("page", 1, 1, Long.MAX_VALUE / MAX_PER_PAGE);
    String search = parameters.text("search");
    if (search != null && search.length() > 200) {
      throw parameters.invalid("search is at most 200 characters");
    }
    ArrayNode body = JSON.createArrayNode();
    for (String visitor :
        queries.visitors(
            visible(principal, readable(principal)),
            null,
            search,
            "has_email".equals(filter),
            "has_name".equals(filter),
            (page - 1) * perPage,
            perPage)) {
      body.add(JSON.readTree(visitor));
    }
    ctx.json(body);
  }

  public void visitor(Context ctx) throws StoreException, java.io.IOException {
    parameters(ctx);
    Principal principal = Guard.principal(ctx);
    List<String> found =
        queries.visitors(
            visible(principal, readable(principal)), id(ctx, "key"), null, false, false, 0, 1);
    if (found.isEmpty()) {
      throw WistiaAccess.notFound();
    }
    ctx.json(JSON.readTree(found.get(0)));
  }

  /** A user limited to some media sees visitors through those media only. */
  private static Filters readable(Principal principal) {
    if (principal.user() == null || principal.user().media().isEmpty()) {
      return Filters.NONE;
    }
    return Filters.ofMedia(principal.user().media());
  }
}
