package io.playlens.api.apivideo;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.playlens.account.Principal;
import io.playlens.api.Guard;
import io.playlens.query.Analytics;
import io.playlens.query.Dimension;
import io.playlens.query.Filters;
import io.playlens.query.Grouping;
import io.playlens.query.Scope;
import io.playlens.query.TimeBuckets;
import io.playlens.server.ClientError;
import io.playlens.server.ClientError.Code;
import io.playlens.server.ClientError.FieldError;
import io.playlens.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * api.video's analytics routes: {@code /data/metrics/{metric}/{aggregation}} (one number), {@code
 * /data/buckets/{metric}/{breakdown}} (one per dimension value) and {@code
 * /data/timeseries/{metric}} (one per time bucket). Parameters are parsed here into typed values,
 * with api.video's error bodies and wording; the numbers come from {@link Queries}.
 */
public final class AnalyticsApi {
  private static final DateTimeFormatter WIRE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx", Locale.ROOT);
  private static final Pattern FILTER = Pattern.compile("filterBy\\[([A-Za-z]+)](\\[\\d*])?");
  private static final Map<String, Set<String>> AGGREGATIONS =
      Map.of(
          "play", Set.of("count", "rate", "total"),
          "start", Set.of("count"),
          "end", Set.of("count"),
          "impression", Set.of("count"),
          "impression-time", Set.of("average", "sum"),
          "watch-time", Set.of("average", "sum"),
          "ccv", Set.of("peak", "live"),
          "view", Set.of("count"),
          // Playlens' own, for the dashboard: the mean share of the media each play watched (0–1)
          "percent-viewed", Set.of("average"));
  private static final Set<String> CONTINENTS = Set.of("AS", "AF", "NA", "SA", "AN", "EU", "AZ");
  private static final Set<String> DEVICE_TYPES =
      Set.of("computer", "phone", "tablet", "tv", "console", "wearable", "unknown");
  private static final Set<String> VIEW_DURATIONS = Set.of("3s", "5s", "10s", "30s");

  private final Analytics queries;
  private final Clock clock;

