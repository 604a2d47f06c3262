package io.playlens.api.apivideo;

import static io.playlens.TestServer.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /data/timeseries}, and concurrent viewers in all three routes, over sessions with known
 * event times sent through {@code /v1/collect}; the expected numbers are worked out by hand below.
 * The account's clock is Asia/Kolkata (UTC+05:30), so its hours and days do not fall on UTC's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TimeseriesAndConcurrencyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIREFOX =
      "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
  private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

  @TempDir static Path dataDir;

  private static final MutableClock CLOCK = new MutableClock(T.plusSeconds(60));
  private static TestServer server;
  private static AccountAdmin.NewAccount tenant;

  /**
   * Heartbeats (watch events) keep a session live for 20 s each; times are seconds after T =
   * 2026-11-20T10:00:00Z unless written out.
   *
   * <pre>
   * a  chrome  81.2.69.142  impression 0, play 0, watch every 5 s from 5 to 60  live [0, 80)
   * b  firefox 90.85.0.1    impression 30, play 30, watch 35..50               live [30, 70)
   * c  chrome  81.2.69.142  play 40, watch 45 (a's viewer in another tab)       live [40, 65)
   * d  firefox 90.85.0.1    impression+play 35 min, watch 35:05, 35:30        live [35:00, 35:25)
   *                                                                              and [35:30, 35:50)
   * e  chrome  90.85.0.1    impression 2 min, no play
   * f  chrome  81.2.69.142  play 2026-11-19T19:00Z (00:30 on the 20th in Kolkata)
   * g  chrome  81.2.69.142  play 2026-11-19T18:00Z (23:30 on the 19th in Kolkata)
   * </pre>
   *
   * Concurrency in [T, T+10 min): 3 at most (a, b, c from 40 s to 65 s); 2 unique viewers (a and c
   * are one). Viewer-seconds 80 + 40 + 25 = 145; unique 80 + 40 = 120.
   */
  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            dataDir, config -> config.trustedProxies(List.of("127.0.0.1/32", "::1/128")), CLOCK);
    tenant = server.createAccount("kolkata", "kolkata password", ZoneId.of("Asia/Kolkata"));
    List<String> a = new ArrayList<>(List.of(event("impression", 0), event("play", 0)));
    for (int s = 5; s <= 60; s += 5) {
      a.add(watch(s));
    }
    send("a", TestServer.BROWSER, "81.2.69.142", a);
    send(
        "b",
        FIREFOX,
        "90.85.0.1",
        List.of(
            event("impression", 30),
            event("play", 30),
            watch(35),
            watch(40),
            watch(45),
            watch(50)));
    send("c", TestServer.BROWSER, "81.2.69.142", List.of(event("play", 40), watch(45)));
    send("e", TestServer.BROWSER, "90.85.0.1", List.of(event("impression", 120)));
    send(
        "f",
        TestServer.BROWSER,
        "81.2.69.142",
        List.of(event("play", Instant.parse("2026-11-19T19:00:00Z"))));
    send(
        "g",
        TestServer.BROWSER,
        "81.2.69.142",
        List.of(event("play", Instant.parse("2026-11-19T18:00:00Z"))));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String event(String type, long seconds) {
    return event(type, T.plusSeconds(seconds));
  }

  private static String event(String type, Instant at) {
    return "{\"type\":\"%s\",\"at\":\"%s\"}".formatted(type, at);
  }

  /** A watch event at T + seconds covering the 5 s before it. */
  private static String watch(long seconds) {
    return "{\"type\":\"watch\",\"at\":\"%s\",\"from\":%d,\"to\":%d}"
        .formatted(T.plusSeconds(seconds), Math.max(0, seconds - 5), seconds);
  }

  private static void send(String session, String userAgent, String ip, List<String> events) {
    String body =
        "{\"key\":\"%s\",\"session\":\"%s\",\"sentAt\":\"%s\",\"media\":{\"id\":\"intro\"},\"events\":[%s]}"
            .formatted(
                tenant.productionPlayerKey().key(),
                session,
                CLOCK.instant(),
                String.join(",", events));
    HttpResponse<String> response =
        server.collect(body, "X-Forwarded-For", ip, "User-Agent", userAgent);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  private static JsonNode answer(String route, String query) throws Exception {
    HttpResponse<String> response =
        server.get("/data/" + route + "?" + query, basic(tenant.productionApiKey().secret(), ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode refused(String route, String query) throws Exception {
    HttpResponse<String> response =
        server.get("/data/" + route + "?" + query, basic(tenant.productionApiKey().secret(), ""));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    return JSON.readTree(response.body());
  }

  private static String window(long fromSeconds, long toSeconds) {
    return "from=" + T.plusSeconds(fromSeconds) + "&to=" + T.plusSeconds(toSeconds);
  }

  private static List<Double> values(JsonNode answer) {
    List<Double> values = new ArrayList<>();
    answer.path("data").forEach(item -> values.add(item.path("metricValue").asDouble()));
    return values;
  }

  private static List<String> times(JsonNode answer) {
    List<String> times = new ArrayList<>();
    answer.path("data").forEach(item -> times.add(item.path("emittedAt").asText()));
    return times;
  }

  @Test
  @Order(1)
  void liveViewersAreTheSessionsWithAHeartbeatInTheLast20Seconds() throws Exception {
    // Now is T+60: a (60), b (50) and c (45) sent heartbeats after T+40.
    assertThat(answer("metrics/ccv/live", "").path("data").asLong()).isEqualTo(3);
    assertThat(answer("metrics/ccv/live", "unique=true").path("data").asLong()).isEqualTo(2);
    assertThat(answer("metrics/ccv/live", "unique=true").path("context").path("metric").asText())
        .isEqualTo("unique-ccv");
    assertThat(answer("metrics/ccv/live", "filterBy[browser][]=firefox").path("data").asLong())
        .isEqualTo(1);

    CLOCK.advance(Duration.ofSeconds(15)); // T+75: only a's heartbeat at 60 is that recent
    assertThat(answer("metrics/ccv/live", "").path("data").asLong()).isEqualTo(1);

    CLOCK.advance(Duration.ofMinutes(35)); // T+35:75: d starts now
    send(
        "d",
        FIREFOX,
        "90.85.0.1",
        List.of(
            event("impression", 2100),
            event("play", 2100),
            watch(2105),
            watch(2130),
            event("pause", 2131)));
    assertThat(answer("metrics/ccv/live", "").path("data").asLong()).isZero(); // d paused at 35:31
  }

  @Test
  @Order(2)
  void peakIsTheHighestPerMinuteValueOfTheTimeframe() throws Exception {
    assertThat(answer("metrics/ccv/peak", window(0, 600)).path("data").asLong()).isEqualTo(3);
    assertThat(answer("metrics/ccv/peak", window(0, 600) + "&unique=true").path("data").asLong())
        .isEqualTo(2);
    assertThat(answer("metrics/ccv/peak", window(0, 60)).path("data").asLong())
        .isEqualTo(1); // only the mark at T+0: a
    assertThat(answer("metrics/ccv/peak", window(1, 61)).path("data").asLong()).isEqualTo(3);
    // After T+1 min no mark finds anyone live until d at T+35 min (b, c, a stop by T+80 s).
    assertThat(answer("metrics/ccv/peak", window(61, 2099)).path("data").asLong()).isZero();
    // d's two spans hold one mark, T+35 min: one viewer.
    assertThat(answer("metrics/ccv/peak", window(2000, 2400)).path("data").asLong()).isEqualTo(1);
  }

  @Test
  @Order(3)
  void bucketsGiveEachDimensionValueItsOwnConcurrency() throws Exception {
    JsonNode peaks = answer("buckets/ccv-peak/browser", window(0, 600));
    assertThat(peaks.path("data").toString())
        .isEqualTo(
            "[{\"dimensionValue\":\"chrome\",\"metricValue\":2},"
                + "{\"dimensionValue\":\"firefox\",\"metricValue\":1}]");
    JsonNode averages = answer("buckets/ccv-average/browser", window(0, 600));
    // Ten minutes: chrome has a at T+0 and a, c at T+1 min; firefox b at T+1 min.
    assertThat(averages.path("data").get(0).path("dimensionValue").asText()).isEqualTo("chrome");
    assertThat(averages.path("data").get(0).path("metricValue").asDouble())
        .isCloseTo(3.0 / 10, within(1e-9));
    assertThat(averages.path("data").get(1).path("metricValue").asDouble())
        .isCloseTo(1.0 / 10, within(1e-9));
    JsonNode unique = answer("buckets/ccv-average/browser", window(0, 600) + "&unique=true");
    assertThat(unique.path("context").path("metric").asText()).isEqualTo("unique-ccv-average");
    assertThat(unique.path("data").get(0).path("metricValue").asDouble())
        .isCloseTo(2.0 / 10, within(1e-9)); // a and c are one viewer
  }

  @Test
  @Order(4)
  void minuteSeriesOfConcurrency() throws Exception {
    JsonNode peaks = answer("timeseries/ccv-peak", window(0, 300) + "&interval=minute");
    assertThat(peaks.path("context").path("interval").asText()).isEqualTo("minute");
    assertThat(times(peaks))
        .containsExactly(
            "2026-11-20T15:30:00+05:30",
            "2026-11-20T15:31:00+05:30",
            "2026-11-20T15:32:00+05:30",
            "2026-11-20T15:33:00+05:30",
            "2026-11-20T15:34:00+05:30");
    assertThat(values(peaks)).containsExactly(1.0, 3.0, 0.0, 0.0, 0.0);
    JsonNode hours =
        answer("timeseries/ccv-average", window(0, 3600) + "&interval=hour&unique=true");
    // Kolkata's hour from 10:00Z is split at 10:30Z: 30 marks each; 1 + 2 viewers, then d's 1.
    assertThat(values(hours).get(0)).isCloseTo(3.0 / 30, within(1e-9));
    assertThat(values(hours).get(1)).isCloseTo(1.0 / 30, within(1e-9));
  }

  @Test
  @Order(5)
  void hourBucketsFollowTheAccountsClock() throws Exception {
    // Kolkata's hours start at :30 UTC. 09:00Z-12:00Z: [09:00, 09:30), [09:30, 10:30) holds a, b,
    // c and d (10:35 is later: [10:30, 11:30)), [11:30, 12:00).
    JsonNode plays = answer("timeseries/play", "from=2026-11-20T09:00:00Z&to=2026-11-20T12:00:00Z");
    assertThat(plays.path("context").path("interval").asText()).isEqualTo("hour"); // default
    assertThat(times(plays))
        .containsExactly(
            "2026-11-20T14:00:00+05:30",
            "2026-11-20T15:00:00+05:30",
            "2026-11-20T16:00:00+05:30",
            "2026-11-20T17:00:00+05:30");
    assertThat(values(plays)).containsExactly(0.0, 3.0, 1.0, 0.0);
    JsonNode rate =
        answer("timeseries/play-rate", "from=2026-11-20T09:00:00Z&to=2026-11-20T12:00:00Z");
    // 15:00 bucket: impressions a, b (e at 10:02 too) = 3, plays a, b, c = 3; 16:00: d 1/1.
    assertThat(values(rate)).containsExactly(0.0, 1.0, 1.0, 0.0);
  }

  @Test
  @Order(6)
  void dayBucketsAreTheAccountsDaysAndAddUpToTheCount() throws Exception {
    String range = "from=2026-11-18T00:00:00Z&to=2026-11-21T00:00:00Z"; // three days: by day
    JsonNode plays = answer("timeseries/play", range);
    assertThat(plays.path("context").path("interval").asText()).isEqualTo("day");
    assertThat(times(plays))
        .containsExactly(
            "2026-11-18T00:00:00+05:30",
            "2026-11-19T00:00:00+05:30",
            "2026-11-20T00:00:00+05:30",
            "2026-11-21T00:00:00+05:30");
    // g (18:00Z on the 19th) is the 19th in Kolkata; f (19:00Z) is already the 20th.
    assertThat(values(plays)).containsExactly(0.0, 1.0, 5.0, 0.0);
    assertThat(answer("metrics/play/count", range).path("data").asLong()).isEqualTo(6);
  }

  @Test
  @Order(7)
  void sortingAndPagingOfASeries() throws Exception {
    String minutes = window(0, 3600) + "&interval=minute";
    JsonNode first = answer("timeseries/impression", minutes);
    assertThat(first.path("pagination").path("itemsTotal").asInt()).isEqualTo(60);
    assertThat(first.path("pagination").path("pagesTotal").asInt()).isEqualTo(3);
    assertThat(first.path("pagination").path("currentPageItems").asInt()).isEqualTo(25);
    assertThat(values(first).subList(0, 3)).containsExactly(2.0, 0.0, 1.0); // a+b, -, e
    JsonNode last = answer("timeseries/impression", minutes + "&currentPage=3");
    assertThat(last.path("pagination").path("currentPageItems").asInt()).isEqualTo(10);
    assertThat(times(last).get(9)).isEqualTo("2026-11-20T16:29:00+05:30");
    JsonNode top =
        answer("timeseries/impression", minutes + "&sortBy=metricValue&sortOrder=desc&pageSize=3");
    assertThat(values(top)).containsExactly(2.0, 1.0, 1.0);
    assertThat(times(top))
        .containsExactly(
            "2026-11-20T15:30:00+05:30", "2026-11-20T15:32:00+05:30", "2026-11-20T16:05:00+05:30");
  }

  @Test
  @Order(8)
  void intervalsAreCheckedAsApiVideoWordsIt() throws Exception {
    JsonNode invalid = refused("timeseries/play", window(0, 600) + "&interval=week");
    assertThat(invalid.path("type").asText())
        .isEqualTo("https://docs.api.video/reference/request-invalid-query-parameter");
    assertThat(invalid.path("detail").asText())
        .isEqualTo("This interval is invalid. Use one of \"minute\", \"hour\", \"day\".");
    assertThat(invalid.path("name").asText()).isEqualTo("interval");
    JsonNode tooLong = refused("timeseries/play", window(0, 3601) + "&interval=minute");
    assertThat(tooLong.path("detail").asText())
        .isEqualTo("This interval cannot be used with a timeframe over 60 minutes.");
    assertThat(
            answer("timeseries/play", window(0, 3600) + "&interval=minute")
                .path("pagination")
                .path("itemsTotal")
                .asInt())
        .isEqualTo(60);
    assertThat(refused("timeseries/play", "sortBy=dimensionValue").path("name").asText())
        .isEqualTo("sortBy");
    assertThat(refused("timeseries/play", "unique=true").path("detail").asText())
        .isEqualTo("This field was not expected.");
    assertThat(refused("timeseries/play-total", "").path("name").asText()).isEqualTo("metric");
  }
}
