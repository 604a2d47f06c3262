package io.playlens.api.wistia;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.TestServer;
import io.playlens.account.Environment;
import io.playlens.account.Media;
import io.playlens.store.duckdb.DuckDbEventStore;
import io.playlens.store.duckdb.SessionRollup;
import io.playlens.store.sql.SqlMetadataStore;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limit=all} streams: a million views come out of a server process whose heap (256 MB, the
 * user-agent parser taking much of it) could not hold them, every one of them, in order.
 */
class ExportStreamingTest {
  private static final int VIEWS = 1_000_000;

  @Test
  void aMillionViewsStreamThroughASmallHeap(@TempDir Path dataDir) throws Exception {
    TestServer.seed(dataDir);
    try (DuckDbEventStore store = DuckDbEventStore.open(dataDir, 1, "512MB")) {
      new SqlMetadataStore(store::readConnection)
          .registerMedia(
              new Media(
                  "acme",
                  Environment.PRODUCTION,
                  "big",
                  "Big",
                  600.0,
                  Media.Type.VIDEO,
                  List.of(),
                  Instant.parse("2026-11-01T00:00:00Z")));
      try (Connection connection = store.readConnection();
          Statement statement = connection.createStatement()) {
        // Session rows as the sealer writes them, one a second back from now, each watched for
        // i % 600 seconds of the 600.
        statement.execute(
            "INSERT INTO session_rollup ("
                + SessionRollup.COLUMNS
                + ") SELECT 'acme', 'production', 'session-' || i, 'viewer-' || (i % 50000),"
                + " 'big', 'video', 'Big', 600.0, [], 'https://www.example.com/watch', NULL,"
                + " CASE WHEN i % 10 = 0 THEN 'viewer' || i || '@example.com' END,"
                + " '81.2.69.' || (i % 250), 'GB', 'England', 'London', 51.5143, -0.0912, 'EU',"
                + " 'Andrews & Arnold Ltd', 'computer', 'windows', 'chrome', 'Mozilla/5.0',"
                + " '10', '131.0', t, t, t, t, t, NULL, 900,"
                + " [{'f': 0.0, 't': (i % 600)::DOUBLE}], (i % 600)::DOUBLE, [], 5, []"
                + " FROM (SELECT i, (now() AT TIME ZONE 'UTC') - to_seconds(i + 60) AS t"
                + " FROM range("
                + VIEWS
                + ") r(i))");
      }
    }
    try (TestServer.ServeProcess server =
        TestServer.serve(
            List.of("-Xmx256m"),
            "serve",
            "--data",
            dataDir.toString(),
            "--port",
            "0",
            "--geo-dir",
            dataDir.resolve("no-geo").toString())) {
      int port = server.port();
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + port + "/stats/medias/big/events.csv?limit=all"))
              .header("Authorization", TestServer.basic(TestServer.ACME_EMAIL, TestServer.PASSWORD))
              .build();
      long started = System.nanoTime();
      HttpResponse<InputStream> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      long rows = 0;
      String first = null;
      String last = null;
      try (BufferedReader body =
          new BufferedReader(
              new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16)) {
        String line;
        while ((line = body.readLine()) != null) {
          if (rows == 1) {
            first = line;
          }
          last = line;
          rows++;
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "streamed %,d views in %.1f s (%,.0f rows/s) through a 256 MB heap%n",
          rows - 1, seconds, (rows - 1) / seconds);
      assertThat(rows).isEqualTo(VIEWS + 1); // the header and every view
      assertThat(first).contains(",session-0,"); // the newest first
      assertThat(last).contains(",session-" + (VIEWS - 1) + ",");
      assertThat(server.process().isAlive()).isTrue();
    }
  }
}
