package io.playlens.account;

import static io.playlens.TestServer.basic;
import static io.playlens.TestServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-credential limits per clock minute, on a clock the test moves (no sleeping). */
class RateLimitTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API_VIDEO_PATH = "/data/metrics/play/count";

  @TempDir Path dataDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:15Z"));
  private TestServer server;
  private AccountAdmin.NewAccount tenant;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir, config -> config.readsPerMinute(3, 2), clock);
    tenant = server.createAccount("tenant", "s3cret-enough");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  @Test
  void everyResponseCarriesTheLimitWhatRemainsAndWhenTheWindowResets() {
    String production = basic(tenant.productionApiKey().secret(), "");
    for (int remaining = 2; remaining >= 0; remaining--) {
      HttpResponse<String> response = server.get(API_VIDEO_PATH, production);

      assertThat(header(response, "X-RateLimit-Limit")).isEqualTo("3");
      assertThat(header(response, "X-RateLimit-Remaining")).isEqualTo(Integer.toString(remaining));
      // 10:00:15 first, one second later each time: the window ends at 10:01:00.
      assertThat(header(response, "X-RateLimit-Retry-After"))
          .isEqualTo(Integer.toString(45 - (2 - remaining)));
      clock.advance(Duration.ofSeconds(1));
    }
  }

  @Test
  void overTheLimitIs429InApiVideosShapeUntilTheNextMinute() throws Exception {
    String production = basic(tenant.productionApiKey().secret(), "");
    for (int i = 0; i < 3; i++) {
      assertThat(server.get(API_VIDEO_PATH, production).statusCode()).isEqualTo(200);
    }
    clock.advance(Duration.ofSeconds(20));

    HttpResponse<String> limited = server.get(API_VIDEO_PATH, production);

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"https://docs.api.video/reference/too-many-requests\","
                    + "\"title\":\"Too many requests.\",\"status\":429}"));
    assertThat(header(limited, "X-RateLimit-Limit")).isEqualTo("3");
    assertThat(header(limited, "X-RateLimit-Remaining")).isEqualTo("0");
    assertThat(header(limited, "X-RateLimit-Retry-After")).isEqualTo("25");

    clock.advance(Duration.ofSeconds(25));
    HttpResponse<String> nextMinute = server.get(API_VIDEO_PATH, production);
    assertThat(nextMinute.statusCode()).isEqualTo(200);
    assertThat(header(nextMinute, "X-RateLimit-Remaining")).isEqualTo("2");
    assertThat(header(nextMinute, "X-RateLimit-Retry-After")).isEqualTo("60");
  }

  @Test
  void theSandboxHasItsOwnLowerLimitAndEachCredentialItsOwnBudget() throws Exception {
    String sandbox = basic(tenant.sandboxApiKey().secret(), "");
    assertThat(header(server.get(API_VIDEO_PATH, sandbox), "X-RateLimit-Limit")).isEqualTo("2");
    server.get(API_VIDEO_PATH, sandbox);
    assertThat(server.get(API_VIDEO_PATH, sandbox).statusCode()).isEqualTo(429);

    // Another credential of the same account is counted on its own.
    HttpResponse<String> production =
        server.get(API_VIDEO_PATH, basic(tenant.productionApiKey().secret(), ""));
    assertThat(production.statusCode()).isEqualTo(200);
    assertThat(header(production, "X-RateLimit-Remaining")).isEqualTo("2");
  }

  @Test
  void wistiaRoutesAreLimitedTooAndAnswer429InWistiasShape() throws Exception {
    String token = bearer(tenant.productionApiKey().secret());
    for (int i = 0; i < 3; i++) {
      server.get("/stats/medias/abc/events.json", token);
    }

    HttpResponse<String> limited = server.get("/stats/medias/abc/events.json", token);

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(limited.body()).fieldNames()).toIterable().containsExactly("error");
    assertThat(header(limited, "X-RateLimit-Retry-After")).isEqualTo("45");
  }
}