  public AnalyticsApi(Analytics queries, Clock clock) {
    this.queries = requireNonNull(queries, "queries is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  private static ClientError parameter(String name, String detail) {
    return new ClientError(
        400, Code.INVALID_QUERY_PARAMETER, detail, List.of(new FieldError(name, detail)));
  }

  private static ClientError attribute(String name, String detail) {
    return new ClientError(
        400, Code.INVALID_REQUEST, detail, List.of(new FieldError(name, detail)));
  }

  public void metrics(Context ctx) throws StoreException {
    Principal principal = Guard.principal(ctx);
    String metric = ctx.pathParam("metric");
    String aggregation = ctx.pathParam("aggregation");
    Set<String> aggregations = AGGREGATIONS.get(metric);
    if (aggregations == null) {
      throw attribute(
          "metric",
          "This value is not valid. Use one of \"play\", \"start\", \"end\", \"impression\","
              + " \"impression-time\", \"watch-time\", \"ccv\", \"view\".");
    }
    if (!aggregations.contains(aggregation)) {
      throw attribute(
          "aggregation",
          "This aggregation is not valid for "
              + metric
              + ". Use one of "
              + quoted(aggregations)
              + ".");
    }
    boolean view = metric.equals("view");
    boolean total = metric.equals("play") && aggregation.equals("total");
    Common common =
        common(ctx, principal, view || metric.equals("ccv"), view, Set.of(), total, total);
    Scope scope = common.scope();
    Object data =
        switch (metric + "/" + aggregation) {
          case "play/total" ->
              queries
                  .playTotals(scope.account(), scope.environment(), scope.filters())
                  .values()
                  .stream()
                  .mapToLong(Long::longValue)
                  .sum();
          case "play/rate" -> {
            long impressions = queries.count(scope, "impression");
            yield impressions == 0 ? 0.0 : (double) queries.count(scope, "play") / impressions;
          }
          case "impression-time/average" -> queries.startup(scope).average();
          case "impression-time/sum" -> (long) queries.startup(scope).sum();
          case "watch-time/average" -> queries.watchTime(scope).average();
          case "watch-time/sum" -> queries.watchTime(scope).sum();
          case "view/count" -> queries.views(scope, common.viewSeconds(), common.unique());
          case "percent-viewed/average" -> queries.meanShareWatched(scope, null);
          case "ccv/peak" ->
              queries
                  .concurrency(scope, common.unique(), Grouping.WHOLE_SCOPE)
                  .getOrDefault(Grouping.WHOLE, Analytics.Concurrency.NONE)
                  .peak();
          case "ccv/live" ->
              queries.concurrentNow(
                  scope.account(),
                  scope.environment(),
                  scope.filters(),
                  common.unique(),
                  clock.instant());
          default -> queries.count(scope, metric);
        };
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("metric", common.contextMetric(metric));
    context.put("aggregation", aggregation);
    context.put("timeframe", timeframe(scope));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("context", context);
    body.put("data", data);
    ctx.json(body);
  }

  /** The parameters every /data route shares, checked and typed. */
  private record Common(Scope scope, boolean unique, int viewSeconds, boolean viewDurationGiven) {
    /** api.video's composite name: {@code unique-view-10}, {@code view-3}, {@code unique-ccv}. */
    String contextMetric(String metric) {
      return (unique ? "unique-" : "") + metric + (viewDurationGiven ? "-" + viewSeconds : "");
    }
  }

  /**
   * Reads {@code from}, {@code to}, {@code filterBy[...]}, and {@code unique} / {@code
   * viewDuration} where the metric takes them; any other parameter but {@code extra} is refused.
   */
  private Common common(
      Context ctx,
      Principal principal,
      boolean takesUnique,
      boolean takesViewDuration,
      Set<String> extra,
      boolean timeIgnored,
      boolean mediaFiltersOnly) {
    Map<String, List<String>> query = ctx.queryParamMap();
    for (String name : query.keySet()) {
      boolean known =
          name.equals("from")
              || name.equals("to")
              || name.startsWith("filterBy[")
              || extra.contains(name)
              || (name.equals("unique") && takesUnique)
              || (name.equals("viewDuration") && takesViewDuration);
      if (!known) {
        throw parameter(name, "This field was not expected.");
      }
    }
    String viewDuration = ctx.queryParam("viewDuration");
    if (viewDuration != null && !VIEW_DURATIONS.contains(viewDuration)) {
      throw parameter(
          "viewDuration",
          "This view duration is invalid. Use one of \"3s\", \"5s\", \"10s\", \"30s\".");
    }
    Instant now = clock.instant();
    Instant to = time(ctx, "to", now);
    Instant from = time(ctx, "from", to.minus(Duration.ofDays(1)));
    if (timeIgnored && !from.isBefore(to)) {
      from = to.minus(Duration.ofDays(1)); // all-time figures ignore from and to
    }
    if (!from.isBefore(to)) {
      throw parameter("from", "This value should be earlier than \"to\".");
    }
    Instant earliest = principal.earliestVisible(now);
    if (!timeIgnored && from.isBefore(earliest)) {
      throw parameter(
          "from",
          "This value is outside the data retention window: use a date after "
              + WIRE_TIME.format(earliest.atOffset(ZoneOffset.UTC))
              + ".");
    }
    // A dashboard user limited to some media reads those only.
    Filters filters =
        filters(query, mediaFiltersOnly)
            .within(principal.user() == null ? List.of() : principal.user().media());
    String uniqueValue = ctx.queryParam("unique");
    if (uniqueValue != null && !uniqueValue.equals("true") && !uniqueValue.equals("false")) {
      throw parameter("unique", "This value should be of type bool.");
    }
    Scope scope =
        new Scope(principal.accountKey(), principal.environment().wireName(), from, to, filters);
    return new Common(
        scope,
        "true".equals(uniqueValue),
        Integer.parseInt((viewDuration == null ? "5s" : viewDuration).replace("s", "")),
        viewDuration != null);
  }

  private static Map<String, Object> timeframe(Scope scope) {
    Map<String, Object> timeframe = new LinkedHashMap<>();
    timeframe.put("from", WIRE_TIME.format(scope.from().atOffset(ZoneOffset.UTC)));
    timeframe.put("to", WIRE_TIME.format(scope.to().atOffset(ZoneOffset.UTC)));
    return timeframe;
  }

  private static final Set<String> BUCKET_METRICS =
      Set.of(
          "play",
          "play-rate",
          "play-total",
          "start",
          "end",
          "impression",
          "ccv-peak",
          "ccv-average",
          "view");

  /** {@code GET /data/buckets/{metric}/{breakdown}}: one number per dimension value, paginated. */
  public void buckets(Context ctx) throws StoreException {
    Principal principal = Guard.principal(ctx);
    String metric = ctx.pathParam("metric");
    if (!BUCKET_METRICS.contains(metric)) {
      throw attribute(
          "metric", "This value is not valid. Use one of " + quoted(BUCKET_METRICS) + ".");
    }
    Dimension dimension =
        Dimension.parse(ctx.pathParam("breakdown"))
            .orElseThrow(
                () ->
                    attribute(
                        "breakdown",
                        "This value is not valid. Use one of \"media-id\", \"media-type\","
                            + " \"continent\", \"country\", \"device-type\","
                            + " \"operating-system\", \"browser\", \"referrer\"."));
    boolean total = metric.equals("play-total");
    if (total && dimension != Dimension.MEDIA_ID) {
      throw attribute("breakdown", "The play-total metric can only be broken down by media-id.");
    }
    boolean view = metric.equals("view");
    Common common =
        common(
            ctx,
            principal,
            view || metric.startsWith("ccv"),
            view,
            Set.of("sortBy", "sortOrder", "currentPage", "pageSize"),
            total,
            total);
    String sortBy = choice(ctx, "sortBy", "metricValue", Set.of("metricValue", "dimensionValue"));
    String sortOrder = choice(ctx, "sortOrder", "desc", Set.of("asc", "desc"));
    int currentPage = number(ctx, "currentPage", 1, 1, Integer.MAX_VALUE);
    int pageSize = number(ctx, "pageSize", 25, 1, 100);
    Scope scope = common.scope();
    Map<String, Number> values =
        total
            ? new LinkedHashMap<>(
                queries.playTotals(scope.account(), scope.environment(), scope.filters()))
            : values(metric, common, new Grouping.By(dimension));
    Comparator<Map.Entry<String, Number>> order =
        sortBy.equals("dimensionValue")
            ? Map.Entry.comparingByKey()
            : Comparator.comparingDouble(
                (Map.Entry<String, Number> entry) -> entry.getValue().doubleValue());
    if (sortOrder.equals("desc")) {
      order = order.reversed();
    }
    List<Map.Entry<String, Number>> sorted =
        values.entrySet().stream().sorted(order.thenComparing(Map.Entry.comparingByKey())).toList();
    List<Map<String, Object>> data = new ArrayList<>();
    for (Map.Entry<String, Number> entry : page(sorted, currentPage, pageSize)) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("dimensionValue", entry.getKey());
      item.put("metricValue", entry.getValue());
      data.add(item);
    }
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("metric", common.contextMetric(metric));
    context.put("breakdown", dimension.wireName());
    context.put("timeframe", timeframe(scope));
    respond(ctx, context, data, currentPage, pageSize, sorted.size());
  }

