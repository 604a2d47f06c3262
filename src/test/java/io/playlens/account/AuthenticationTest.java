package io.playlens.account;

import static io.playlens.TestServer.basic;
import static io.playlens.TestServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every credential form of both APIs, accepted and refused. The data routes arrive with their own
 * issues; their guards already run, so an accepted credential on {@code /data/...} meets
 * api.video's "unrecognized request URL" 404 (with the rate-limit headers), a refused one a 401.
 */
class AuthenticationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API_VIDEO_PATH = "/data/metrics/play/count";
  private static final String WISTIA_PATH = "/v1/stats/account";
  private static final String EMAIL = "owner@tenant.test";
  private static final String PASSWORD = "s3cret-enough";

  @TempDir Path dataDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:15Z"));
  private TestServer server;
  private AccountAdmin.NewAccount tenant;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, config -> config, clock);
    tenant = server.createAccount("tenant", PASSWORD);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String productionKey() {
    return tenant.productionApiKey().secret();
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  /** Past the guard: the route's answer. */
  private static void assertAccepted(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-RateLimit-Limit")).isPresent();
  }

  private static void assertApiVideoUnauthorized(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(
            challenge -> assertThat(challenge).contains("Basic").contains("Bearer"));
    assertThat(json(response).path("type").asText())
        .isEqualTo("https://docs.api.video/reference/authentication-missing-or-invalid");
    assertThat(json(response).path("status").asInt()).isEqualTo(401);
  }

  @Test
  void apiVideoAcceptsTheApiKeyAsBasicUsernameWithAnEmptyPassword() throws Exception {
    HttpResponse<String> response = server.get(API_VIDEO_PATH, basic(productionKey(), ""));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).path("context").path("metric").asText()).isEqualTo("play");
    assertThat(json(response).path("data").asLong()).isZero();
    // An unknown path under /data, once authenticated: api.video's 404 body.
    HttpResponse<String> unknown = server.get("/data/no-such-thing", basic(productionKey(), ""));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"https://docs.api.video/reference/unrecognized-request-url\","
                    + "\"title\":\"Unrecognized request URL.\",\"status\":404}"));
  }

  @Test
  void apiVideoRefusesMissingWrongAndMalformedCredentials() throws Exception {
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, null));
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, basic(productionKey() + "x", "")));
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, basic("", "")));
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, "Basic not-base64!"));
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, "Digest abc"));
    // An API key is not an access token.
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, bearer(productionKey())));
  }

  private JsonNode tokens(String apiKey) throws Exception {
    HttpResponse<String> response =
        server.send("POST", "/auth/api-key", null, "{\"apiKey\":\"" + apiKey + "\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json(response);
  }

  @Test
  void anApiKeyBuysABearerTokenThatExpiresAfterAnHour() throws Exception {
    JsonNode tokens = tokens(productionKey());

    assertThat(tokens.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(tokens.path("expires_in").asInt()).isEqualTo(3600);
    String access = tokens.path("access_token").asText();
    assertAccepted(server.get(API_VIDEO_PATH, bearer(access)));

    clock.advance(Duration.ofMinutes(59));
    assertAccepted(server.get(API_VIDEO_PATH, bearer(access)));

    clock.advance(Duration.ofMinutes(1));
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, bearer(access)));
  }

  @Test
  void aTamperedTokenIsRefused() throws Exception {
    String access = tokens(productionKey()).path("access_token").asText();
    String payload = access.substring(0, access.indexOf('.'));
    String signature = access.substring(access.indexOf('.'));
    String otherPayload =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"kid\":\"key_x\",\"exp\":9999999999}".getBytes());

    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, bearer(otherPayload + signature)));
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, bearer(payload + ".AAAA")));
  }

  @Test
  void aRefreshTokenRenewsTheAccessTokenExactlyOnce() throws Exception {
    JsonNode first = tokens(productionKey());
    clock.advance(Duration.ofMinutes(61));
    String refresh = first.path("refresh_token").asText();

    HttpResponse<String> renewed =
        server.send("POST", "/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}");
    assertThat(renewed.statusCode()).isEqualTo(200);
    assertAccepted(server.get(API_VIDEO_PATH, bearer(json(renewed).path("access_token").asText())));
    assertThat(json(renewed).path("refresh_token").asText()).isNotEqualTo(refresh);

    HttpResponse<String> reused =
        server.send("POST", "/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}");
    assertThat(reused.statusCode()).isEqualTo(400);
    assertThat(json(reused).path("type").asText())
        .isEqualTo("https://docs.api.video/reference/authentication-invalid-user-credentials");
  }

  @Test
  void aRefreshTokenExpiresAfterThirtyDays() throws Exception {
    String refresh = tokens(productionKey()).path("refresh_token").asText();
    clock.advance(Duration.ofDays(30));

    HttpResponse<String> expired =
        server.send("POST", "/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}");

    assertThat(expired.statusCode()).isEqualTo(400);
  }

  @Test
  void anOversizedBodyIs413NotAServerError() throws Exception {
    HttpResponse<String> response =
        server.send("POST", "/auth/api-key", null, "{\"apiKey\":\"" + "k".repeat(70_000) + "\"}");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).path("status").asInt()).isEqualTo(413);
  }

  @Test
  void parallelGuessesCannotOutrunTheFailureBudget() throws Exception {
    List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
    try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 40; i++) {
        String guess = "guess-" + i;
        statuses.add(
            clients.submit(() -> server.get(WISTIA_PATH, basic(EMAIL, guess)).statusCode()));
      }
    }
    List<Integer> codes = new java.util.ArrayList<>();
    for (var status : statuses) {
      codes.add(status.get());
    }

    assertThat(codes).filteredOn(code -> code == 401).hasSize(20);
    assertThat(codes).filteredOn(code -> code == 429).hasSize(20);
  }

  @Test
  void aWrongApiKeyOrAMalformedBodyGetsApiVideosBadRequest() throws Exception {
    HttpResponse<String> wrong =
        server.send("POST", "/auth/api-key", null, "{\"apiKey\":\"sk_live_nope\"}");
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(json(wrong).path("type").asText())
        .isEqualTo("https://docs.api.video/reference/authentication-invalid-user-credentials");
    assertThat(json(wrong).path("title").asText())
        .isEqualTo("The user credentials were incorrect.");

    HttpResponse<String> malformed = server.send("POST", "/auth/api-key", null, "{\"apiKey\":");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).path("type").asText())
        .isEqualTo("https://docs.api.video/reference/invalid-attribute");
  }

  @Test
  void revokingAKeyRefusesItAndItsTokensAtOnce() throws Exception {
    JsonNode tokens = tokens(productionKey());
    String access = tokens.path("access_token").asText();
    assertAccepted(server.get(API_VIDEO_PATH, basic(productionKey(), "")));

    server.server().admin().revokeKey("tenant", tenant.productionApiKey().key().id());

    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, basic(productionKey(), "")));
    assertApiVideoUnauthorized(server.get(API_VIDEO_PATH, bearer(access)));
    assertThat(server.get(WISTIA_PATH, bearer(productionKey())).statusCode()).isEqualTo(401);
    HttpResponse<String> refresh =
        server.send(
            "POST",
            "/auth/refresh",
            null,
            "{\"refreshToken\":\"" + tokens.path("refresh_token").asText() + "\"}");
    assertThat(refresh.statusCode()).isEqualTo(400);
    // The other keys of the account still work.
    assertAccepted(server.get(API_VIDEO_PATH, basic(tenant.sandboxApiKey().secret(), "")));
  }

  @Test
  void wistiaAcceptsAUsersEmailAndPasswordAlsoWithAnEncodedAt() {
    HttpResponse<String> plain = server.get(WISTIA_PATH, basic(EMAIL, PASSWORD));
    HttpResponse<String> encoded =
        server.get(WISTIA_PATH, basic(EMAIL.replace("@", "%40"), PASSWORD));
    HttpResponse<String> upperCase = server.get(WISTIA_PATH, basic(EMAIL.toUpperCase(), PASSWORD));

    for (HttpResponse<String> response : java.util.List.of(plain, encoded, upperCase)) {
      assertAccepted(response);
      assertThat(response.body()).contains("\"load_count\":0");
    }
  }

  @Test
  void wistiaAcceptsTheApiKeyAsBearerOrAsPasswordOfUserApi() {
    assertAccepted(server.get(WISTIA_PATH, bearer(productionKey())));
    assertAccepted(server.get(WISTIA_PATH, basic("api", productionKey())));
    assertAccepted(server.get("/v1/stats/account.json", bearer(productionKey())));
  }

  @Test
  void wistiaRefusesWrongCredentialsWithItsOwnErrorBody() throws Exception {
    for (String authorization :
        new String[] {
          null,
          basic(EMAIL, PASSWORD + "x"),
          basic("nobody@tenant.test", PASSWORD),
          basic("api", productionKey() + "x"),
          bearer("sk_live_unknown")
        }) {
      HttpResponse<String> response = server.get(WISTIA_PATH, authorization);

      assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
      assertThat(json(response).fieldNames()).toIterable().containsExactly("error");
    }
  }

  @Test
  void aSuspendedAccountIsRefusedWith403WhateverTheCredential() throws Exception {
    server.server().admin().setState("tenant", Account.State.SUSPENDED);

    HttpResponse<String> apiVideo = server.get(API_VIDEO_PATH, basic(productionKey(), ""));
    assertThat(apiVideo.statusCode()).isEqualTo(403);
    assertThat(json(apiVideo).path("status").asInt()).isEqualTo(403);
    assertThat(server.get(WISTIA_PATH, basic(EMAIL, PASSWORD)).statusCode()).isEqualTo(403);
    assertThat(server.get(WISTIA_PATH, bearer(productionKey())).statusCode()).isEqualTo(403);
    assertThat(
            server
                .send("POST", "/auth/api-key", null, "{\"apiKey\":\"" + productionKey() + "\"}")
                .statusCode())
        .isEqualTo(403);
    String beacon =
        "{\"key\":\"%s\",\"session\":\"s1\",\"media\":{\"id\":\"m1\"},\"events\":[{\"type\":\"impression\"}]}"
            .formatted(tenant.productionPlayerKey().key());
    assertThat(server.collect(beacon).statusCode()).isEqualTo(403);

    server.server().admin().setState("tenant", Account.State.ACTIVE);
    assertAccepted(server.get(API_VIDEO_PATH, basic(productionKey(), "")));
    assertThat(server.collect(beacon).statusCode()).isEqualTo(202);
  }

  @Test
  void anAddressThatFailsTooOftenIsHeldOffUntilTheMinuteEnds() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(server.get(WISTIA_PATH, basic(EMAIL, "wrong-" + i)).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> heldOff = server.get(WISTIA_PATH, basic(EMAIL, PASSWORD));
    assertThat(heldOff.statusCode()).isEqualTo(429);
    assertThat(heldOff.headers().firstValue("Retry-After")).hasValue("45");
    assertThat(server.get(API_VIDEO_PATH, basic(productionKey(), "")).statusCode()).isEqualTo(429);

    clock.advance(Duration.ofSeconds(45));
    assertAccepted(server.get(WISTIA_PATH, basic(EMAIL, PASSWORD)));
  }
}
