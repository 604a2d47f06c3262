package io.playlens.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.ClickHouseServer;
import io.playlens.PostgresServer;
import io.playlens.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose ClickHouse stops taking writes: the collector answers 503 with Retry-After (never
 * 500), the health check says why, nothing stored before is lost, and all is well once ClickHouse
 * takes writes again.
 */
class ClickHouseOutageTest {
  @TempDir Path dir;

  @Test
  void writesRefusedByClickHouseAre503UntilItTakesThemAgain() throws Exception {
    String events = ClickHouseServer.get().newDatabase();
    try (TestServer server =
        TestServer.start(
            dir,
            config -> config.storeUrl(events).metadataUrl(PostgresServer.get().newDatabase()))) {
      assertThat(server.collect(beacon()).statusCode()).isEqualTo(202);
      long stored = server.server().store().countEvents();

      ClickHouseServer.get()
          .sql(events, "RENAME TABLE events TO events_away, store_probe TO probe_away");
      try {
        HttpResponse<String> refused = server.collect(beacon());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        HttpResponse<String> health = server.get("/healthz");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"unavailable\"").contains("ClickHouse");
      } finally {
        ClickHouseServer.get()
            .sql(events, "RENAME TABLE events_away TO events, probe_away TO store_probe");
      }

      assertThat(server.collect(beacon()).statusCode()).isEqualTo(202);
      assertThat(server.server().store().countEvents()).isEqualTo(stored + 2);
      String apiKey =
          server
              .server()
              .admin()
              .createApiKey("acme", io.playlens.account.Environment.PRODUCTION)
              .secret();
      HttpResponse<String> plays =
          server.get("/data/metrics/play/count", TestServer.basic(apiKey, ""));
      assertThat(plays.body()).contains("\"data\":2");
      long deadline = System.nanoTime() + 20_000_000_000L;
      int status;
      do {
        Thread.sleep(200);
        status = server.get("/healthz").statusCode();
      } while (status != 200 && System.nanoTime() < deadline);
      assertThat(status).isEqualTo(200);
    }
  }

  private static String beacon() {
    return "{\"key\":\""
        + TestServer.KEY
        + "\",\"session\":\""
        + UUID.randomUUID()
        + "\",\"viewer\":\"v1\",\"media\":{\"id\":\"m1\"},\"events\":[{\"type\":\"impression\","
        + "\"at\":\""
        + Instant.now()
        + "\"},{\"type\":\"play\",\"at\":\""
        + Instant.now()
        + "\",\"position\":0}]}";
  }
}