  private static final Set<String> TIMESERIES_METRICS =
      Set.of("play", "play-rate", "start", "end", "impression", "ccv-peak", "ccv-average", "view");

  /** The longest timeframe the minute interval takes. */
  static final Duration MINUTE_LIMIT = Duration.ofMinutes(60);

  /** The longest timeframe whose default interval is the hour; longer ones default to the day. */
  static final Duration HOURLY_DEFAULT_LIMIT = Duration.ofDays(2);

  /**
   * {@code GET /data/timeseries/{metric}}: one number per minute, hour or day of the account's time
   * zone, every bucket of the timeframe listed (zero when nothing happened), paginated.
   */
  public void timeseries(Context ctx) throws StoreException {
    Principal principal = Guard.principal(ctx);
    String metric = ctx.pathParam("metric");
    if (!TIMESERIES_METRICS.contains(metric)) {
      throw attribute(
          "metric", "This value is not valid. Use one of " + quoted(TIMESERIES_METRICS) + ".");
    }
    boolean view = metric.equals("view");
    Common common =
        common(
            ctx,
            principal,
            view || metric.startsWith("ccv"),
            view,
            Set.of("interval", "sortBy", "sortOrder", "currentPage", "pageSize"),
            false,
            false);
    Scope scope = common.scope();
    Duration span = Duration.between(scope.from(), scope.to());
    String interval = ctx.queryParam("interval");
    if (interval == null) {
      interval = span.compareTo(HOURLY_DEFAULT_LIMIT) <= 0 ? "hour" : "day";
    } else if (!Set.of("minute", "hour", "day").contains(interval)) {
      throw parameter(
          "interval", "This interval is invalid. Use one of \"minute\", \"hour\", \"day\".");
    } else if (interval.equals("minute") && span.compareTo(MINUTE_LIMIT) > 0) {
      throw parameter("interval", "This interval cannot be used with a timeframe over 60 minutes.");
    }
    String sortBy = choice(ctx, "sortBy", "emittedAt", Set.of("metricValue", "emittedAt"));
    String sortOrder = choice(ctx, "sortOrder", "asc", Set.of("asc", "desc"));
    int currentPage = number(ctx, "currentPage", 1, 1, Integer.MAX_VALUE);
    int pageSize = number(ctx, "pageSize", 25, 1, 100);
    ZoneId zone = principal.account().timeZone();
    List<Instant> starts =
        TimeBuckets.starts(
            scope.from(),
            scope.to(),
            TimeBuckets.Interval.valueOf(interval.toUpperCase(Locale.ROOT)),
            zone);
    Map<String, Number> values = values(metric, common, new Grouping.Over(starts));
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      indexes.add(i);
    }
    Comparator<Integer> order =
        sortBy.equals("emittedAt")
            ? Comparator.naturalOrder()
            : Comparator.comparingDouble(
                (Integer i) -> values.getOrDefault(Integer.toString(i), 0).doubleValue());
    if (sortOrder.equals("desc")) {
      order = order.reversed();
    }
    List<Integer> sorted = indexes.stream().sorted(order.thenComparing(i -> i)).toList();
    List<Map<String, Object>> data = new ArrayList<>();
    for (int i : page(sorted, currentPage, pageSize)) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("emittedAt", WIRE_TIME.format(starts.get(i).atZone(zone)));
      item.put("metricValue", values.getOrDefault(Integer.toString(i), 0));
      data.add(item);
    }
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("metric", common.contextMetric(metric));
    context.put("interval", interval);
    context.put("timeframe", timeframe(scope));
    respond(ctx, context, data, currentPage, pageSize, sorted.size());
  }

  /**
   * The numbers of a bucket or timeseries metric per group (play-rate as a fraction, concurrent
   * viewers as peak or time-weighted average); groups where nothing happened are absent.
   */
  private Map<String, Number> values(String metric, Common common, Grouping grouping)
      throws StoreException {
    Scope scope = common.scope();
    Map<String, Number> values = new LinkedHashMap<>();
    switch (metric) {
      case "play-rate" -> {
        Map<String, Long> impressions = queries.count(scope, "impression", grouping);
        Map<String, Long> plays = queries.count(scope, "play", grouping);
        impressions.forEach(
            (value, count) ->
                values.put(
                    value, count == 0 ? 0.0 : (double) plays.getOrDefault(value, 0L) / count));
      }
      case "view" ->
          values.putAll(queries.views(scope, common.viewSeconds(), common.unique(), grouping));
      case "ccv-peak" ->
          queries
              .concurrency(scope, common.unique(), grouping)
              .forEach((value, concurrency) -> values.put(value, concurrency.peak()));
      case "ccv-average" ->
          queries
              .concurrency(scope, common.unique(), grouping)
              .forEach((value, concurrency) -> values.put(value, concurrency.average()));
      default -> values.putAll(queries.count(scope, metric, grouping));
    }
    return values;
  }

  private static <T> List<T> page(List<T> sorted, int currentPage, int pageSize) {
    long first = (long) (currentPage - 1) * pageSize;
    if (first >= sorted.size()) {
      return List.of();
    }
    return sorted.subList((int) first, (int) Math.min(sorted.size(), first + pageSize));
  }

  private static void respond(
      Context ctx,
      Map<String, Object> context,
      List<Map<String, Object>> data,
      int currentPage,
      int pageSize,
      int itemsTotal) {
    int pagesTotal = Math.max(1, (itemsTotal + pageSize - 1) / pageSize);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("context", context);
    body.put("data", data);
    body.put(
        "pagination", pagination(ctx, currentPage, pageSize, data.size(), itemsTotal, pagesTotal));
    ctx.json(body);
  }

  /** api.video's pagination object, its links keeping every other parameter of the request. */
  private static Map<String, Object> pagination(
      Context ctx, int currentPage, int pageSize, int items, int itemsTotal, int pagesTotal) {
    Map<String, Object> pagination = new LinkedHashMap<>();
    pagination.put("currentPage", currentPage);
    pagination.put("currentPageItems", items);
    pagination.put("pageSize", pageSize);
    pagination.put("pagesTotal", pagesTotal);
    pagination.put("itemsTotal", itemsTotal);
    List<Map<String, String>> links = new ArrayList<>();
    links.add(link("self", ctx, currentPage, pageSize));
    links.add(link("first", ctx, 1, pageSize));
    if (currentPage > 1) {
      links.add(link("previous", ctx, Math.min(currentPage - 1, pagesTotal), pageSize));
    }
    if (currentPage < pagesTotal) {
      links.add(link("next", ctx, currentPage + 1, pageSize));
    }
    links.add(link("last", ctx, pagesTotal, pageSize));
    pagination.put("links", links);
    return pagination;
  }

  private static Map<String, String> link(String rel, Context ctx, int page, int pageSize) {
    StringBuilder uri = new StringBuilder(ctx.path()).append('?');
    for (Map.Entry<String, List<String>> entry : ctx.queryParamMap().entrySet()) {
      if (entry.getKey().equals("currentPage") || entry.getKey().equals("pageSize")) {
        continue;
      }
      for (String value : entry.getValue()) {
        uri.append(
                java.net.URLEncoder.encode(entry.getKey(), java.nio.charset.StandardCharsets.UTF_8))
            .append('=')
            .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8))
            .append('&');
      }
    }
    uri.append("currentPage=").append(page).append("&pageSize=").append(pageSize);
    Map<String, String> link = new LinkedHashMap<>();
    link.put("rel", rel);
    link.put("uri", uri.toString());
    return link;
  }

  private static String choice(Context ctx, String name, String fallback, Set<String> allowed) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    if (!allowed.contains(value)) {
      throw parameter(name, "This value is not valid. Use one of " + quoted(allowed) + ".");
    }
    return value;
  }

  private static int number(Context ctx, String name, int fallback, int min, int max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      int number = Integer.parseInt(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw parameter(
        name,
        max == Integer.MAX_VALUE
            ? "This value should be " + min + " or more."
            : "This value should be between " + min + " and " + max + ".");
  }

  private static Instant time(Context ctx, String name, Instant fallback) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      return OffsetDateTime.parse(value.replace(' ', '+')).toInstant();
    } catch (DateTimeParseException e) {
      throw parameter(name, "This value is not a valid datetime (ISO-8601 with an offset).");
    }
  }

  /** The media filters: all that all-time plays accept. */
  private static final Set<String> MEDIA_FILTERS = Set.of("mediaId", "mediaType");

  private static Filters filters(Map<String, List<String>> query, boolean mediaFiltersOnly) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> entry : query.entrySet()) {
      if (!entry.getKey().startsWith("filterBy[")) {
        continue;
      }
      Matcher matcher = FILTER.matcher(entry.getKey());
      if (!matcher.matches()) {
        throw parameter(entry.getKey(), "This field was not expected.");
      }
      values.computeIfAbsent(matcher.group(1), k -> new ArrayList<>()).addAll(entry.getValue());
    }
    List<String> media = new ArrayList<>();
    String mediaType = null;
    List<String> continents = new ArrayList<>();
    List<String> countries = new ArrayList<>();
    List<String> devices = new ArrayList<>();
    List<String> systems = new ArrayList<>();
    List<String> browsers = new ArrayList<>();
    String tag = null;
    List<String> referrers = new ArrayList<>();
    for (Map.Entry<String, List<String>> entry : values.entrySet()) {
      String name = "filterBy[" + entry.getKey() + "]";
      List<String> list = entry.getValue();
      if (mediaFiltersOnly && !MEDIA_FILTERS.contains(entry.getKey())) {
        throw parameter(name, "This field was not expected.");
      }
      switch (entry.getKey()) {
        case "mediaId" -> media.addAll(list);
        case "mediaType" -> {
          if (list.size() != 1 || !Set.of("video", "live-stream").contains(list.get(0))) {
            throw parameter(
                name, "This value is not valid. Use one of \"video\", \"live-stream\".");
          }
          mediaType = list.get(0);
        }
        case "continent" -> continents.addAll(oneOf(name, list, CONTINENTS));
        case "country" -> {
          for (String value : list) {
            if (!value.matches("[A-Z]{2}")) {
              throw parameter(name, "This value is not a valid country (ISO-3166 alpha-2).");
            }
          }
          countries.addAll(list);
        }
        case "deviceType" -> devices.addAll(oneOf(name, list, DEVICE_TYPES));
        case "operatingSystem" -> systems.addAll(list);
        case "browser" -> browsers.addAll(list);
        case "tag" -> {
          if (list.size() != 1) {
            throw parameter(name, "This filter takes one value.");
          }
          tag = list.get(0);
        }
        case "referrer" -> {
          for (String value : list) {
            if (value.length() > 2048) {
              throw parameter(name, "This value should not contain more than 2048 characters.");
            }
          }
          referrers.addAll(list);
        }
        default -> throw parameter(name, "This field was not expected.");
      }
    }
    return new Filters(
        media, mediaType, continents, countries, devices, systems, browsers, tag, referrers);
  }

  /** The filter's values, each checked against its allowed ones. */
  private static List<String> oneOf(String name, List<String> values, Set<String> allowed) {
    for (String value : values) {
      if (!allowed.contains(value)) {
        throw parameter(name, "This value is not valid. Use one of " + quoted(allowed) + ".");
      }
    }
    return values;
  }

  private static String quoted(Set<String> values) {
    return String.join(", ", values.stream().sorted().map(v -> "\"" + v + "\"").toList());
  }
}
