package io.playlens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.ClickHouseServer;
import io.playlens.PostgresServer;
import io.playlens.TestServer;
import io.playlens.account.Environment;
import io.playlens.account.PlayerKey;
import io.playlens.bench.SessionSimulator;
import io.playlens.collect.Beacon;
import io.playlens.collect.BeaconEvent;
import io.playlens.collect.CollectResult;
import io.playlens.collect.Collector;
import io.playlens.collect.EventType;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same player traffic sent to a server on the embedded DuckDB store and to one on ClickHouse
 * and PostgreSQL: every API call of both vendors' APIs (and the export) answers the same on both.
 * The traffic is the load generator's realistic sessions (many countries, devices, referrers,
 * seeks, re-watches, drop-off) over two days, plus a viewer watching now.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClickHouseEquivalenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter OFFSET_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);
  private static final int SESSIONS = 400;

  private Path duckDir;
  private Path clickDir;
  private TestServer duck;
  private TestServer click;
  private String duckKey;
  private String clickKey;
  private Instant now;
  private String sessionId;

  @BeforeAll
  void sendTheSameTrafficToBoth() throws Exception {
    duckDir = java.nio.file.Files.createTempDirectory("playlens-duck-");
    clickDir = java.nio.file.Files.createTempDirectory("playlens-click-");
    duck = TestServer.start(duckDir);
    String events = ClickHouseServer.get().newDatabase();
    String accounts = PostgresServer.get().newDatabase();
    click = TestServer.start(clickDir, config -> config.storeUrl(events).metadataUrl(accounts));
    duckKey = duck.server().admin().createApiKey("acme", Environment.PRODUCTION).secret();
    clickKey = click.server().admin().createApiKey("acme", Environment.PRODUCTION).secret();

    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    SessionSimulator simulator = new SessionSimulator(TestServer.KEY, 42);
    Instant first = now.minus(Duration.ofDays(2));
    List<SessionSimulator.Session> sessions = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      sessions.add(simulator.session(first.plusSeconds(i * 400L)));
    }
    // someone watching now: a play and heartbeats in the last seconds
    sessions.add(live());
    sessionId = sessions.get(7).beacon().session();
    long duckStored = send(duck, sessions);
    long clickStored = send(click, sessions);
    assertThat(clickStored).isEqualTo(duckStored).isGreaterThan(SESSIONS * 3L);
    duck.server().store().seal();
    // A session identified by a later beacon (sealed in between on DuckDB), and one whose email,
    // title and referrer are empty rather than missing.
    // the first beacon's play 5 s before a whole minute leaves a minute mark before the referrer
    // is known; the later beacon's watch, 24 s after it, leaves none
    Instant start = now.minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES).minusSeconds(6);
    List<SessionSimulator.Session> opening =
        List.of(
            beacon("identified", null, start, EventType.IMPRESSION, EventType.PLAY),
            beacon("empty-values", "", start, EventType.IMPRESSION, EventType.PLAY));
    List<SessionSimulator.Session> later =
        List.of(beacon("identified", "late@example.com", start.plusSeconds(30), EventType.WATCH));
    for (List<SessionSimulator.Session> part : List.of(opening, later)) {
      assertThat(send(click, part)).isEqualTo(send(duck, part));
      duck.server().store().seal();
    }
    // the viewer watching now counts for 20 s after the last heartbeat: checked at once
    assertThat(data(click, "/data/metrics/ccv/live")).isEqualTo(1);
    assertThat(data(duck, "/data/metrics/ccv/live")).isEqualTo(1);
  }

  /** A beacon of session {@code id} on media "identify-test", its events a second apart. */
  private static SessionSimulator.Session beacon(
      String id, String email, Instant at, EventType... types) throws Exception {
    List<BeaconEvent> events = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      Instant time = at.plusSeconds(i);
      events.add(
          types[i] == EventType.WATCH
              ? new BeaconEvent(types[i], time, null, 0.0, 20.0, null, null, null, null)
              : new BeaconEvent(types[i], time, 0.0, null, null, null, null, null, null));
    }
    Instant sent = at.plusSeconds(types.length);
    Beacon beacon =
        new Beacon(
            TestServer.KEY,
            id,
            "viewer-" + id,
            sent,
            new io.playlens.collect.MediaInfo(
                "identify-test", 60.0, "video", email == null ? "Identify" : email, List.of()),
            "https://www.acme.example/identify",
            email,
            email,
            events);
    return new SessionSimulator.Session(
        beacon, InetAddress.getByName("81.2.69.142"), TestServer.BROWSER, sent);
  }

  private SessionSimulator.Session live() throws Exception {
    Instant at = now.minusSeconds(12);
    List<BeaconEvent> events =
        List.of(
            new BeaconEvent(EventType.IMPRESSION, at, null, null, null, null, null, null, null),
            new BeaconEvent(
                EventType.PLAY, at.plusSeconds(1), 0.0, null, null, null, null, null, null),
            new BeaconEvent(
                EventType.WATCH, at.plusSeconds(6), null, 0.0, 5.0, null, null, null, null));
    Beacon beacon =
        new Beacon(
            TestServer.KEY,
            "live-session",
            "live-viewer",
            at.plusSeconds(6),
            new io.playlens.collect.MediaInfo("intro", 125.0, "video", "Intro", List.of("a")),
            "https://www.acme.example/live",
            null,
            null,
            events);
    return new SessionSimulator.Session(
        beacon, InetAddress.getByName("81.2.69.142"), TestServer.BROWSER, at.plusSeconds(6));
  }

  private static long send(TestServer server, List<SessionSimulator.Session> sessions)
      throws Exception {
    PlayerKey key = server.server().metadata().playerKey(TestServer.KEY).orElseThrow();
    Collector collector = server.server().collector();
    List<CompletableFuture<CollectResult>> results = new ArrayList<>();
    for (SessionSimulator.Session session : sessions) {
      results.add(
          collector.collect(
              session.beacon(),
              key,
              new Collector.Client(session.ip(), session.userAgent(), null),
              session.endedAt()));
    }
    long stored = 0;
    for (CompletableFuture<CollectResult> result : results) {
      stored += result.join().accepted();
    }
    return stored;
  }

  @AfterAll
  void stop() {
    duck.close();
    click.close();
    PostgresServer.deleteTree(duckDir);
    PostgresServer.deleteTree(clickDir);
  }

  List<String> calls() {
    String range =
        "from="
            + encode(OFFSET_TIME.format(now.minus(Duration.ofDays(3))))
            + "&to="
            + encode(OFFSET_TIME.format(now.plusSeconds(60)));
    List<String> calls = new ArrayList<>();
    for (String metric :
        List.of(
            "play/count",
            "play/rate",
            "play/total",
            "start/count",
            "end/count",
            "impression/count",
            "impression-time/average",
            "impression-time/sum",
            "watch-time/average",
            "watch-time/sum",
            "ccv/peak",
            "ccv/live",
            "view/count",
            "percent-viewed/average")) {
      calls.add("/data/metrics/" + metric + "?" + range);
    }
    calls.add("/data/metrics/view/count?viewDuration=30s&unique=true&" + range);
    calls.add(
        "/data/metrics/play/count?filterBy[country][]=FR&filterBy[deviceType]=phone&" + range);
    calls.add("/data/metrics/watch-time/sum?filterBy[mediaId][]=webinar-q3&" + range);
    calls.add("/data/metrics/ccv/peak?unique=true&filterBy[continent]=EU&" + range);
    for (String breakdown :
        List.of(
            "media-id",
            "media-type",
            "continent",
            "country",
            "device-type",
            "operating-system",
            "browser",
            "referrer")) {
      for (String metric : List.of("play", "impression", "view", "ccv-peak", "play-rate")) {
        calls.add("/data/buckets/" + metric + "/" + breakdown + "?pageSize=100&" + range);
      }
    }
    calls.add("/data/buckets/play-total/media-id?pageSize=100&" + range);
    calls.add("/data/buckets/ccv-average/country?pageSize=100&" + range);
    for (String metric :
        List.of(
            "play", "impression", "start", "end", "view", "ccv-peak", "ccv-average", "play-rate")) {
      calls.add("/data/timeseries/" + metric + "?interval=hour&pageSize=100&" + range);
      calls.add("/data/timeseries/" + metric + "?interval=day&" + range);
    }
    String dates =
        "start_date="
            + LocalDate.ofInstant(now.minus(Duration.ofDays(3)), ZoneOffset.UTC)
            + "&end_date="
            + LocalDate.ofInstant(now, ZoneOffset.UTC);
    calls.add("/v1/stats/account.json");
    calls.add("/v1/stats/account/by_date.json?" + dates);
    for (String media : List.of("intro-2026", "webinar-q3", "product-tour", "intro")) {
      calls.add("/v1/stats/medias/" + media + ".json");
      calls.add("/v1/stats/medias/" + media + "/by_date.json?" + dates);
      calls.add("/v1/stats/medias/" + media + "/engagement.json");
      calls.add("/stats/medias/" + media + "/events.csv?" + dates);
      calls.add("/stats/medias/" + media + "/events.json?filter=view&limit=50&offset=3");
    }
    calls.add("/stats/medias/identify-test/events.csv?" + dates);
    calls.add("/stats/medias/identify-test/events.json");
    calls.add("/v1/stats/medias/identify-test.json");
    calls.add("/v1/stats/visitors.json?search=late");
    calls.add("/v1/stats/visitors/viewer-identified.json");
    calls.add("/v1/stats/visitors/viewer-empty-values.json");
    calls.add("/data/buckets/play/referrer?" + range);
    calls.add("/data/metrics/view/count?viewDuration=3s&unique=true&" + range);
    calls.add("/v1/stats/visitors.json?per_page=100");
    calls.add("/v1/stats/visitors.json?per_page=20&page=2&search=v");
    calls.add("/v1/stats/visitors.json?filter=has_email");
    calls.add("/v1/stats/events.json?per_page=100");
    calls.add("/v1/stats/events.json?per_page=50&media_id=intro&" + dates);
    return calls;
  }

  private String sessionCall() {
    return "/v1/stats/events/" + sessionId + ".json";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void bothStoresAnswerTheSame(String call) throws Exception {
    HttpResponse<String> expected = duck.get(call, auth(call, duckKey));
    HttpResponse<String> actual = click.get(call, auth(call, clickKey));

    assertThat(expected.statusCode()).as(call + "\n" + expected.body()).isEqualTo(200);
    assertThat(actual.statusCode()).as(call + "\n" + actual.body()).isEqualTo(200);
    if (call.contains(".csv")) {
      assertThat(actual.body()).isEqualTo(expected.body());
      assertThat(expected.body().lines().count()).isGreaterThan(1);
    } else {
      List<String> differences = new ArrayList<>();
      compare("", JSON.readTree(expected.body()), JSON.readTree(actual.body()), differences);
      assertThat(differences).as(call).isEmpty();
    }
  }

  @org.junit.jupiter.api.Test
  void oneSessionsEventReadsTheSame() throws Exception {
    bothStoresAnswerTheSame(sessionCall());
  }

  /** The comparisons above compare something: plays, watch time, a live viewer, views. */
  @org.junit.jupiter.api.Test
  void theTrafficGivesSubstantialFigures() throws Exception {
    String range =
        "?from="
            + encode(OFFSET_TIME.format(now.minus(Duration.ofDays(3))))
            + "&to="
            + encode(OFFSET_TIME.format(now.plusSeconds(60)));
    assertThat(data(click, "/data/metrics/play/count" + range)).isGreaterThan(SESSIONS / 2.0);
    assertThat(data(click, "/data/metrics/watch-time/sum" + range)).isGreaterThan(10_000);
    assertThat(data(click, "/data/metrics/ccv/peak" + range)).isGreaterThanOrEqualTo(1);
    assertThat(data(click, "/data/metrics/view/count?viewDuration=30s&" + range.substring(1)))
        .isGreaterThan(10);
  }

  private double data(TestServer server, String call) throws Exception {
    HttpResponse<String> response =
        server.get(call, auth(call, server == duck ? duckKey : clickKey));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("data").asDouble();
  }

  private static String auth(String call, String apiKey) {
    return call.startsWith("/data")
        ? TestServer.basic(apiKey, "")
        : TestServer.basic(TestServer.ACME_EMAIL, TestServer.PASSWORD);
  }

  private static void compare(String path, JsonNode expected, JsonNode actual, List<String> out) {
    if (expected.isNumber() && actual.isNumber()) {
      double e = expected.asDouble();
      double a = actual.asDouble();
      if (Math.abs(e - a) > 1e-9 * Math.max(1, Math.abs(e))) {
        out.add(path + ": " + expected + " != " + actual);
      }
    } else if (expected.isObject() && actual.isObject()) {
      List<String> names = new ArrayList<>();
      expected.fieldNames().forEachRemaining(names::add);
      List<String> others = new ArrayList<>();
      actual.fieldNames().forEachRemaining(others::add);
      if (!names.equals(others)) {
        out.add(path + ": fields " + names + " != " + others);
        return;
      }
      for (String name : names) {
        compare(path + "." + name, expected.get(name), actual.get(name), out);
      }
    } else if (expected.isArray() && actual.isArray()) {
      if (expected.size() != actual.size()) {
        out.add(path + ": " + expected.size() + " items != " + actual.size());
        return;
      }
      Iterator<JsonNode> a = actual.iterator();
      int i = 0;
      for (JsonNode e : expected) {
        compare(path + "[" + i++ + "]", e, a.next(), out);
      }
    } else if (!expected.equals(actual)) {
      out.add(path + ": " + expected + " != " + actual);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
