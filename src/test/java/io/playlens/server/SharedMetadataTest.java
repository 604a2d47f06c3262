package io.playlens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.PostgresServer;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers sharing accounts in PostgreSQL ({@code --metadata postgresql://...}), each with its
 * own events: what one node's administration does, the other honours.
 */
class SharedMetadataTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METRICS = "/data/metrics/play/count";

  @TempDir Path dirA;
  @TempDir Path dirB;
  private TestServer a;
  private TestServer b;

  @BeforeEach
  void start() {
    String url = PostgresServer.get().newDatabase();
    a = TestServer.start(dirA, config -> config.metadataUrl(url));
    b = TestServer.start(dirB, config -> config.metadataUrl(url));
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  @Test
  void anAccountMadeOnOneNodeWorksOnTheOther() throws Exception {
    AccountAdmin.NewAccount account = a.createAccount("nodes", "pass phrase 12345");
    String apiKey = account.productionApiKey().secret();

    // an API key, and an access token signed by node A, work on node B
    assertThat(b.get(METRICS, TestServer.basic(apiKey, "")).statusCode()).isEqualTo(200);
    HttpResponse<String> tokens =
        a.send("POST", "/auth/api-key", null, "{\"apiKey\":\"" + apiKey + "\"}");
    assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
    String access = JSON.readTree(tokens.body()).path("access_token").asText();
    assertThat(b.get(METRICS, TestServer.bearer(access)).statusCode()).isEqualTo(200);
    // the Wistia routes' email and password
    assertThat(
            b.get(
                    "/v1/stats/account.json",
                    TestServer.basic("owner@nodes.test", "pass phrase 12345"))
                .statusCode())
        .isEqualTo(200);

    // node B collects with the player key made on A
    String session = java.util.UUID.randomUUID().toString();
    HttpResponse<String> collected =
        b.collect(
            "{\"key\":\""
                + account.productionPlayerKey().key()
                + "\",\"session\":\""
                + session
                + "\",\"viewer\":\"v1\",\"media\":{\"id\":\"shared-1\",\"duration\":60},"
                + "\"events\":[{\"type\":\"impression\",\"at\":\""
                + Instant.now()
                + "\"},{\"type\":\"play\",\"at\":\""
                + Instant.now()
                + "\",\"position\":0}]}",
            "User-Agent",
            TestServer.BROWSER);
    assertThat(collected.statusCode()).as(collected.body()).isEqualTo(202);
    // the media it registered is in the shared store, seen from A
    assertThat(
            a.server()
                .metadata()
                .media("nodes", io.playlens.account.Environment.PRODUCTION, "shared-1"))
        .isPresent();
    JsonNode plays = JSON.readTree(b.get(METRICS, TestServer.basic(apiKey, "")).body());
    assertThat(plays.path("data").asLong()).isEqualTo(1);
  }

  @Test
  void aKeyRevokedOnOneNodeIsRefusedByTheOtherWithinTheCacheLifetime() throws Exception {
    AccountAdmin.NewAccount account = a.createAccount("revoked", "pass phrase 12345");
    String apiKey = account.productionApiKey().secret();
    assertThat(b.get(METRICS, TestServer.basic(apiKey, "")).statusCode()).isEqualTo(200);

    a.server().admin().revokeKey("revoked", account.productionApiKey().key().id());
    long revokedAt = System.nanoTime();
    // node A forgets at once; node B's credential cache lives 2 s
    assertThat(a.get(METRICS, TestServer.basic(apiKey, "")).statusCode()).isEqualTo(401);
    int status;
    do {
      Thread.sleep(100);
      status = b.get(METRICS, TestServer.basic(apiKey, "")).statusCode();
    } while (status == 200 && System.nanoTime() - revokedAt < 10_000_000_000L);
    long millis = (System.nanoTime() - revokedAt) / 1_000_000;
    assertThat(status).isEqualTo(401);
    assertThat(millis).as("ms until node B refused the key").isLessThan(3_000);
  }

  @Test
  void healthReportsTheMetadataDatabase() throws Exception {
    HttpResponse<String> health = b.get("/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
  }
}
