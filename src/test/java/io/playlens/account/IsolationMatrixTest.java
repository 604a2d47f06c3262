package io.playlens.account;

import static io.playlens.TestServer.basic;
import static io.playlens.TestServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two accounts, each with data in both environments. Every read endpoint is called for one account
 * with every credential of the other (and of the other environment): nothing leaks, and another
 * account's resources answer exactly as missing ones do. New read endpoints join {@link
 * #readEndpoints}.
 */
class IsolationMatrixTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "s3cret-enough";

  @TempDir static Path dataDir;

  private static final String FROM =
      java.time.Instant.now()
          .minusSeconds(3600)
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
          .toString();
  private static final String TO =
      java.time.Instant.now()
          .plusSeconds(3600)
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
          .toString();

  private static TestServer server;
  private static final Map<String, Tenant> TENANTS = new LinkedHashMap<>();

  /** An account, its credentials and the identifiers its data carries. */
  private record Tenant(
      String key,
      Map<String, String> credentials,
      Map<String, String> sandboxCredentials,
      List<String> privateStrings) {}

  @BeforeAll
  static void start() throws Exception {
    // Hundreds of refused requests come from one address here: lift the failure budget.
    server = TestServer.start(dataDir, config -> config.authFailuresPerMinute(1_000_000));
    for (String key : List.of("alpha", "beta")) {
      TENANTS.put(key, tenant(key));
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Tenant tenant(String key) throws Exception {
    AccountAdmin admin = server.server().admin();
    String owner = "owner@" + key + ".test";
    String member = "member@" + key + ".test";
    AccountAdmin.NewAccount account =
        admin.createAccount(
            key, key + " Corp", owner, PASSWORD, Retention.DAYS_30, ZoneId.of("UTC"), false);
    admin.addUser(key, member, PASSWORD, User.Role.MEMBER, false, List.of());
    List<String> privateStrings = new ArrayList<>(List.of(key + " Corp", owner, member));
    for (PlayerKey playerKey : List.of(account.productionPlayerKey(), account.sandboxPlayerKey())) {
      String media = key + "-" + playerKey.environment().wireName() + "-video";
      privateStrings.add(media);
      HttpResponse<String> stored =
          server.collect(
              """
              {"key":"%s","session":"%s","media":{"id":"%s","title":"Title of %s","duration":120},
               "events":[{"type":"impression"},{"type":"play"},{"type":"watch","from":0,"to":30}]}"""
                  .formatted(playerKey.key(), media + "-session", media, media));
      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(202);
      privateStrings.add("Title of " + media);
    }
    privateStrings.add(account.productionApiKey().key().id());
    privateStrings.add(account.sandboxApiKey().key().id());
    privateStrings.add(account.productionPlayerKey().key());
    privateStrings.add(account.sandboxPlayerKey().key());

    Map<String, String> production = new LinkedHashMap<>();
    production.put("owner (Basic)", basic(owner, PASSWORD));
    production.put("member (Basic)", basic(member, PASSWORD));
    production.put(
        "production API key (Basic key:)", basic(account.productionApiKey().secret(), ""));
    production.put("production API key (Bearer)", bearer(account.productionApiKey().secret()));
    production.put(
        "production API key (Basic api:key)", basic("api", account.productionApiKey().secret()));
    production.put(
        "production access token", bearer(accessToken(account.productionApiKey().secret())));
    production.put("production player key (Basic)", basic(account.productionPlayerKey().key(), ""));
    Map<String, String> sandbox = new LinkedHashMap<>();
    sandbox.put("sandbox API key (Basic key:)", basic(account.sandboxApiKey().secret(), ""));
    sandbox.put("sandbox API key (Bearer)", bearer(account.sandboxApiKey().secret()));
    sandbox.put("sandbox access token", bearer(accessToken(account.sandboxApiKey().secret())));
    sandbox.put("sandbox player key (Basic)", basic(account.sandboxPlayerKey().key(), ""));
    return new Tenant(key, production, sandbox, privateStrings);
  }

  private static String accessToken(String apiKey) throws Exception {
    HttpResponse<String> response =
        server.send("POST", "/auth/api-key", null, "{\"apiKey\":\"" + apiKey + "\"}");
    return JSON.readTree(response.body()).path("access_token").asText();
  }

  /** Every read endpoint that exists, for the account {@code key}. */
  private static List<String> readEndpoints(String key) {
    String media = key + "-production-video";
    String sandboxMedia = key + "-sandbox-video";
    return List.of(
        "/admin/v1/accounts/" + key,
        "/admin/v1/accounts/" + key + "/users",
        "/admin/v1/accounts/" + key + "/keys",
        "/admin/v1/accounts/" + key + "/media",
        "/admin/v1/accounts/" + key + "/media?environment=sandbox",
        "/admin/v1/accounts/" + key + "/media/" + media,
        "/admin/v1/accounts/" + key + "/media/" + sandboxMedia + "?environment=sandbox",
        // The data routes of both APIs (their issues add them) sit behind the same guards.
        // A fixed timeframe: the default one moves with the clock between two calls.
        "/data/metrics/play/count?from=" + FROM + "&to=" + TO + "&filterBy[mediaId]=" + media,
        "/data/metrics/impression/count?from=" + FROM + "&to=" + TO,
        "/data/buckets/play/media-id?from=" + FROM + "&to=" + TO,
        "/data/metrics/play/total?from=" + FROM + "&to=" + TO + "&filterBy[mediaId]=" + media,
        "/data/buckets/play-total/media-id?from=" + FROM + "&to=" + TO,
        "/data/buckets/ccv-peak/media-id?from=" + FROM + "&to=" + TO,
        "/data/timeseries/play?from=" + FROM + "&to=" + TO, // (links echo the query: no filter)
        "/stats/medias/" + media + "/events.csv",
        "/v1/stats/medias/" + media + ".json");
  }

  @Test
  void noCredentialOfOneAccountReadsAnythingOfTheOther() {
    SoftAssertions softly = new SoftAssertions();
    for (Tenant victim : TENANTS.values()) {
      for (Tenant attacker : TENANTS.values()) {
        if (attacker == victim) {
          continue;
        }
        Map<String, String> credentials = new LinkedHashMap<>(attacker.credentials());
        credentials.putAll(attacker.sandboxCredentials());
        for (Map.Entry<String, String> credential : credentials.entrySet()) {
          for (String path : readEndpoints(victim.key())) {
            HttpResponse<String> response = server.get(path, credential.getValue());
            String label = attacker.key() + " " + credential.getKey() + " GET " + path;
            if (path.startsWith("/admin/")) {
              softly.assertThat(response.statusCode()).as(label).isBetween(400, 499);
            }
            for (String secret : victim.privateStrings()) {
              softly.assertThat(response.body()).as(label).doesNotContain(secret);
            }
            // The victim's resources answer exactly as missing ones: existence does not leak.
            String missing = path.replace(victim.key(), "nosuch");
            HttpResponse<String> absent = server.get(missing, credential.getValue());
            softly.assertThat(response.statusCode()).as(label).isEqualTo(absent.statusCode());
            softly
                .assertThat(response.body().replace(victim.key(), "nosuch"))
                .as(label)
                .isEqualTo(absent.body());
          }
        }
      }
    }
    softly.assertAll();
  }

  /**
   * The control: the same endpoints answer their own owner, so the refusals above mean something.
   */
  @Test
  void theOwnersOwnCredentialReadsEveryAdminEndpoint() {
    for (Tenant tenant : TENANTS.values()) {
      for (String path : readEndpoints(tenant.key())) {
        if (!path.startsWith("/admin/")) {
          continue;
        }
        HttpResponse<String> response = server.get(path, tenant.credentials().get("owner (Basic)"));

        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(tenant.privateStrings()).as(path).anyMatch(response.body()::contains);
      }
    }
  }

  /** The control for the data rows: each account's own key counts its own plays. */
  @Test
  void eachAccountsOwnKeysCountItsOwnPlaysInTheirEnvironment() throws Exception {
    for (Tenant tenant : TENANTS.values()) {
      String media = tenant.key() + "-production-video";
      String path = "/data/metrics/play/count?from=" + FROM + "&to=" + TO;
      HttpResponse<String> own =
          server.get(
              path + "&filterBy[mediaId]=" + media,
              tenant.credentials().get("production API key (Basic key:)"));
      HttpResponse<String> sandbox =
          server.get(path, tenant.sandboxCredentials().get("sandbox API key (Basic key:)"));
      HttpResponse<String> production =
          server.get(path, tenant.credentials().get("production access token"));

      assertThat(JSON.readTree(own.body()).path("data").asLong()).isEqualTo(1);
      assertThat(JSON.readTree(sandbox.body()).path("data").asLong()).isEqualTo(1);
      assertThat(JSON.readTree(production.body()).path("data").asLong()).isEqualTo(1);
    }
  }

  @Test
  void theAccountListShowsAnOwnerOnlyTheirOwnAccount() {
    for (Tenant tenant : TENANTS.values()) {
      HttpResponse<String> response =
          server.get("/admin/v1/accounts", tenant.credentials().get("owner (Basic)"));

      assertThat(response.statusCode()).isEqualTo(200);
      for (Tenant other : TENANTS.values()) {
        if (other != tenant) {
          other
              .privateStrings()
              .forEach(secret -> assertThat(response.body()).doesNotContain(secret));
          assertThat(response.body()).doesNotContain("\"" + other.key() + "\"");
        }
      }
      assertThat(response.body()).contains("\"" + tenant.key() + "\"");
    }
  }

  @Test
  void eachEnvironmentKeepsItsOwnDataAndMedia() throws Exception {
    for (Tenant tenant : TENANTS.values()) {
      String owner = tenant.credentials().get("owner (Basic)");
      String production = server.get("/admin/v1/accounts/" + tenant.key() + "/media", owner).body();
      String sandbox =
          server
              .get("/admin/v1/accounts/" + tenant.key() + "/media?environment=sandbox", owner)
              .body();

      assertThat(production)
          .contains(tenant.key() + "-production-video")
          .doesNotContain(tenant.key() + "-sandbox-video");
      assertThat(sandbox)
          .contains(tenant.key() + "-sandbox-video")
          .doesNotContain(tenant.key() + "-production-video");
      assertThat(
              server
                  .get(
                      "/admin/v1/accounts/"
                          + tenant.key()
                          + "/media/"
                          + tenant.key()
                          + "-sandbox-video",
                      owner)
                  .statusCode())
          .isEqualTo(404);
    }
    assertThat(
            server.query(
                "SELECT account, environment, media_id, count(*) AS events FROM event_details"
                    + " WHERE account IN ('alpha', 'beta')"
                    + " GROUP BY ALL ORDER BY account, environment"))
        .extracting(
            row ->
                row.get("account")
                    + "/"
                    + row.get("environment")
                    + "/"
                    + row.get("media_id")
                    + "="
                    + row.get("events"))
        .containsExactly(
            "alpha/production/alpha-production-video=3",
            "alpha/sandbox/alpha-sandbox-video=3",
            "beta/production/beta-production-video=3",
            "beta/sandbox/beta-sandbox-video=3");
  }

  @Test
  void membersAndApiKeysCannotAdministerEvenTheirOwnAccount() {
    Tenant tenant = TENANTS.get("alpha");
    for (String name :
        List.of("member (Basic)", "production API key (Basic key:)", "production access token")) {
      HttpResponse<String> response =
          server.get("/admin/v1/accounts/alpha/keys", tenant.credentials().get(name));

      assertThat(response.statusCode()).as(name).isIn(401, 403);
      tenant.privateStrings().stream()
          .filter(secret -> secret.startsWith("key_") || secret.startsWith("pk_"))
          .forEach(secret -> assertThat(response.body()).as(name).doesNotContain(secret));
    }
  }
}
