package io.playlens.api.apivideo;

import static io.playlens.TestServer.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /data/metrics/{metric}/{aggregation}} for the session counts, over sessions sent
 * through {@code /v1/collect} whose expected numbers are worked out by hand below.
 */
class MetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIREFOX =
      "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";

  @TempDir static Path dataDir;

  private static TestServer server;
  private static AccountAdmin.NewAccount tenant;
  private static String window;

  /**
   * Production, all today:
   *
   * <pre>
   * s1 intro   chrome  GB  impression play start(800 ms) end   referrer https://news.example/
   *                        watch 0-10, 5-20, 30-35: 25 s (the overlap counted once)
   * s2 intro   chrome  GB  impression play play(replay)        (no referrer)
   *                        watch 0-4: 4 s
   * s3 launch  firefox FR  impression                          tag "promo"
   * s4 launch  firefox FR  impression play start(1200 ms)      tag "promo", live-stream
   *                        watch 0-3: 3 s
   * </pre>
   *
   * Sandbox: s5 intro impression play, watch 0-100. Another account: s6 the same.
   */
  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            dataDir, config -> config.trustedProxies(List.of("127.0.0.1/32", "::1/128")));
    tenant = server.createAccount("tenant", "tenant password");
    String production = tenant.productionPlayerKey().key();
    send(
        production,
        "s1",
        "intro",
        null,
        "\"video\"",
        "81.2.69.142",
        TestServer.BROWSER,
        "https://news.example/",
        "impression",
        "play",
        "{\"type\":\"start\",\"startupMs\":800}",
        watch(0, 10),
        watch(5, 20),
        watch(30, 35),
        "end");
    send(
        production,
        "s2",
        "intro",
        null,
        "\"video\"",
        "81.2.69.142",
        TestServer.BROWSER,
        null,
        "impression",
        "play",
        "play",
        watch(0, 4));
    send(
        production, "s3", "launch", "promo", "\"video\"", "90.85.0.1", FIREFOX, null, "impression");
    send(
        production,
        "s4",
        "launch",
        "promo",
        "\"live-stream\"",
        "90.85.0.1",
        FIREFOX,
        null,
        "impression",
        "play",
        "{\"type\":\"start\",\"startupMs\":1200}",
        watch(0, 3));
    send(
        tenant.sandboxPlayerKey().key(),
        "s5",
        "intro",
        null,
        "\"video\"",
        "81.2.69.142",
        TestServer.BROWSER,
        null,
        "impression",
        "play",
        watch(0, 100));
    send(
        TestServer.KEY,
        "s6",
        "intro",
        null,
        "\"video\"",
        "81.2.69.142",
        TestServer.BROWSER,
        null,
        "impression",
        "play",
        watch(0, 100));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    window = "from=" + now.minusSeconds(3600) + "&to=" + now.plusSeconds(3600);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void send(
      String key,
      String session,
      String media,
      String tag,
      String type,
      String ip,
      String userAgent,
      String referrer,
      String... events) {
    StringBuilder list = new StringBuilder();
    for (String event : events) {
      list.append(list.isEmpty() ? "" : ",")
          .append(event.startsWith("{") ? event : "{\"type\":\"" + event + "\"}");
    }
    String body =
        "{\"key\":\"%s\",\"session\":\"%s\",\"media\":{\"id\":\"%s\",\"type\":%s%s},%s\"events\":[%s]}"
            .formatted(
                key,
                session,
                media,
                type,
                tag == null ? "" : ",\"tags\":[\"" + tag + "\"]",
                referrer == null ? "" : "\"page\":{\"referrer\":\"" + referrer + "\"},",
                list);
    HttpResponse<String> response =
        server.collect(body, "X-Forwarded-For", ip, "User-Agent", userAgent);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  private static String watch(int from, int to) {
    return "{\"type\":\"watch\",\"from\":" + from + ",\"to\":" + to + "}";
  }

  private static JsonNode metric(String path, String query) throws Exception {
    return answer("metrics/" + path, query);
  }

  /** A 200 from {@code /data/ROUTE} over the test's window, as the tenant's production key. */
  private static JsonNode answer(String route, String query) throws Exception {
    HttpResponse<String> response =
        server.get(
            "/data/" + route + "?" + window + (query.isEmpty() ? "" : "&" + query),
            basic(tenant.productionApiKey().secret(), ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static double value(String path, String query) throws Exception {
    return metric(path, query).path("data").asDouble();
  }

  @Test
  void eachCountIsOfSessionsOnceAndOnlyOfThisAccountAndEnvironment() throws Exception {
    assertThat(value("impression/count", "")).isEqualTo(4);
    assertThat(value("play/count", "")).isEqualTo(3); // s2's replay is not a second play
    assertThat(value("start/count", "")).isEqualTo(2);
    assertThat(value("end/count", "")).isEqualTo(1);
    assertThat(value("play/rate", "")).isEqualTo(0.75);
  }

  @Test
  void impressionTimeIsTheStartupOfSessionsThatRenderedAFrame() throws Exception {
    assertThat(value("impression-time/sum", "")).isEqualTo(2000);
    assertThat(value("impression-time/average", "")).isEqualTo(1000);
  }

  @Test
  void watchTimeIsTheUnionOfEachSessionsIntervals() throws Exception {
    assertThat(value("watch-time/sum", "")).isEqualTo(32);
    assertThat(value("watch-time/average", "")).isCloseTo(32.0 / 3, within(1e-9));
    assertThat(value("watch-time/sum", "filterBy[mediaId][]=intro")).isEqualTo(29);
  }

  @Test
  void aViewIsAPlayThatWatchedTheViewDuration() throws Exception {
    assertThat(value("view/count", "")).isEqualTo(1); // 5 s by default: s1 only
    assertThat(value("view/count", "viewDuration=3s")).isEqualTo(3);
    assertThat(value("view/count", "viewDuration=30s")).isZero();
    // s1 and s2 are one viewer (same user agent and IP, same day).
    assertThat(value("view/count", "viewDuration=3s&unique=true")).isEqualTo(2);
    assertThat(metric("view/count", "").path("context").path("metric").asText()).isEqualTo("view");
    assertThat(metric("view/count", "viewDuration=3s").path("context").path("metric").asText())
        .isEqualTo("view-3");
    assertThat(
            metric("view/count", "viewDuration=10s&unique=true")
                .path("context")
                .path("metric")
                .asText())
        .isEqualTo("unique-view-10");
  }

  @Test
  void filtersNarrowTheSessions() throws Exception {
    assertThat(value("play/count", "filterBy[mediaId][]=intro")).isEqualTo(2);
    assertThat(value("play/count", "filterBy[mediaId][]=intro&filterBy[mediaId][]=launch"))
        .isEqualTo(3);
    assertThat(value("play/count", "filterBy[mediaType]=live-stream")).isEqualTo(1);
    assertThat(value("impression/count", "filterBy[country][]=GB")).isEqualTo(2);
    assertThat(value("impression/count", "filterBy[country]=FR")).isEqualTo(2);
    assertThat(value("impression/count", "filterBy[continent][]=EU")).isEqualTo(4);
    assertThat(value("impression/count", "filterBy[browser][]=firefox")).isEqualTo(2);
    assertThat(value("impression/count", "filterBy[operatingSystem][]=linux")).isEqualTo(2);
    assertThat(value("impression/count", "filterBy[deviceType][]=computer")).isEqualTo(4);
    assertThat(value("impression/count", "filterBy[tag]=promo")).isEqualTo(2);
    assertThat(value("impression/count", "filterBy[tag]=Promo")).isZero(); // case-sensitive
    String referrer = URLEncoder.encode("https://news.example/", StandardCharsets.UTF_8);
    assertThat(value("impression/count", "filterBy[referrer][]=" + referrer)).isEqualTo(1);
    assertThat(value("impression/count", "filterBy[referrer][]=")).isEqualTo(3); // no referrer
    assertThat(value("play/rate", "filterBy[mediaId][]=launch")).isEqualTo(0.5);
  }

  @Test
  void theAnswerNamesTheMetricAndTheTimeframe() throws Exception {
    JsonNode answer = metric("play/count", "");

    assertThat(answer.path("context").path("metric").asText()).isEqualTo("play");
    assertThat(answer.path("context").path("aggregation").asText()).isEqualTo("count");
    assertThat(answer.path("context").path("timeframe").path("from").asText())
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+00:00");
    assertThat(answer.path("data").isIntegralNumber()).isTrue();
  }

  @Test
  void theSandboxKeyCountsTheSandboxOnly() throws Exception {
    HttpResponse<String> response =
        server.get(
            "/data/metrics/play/count?" + window, basic(tenant.sandboxApiKey().secret(), ""));

    assertThat(JSON.readTree(response.body()).path("data").asLong()).isEqualTo(1);
  }

  private static JsonNode buckets(String path, String query) throws Exception {
    return answer("buckets/" + path, query);
  }

  private static String pairs(JsonNode answer) {
    List<String> pairs = new java.util.ArrayList<>();
    answer
        .path("data")
        .forEach(
            item ->
                pairs.add(
                    item.path("dimensionValue").asText()
                        + "="
                        + item.path("metricValue").asText()));
    return String.join(" ", pairs);
  }

  @Test
  void bucketsCountPerDimensionValue() throws Exception {
    assertThat(pairs(buckets("play/country", ""))).isEqualTo("GB=2 FR=1");
    assertThat(pairs(buckets("impression/media-id", "sortBy=dimensionValue&sortOrder=asc")))
        .isEqualTo("intro=2 launch=2");
    assertThat(pairs(buckets("play-rate/media-id", "sortBy=dimensionValue&sortOrder=asc")))
        .isEqualTo("intro=1.0 launch=0.5");
    assertThat(pairs(buckets("view/browser", "viewDuration=3s"))).isEqualTo("chrome=2 firefox=1");
    assertThat(pairs(buckets("impression/referrer", ""))).isEqualTo("=3 https://news.example/=1");
    assertThat(pairs(buckets("start/media-type", "sortOrder=asc")))
        .isEqualTo("live-stream=1 video=1");
    assertThat(pairs(buckets("impression/country", "filterBy[browser][]=firefox")))
        .isEqualTo("FR=2");
    JsonNode context = buckets("view/browser", "viewDuration=3s&unique=true").path("context");
    assertThat(context.path("metric").asText()).isEqualTo("unique-view-3");
    assertThat(context.path("breakdown").asText()).isEqualTo("browser");
  }

  @Test
  void bucketsArePagedWithApiVideosPaginationAndLinks() throws Exception {
    JsonNode page =
        buckets(
            "impression/media-id", "sortBy=dimensionValue&sortOrder=asc&pageSize=1&currentPage=2");

    assertThat(pairs(page)).isEqualTo("launch=2");
    JsonNode pagination = page.path("pagination");
    assertThat(pagination.path("currentPage").asInt()).isEqualTo(2);
    assertThat(pagination.path("currentPageItems").asInt()).isEqualTo(1);
    assertThat(pagination.path("pageSize").asInt()).isEqualTo(1);
    assertThat(pagination.path("pagesTotal").asInt()).isEqualTo(2);
    assertThat(pagination.path("itemsTotal").asInt()).isEqualTo(2);
    List<String> rels = new java.util.ArrayList<>();
    pagination.path("links").forEach(link -> rels.add(link.path("rel").asText()));
    assertThat(rels).containsExactly("self", "first", "previous", "last");
    String first = pagination.path("links").get(1).path("uri").asText();
    assertThat(first)
        .startsWith("/data/buckets/impression/media-id?")
        .contains("sortBy=dimensionValue")
        .endsWith("currentPage=1&pageSize=1");
    // Following the link gives the first page.
    HttpResponse<String> followed =
        server.get(first, basic(tenant.productionApiKey().secret(), ""));
    assertThat(pairs(JSON.readTree(followed.body()))).isEqualTo("intro=2");
  }

  @Test
  void badBucketParametersAreRefusedInApiVideosShape() throws Exception {
    assertThat(refused("/data/buckets/play/planet").path("name").asText()).isEqualTo("breakdown");
    assertThat(refused("/data/buckets/teleport/country").path("name").asText()).isEqualTo("metric");
    assertThat(refused("/data/buckets/play/country?pageSize=101").path("name").asText())
        .isEqualTo("pageSize");
    assertThat(refused("/data/buckets/play/country?currentPage=0").path("name").asText())
        .isEqualTo("currentPage");
    assertThat(refused("/data/buckets/play/country?sortBy=size").path("name").asText())
        .isEqualTo("sortBy");
    assertThat(refused("/data/buckets/play/country?sortOrder=up").path("name").asText())
        .isEqualTo("sortOrder");
    assertThat(refused("/data/buckets/play/country?viewDuration=5s").path("name").asText())
        .isEqualTo("viewDuration");
  }

  private static JsonNode refused(String pathAndQuery) throws Exception {
    HttpResponse<String> response =
        server.get(pathAndQuery, basic(tenant.productionApiKey().secret(), ""));
    assertThat(response.statusCode()).as(pathAndQuery + " " + response.body()).isEqualTo(400);
    return JSON.readTree(response.body());
  }

  @Test
  void badParametersGetApiVideosErrorsNamingTheParameter() throws Exception {
    JsonNode unexpected = refused("/data/metrics/play/count?colour=blue");
    assertThat(unexpected.path("type").asText())
        .isEqualTo("https://docs.api.video/reference/request-invalid-query-parameter");
    assertThat(unexpected.path("title").asText()).isEqualTo("A query parameter is invalid.");
    assertThat(unexpected.path("detail").asText()).isEqualTo("This field was not expected.");
    assertThat(unexpected.path("name").asText()).isEqualTo("colour");
    assertThat(unexpected.path("status").asInt()).isEqualTo(400);

    String longReferrer = "x".repeat(2049);
    JsonNode referrer = refused("/data/metrics/play/count?filterBy[referrer]=" + longReferrer);
    assertThat(referrer.path("detail").asText())
        .isEqualTo("This value should not contain more than 2048 characters.");
    assertThat(referrer.path("name").asText()).isEqualTo("filterBy[referrer]");

    JsonNode duration = refused("/data/metrics/view/count?viewDuration=7s");
    assertThat(duration.path("detail").asText())
        .isEqualTo("This view duration is invalid. Use one of \"3s\", \"5s\", \"10s\", \"30s\".");
    assertThat(duration.path("name").asText()).isEqualTo("viewDuration");

    assertThat(refused("/data/metrics/play/count?viewDuration=5s").path("name").asText())
        .isEqualTo("viewDuration"); // only with view
    assertThat(refused("/data/metrics/play/count?unique=true").path("name").asText())
        .isEqualTo("unique"); // only with ccv and view
    assertThat(refused("/data/metrics/teleport/count").path("name").asText()).isEqualTo("metric");
    assertThat(refused("/data/metrics/teleport/count").path("type").asText())
        .isEqualTo("https://docs.api.video/reference/invalid-attribute");
    assertThat(refused("/data/metrics/play/sum").path("name").asText()).isEqualTo("aggregation");
    assertThat(refused("/data/metrics/play/count?from=yesterday").path("name").asText())
        .isEqualTo("from");
    assertThat(
            refused("/data/metrics/play/count?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
                .path("name")
                .asText())
        .isEqualTo("from");
    assertThat(
            refused("/data/metrics/play/count?from=2020-01-01T00:00:00Z").path("detail").asText())
        .startsWith("This value is outside the data retention window");
    assertThat(refused("/data/metrics/play/count?filterBy[planet]=mars").path("name").asText())
        .isEqualTo("filterBy[planet]");
    assertThat(refused("/data/metrics/play/count?filterBy[continent][]=XX").path("name").asText())
        .isEqualTo("filterBy[continent]");
    assertThat(
            refused("/data/metrics/play/count?filterBy[deviceType]=toaster").path("name").asText())
        .isEqualTo("filterBy[deviceType]");
    assertThat(
            refused("/data/metrics/play/count?filterBy[mediaType]=podcast").path("name").asText())
        .isEqualTo("filterBy[mediaType]");
  }

  @Test
  void randomParameterCombinationsAreAnsweredOrRefusedNeverFailed() {
    java.util.Random random = new java.util.Random(20261122);
    String[] paths = {
      "metrics/play/count",
      "metrics/play/rate",
      "metrics/play/total",
      "metrics/view/count",
      "metrics/ccv/peak",
      "metrics/watch-time/sum",
      "metrics/impression/count",
      "metrics/teleport/x",
      "buckets/play/country",
      "buckets/view/browser",
      "buckets/play-rate/media-id",
      "buckets/play-total/media-id",
      "buckets/x/y",
      "buckets/impression/referrer",
      "buckets/ccv-average/country",
      "timeseries/play",
      "timeseries/ccv-peak",
      "timeseries/view",
      "timeseries/teleport"
    };
    String[] names = {
      "from",
      "to",
      "unique",
      "viewDuration",
      "filterBy[country]",
      "filterBy[country][]",
      "filterBy[mediaId][]",
      "filterBy[mediaType]",
      "filterBy[tag]",
      "filterBy[referrer][]",
      "filterBy[continent][]",
      "filterBy[]",
      "filterBy[x",
      "sortBy",
      "interval",
      "currentPage",
      "%"
    };
    String[] values = {
      "",
      "FR",
      "2026-11-22T10:00:00Z",
      "2026-11-22T10:00:00+02:00",
      "true",
      "5s",
      "video",
      "live-stream",
      "%25",
      "'; DROP TABLE events; --",
      "\u0000",
      "9999-99-99",
      "x".repeat(3000),
      "EU",
      "[]",
      "{}",
      "minute",
      "day",
      "-1"
    };
    for (int i = 0; i < 300; i++) {
      StringBuilder query = new StringBuilder();
      for (int n = random.nextInt(4); n >= 0; n--) {
        query
            .append(query.isEmpty() ? "" : "&")
            .append(URLEncoder.encode(names[random.nextInt(names.length)], StandardCharsets.UTF_8))
            .append('=')
            .append(
                URLEncoder.encode(values[random.nextInt(values.length)], StandardCharsets.UTF_8));
      }
      String path = "/data/" + paths[random.nextInt(paths.length)] + "?" + query;
      HttpResponse<String> response =
          server.get(path, basic(tenant.productionApiKey().secret(), ""));
      assertThat(response.statusCode()).as(path + " " + response.body()).isIn(200, 400);
    }
  }
}
