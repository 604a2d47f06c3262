package io.playlens.api.apivideo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.MutableClock;
import io.playlens.TestServer;
import io.playlens.account.AccountAdmin;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * api.video's official Node.js client ({@code @api.video/nodejs-client}, pinned in {@code
 * clients/apivideo-node}) pointed at a real Playlens server: it authenticates with an API key,
 * calls getAggregatedMetrics, getMetricsBreakdown and getMetricsOverTime, and gets the numbers
 * worked out by hand below.
 */
class OfficialNodeClientTest {
  private static final Path CLIENT = Path.of("clients", "apivideo-node");
  private static final String FIREFOX =
      "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  @TempDir static Path dataDir;

  private static TestServer server;
  private static AccountAdmin.NewAccount tenant;

  /**
   * 09:00-12:00 UTC on 2026-11-20:
   *
   * <pre>
   * s1 GB chrome  impression, play 10:15, watch 0-10, end
   * s2 FR firefox impression, play 10:40, watch 0-4
   * s3 FR firefox impression 11:05
   * s4 GB chrome  impression, play 11:20, watch 0-5 (s1's viewer: same user agent and IP)
   * </pre>
   */
  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            dataDir,
            config -> config.trustedProxies(List.of("127.0.0.1/32", "::1/128")),
            new MutableClock(NOW));
    tenant = server.createAccount("nodeclient", "node client password");
    send("s1", TestServer.BROWSER, "81.2.69.142", "10:15", "impression", "play", watch(10), "end");
    send("s2", FIREFOX, "90.85.0.1", "10:40", "impression", "play", watch(4));
    send("s3", FIREFOX, "90.85.0.1", "11:05", "impression");
    send("s4", TestServer.BROWSER, "81.2.69.142", "11:20", "impression", "play", watch(5));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String watch(int seconds) {
    return "{\"type\":\"watch\",\"from\":0,\"to\":" + seconds + "}";
  }

  private static void send(
      String session, String userAgent, String ip, String time, String... events) {
    Instant at = Instant.parse("2026-11-20T" + time + ":00Z");
    StringBuilder list = new StringBuilder();
    for (String event : events) {
      String json = event.startsWith("{") ? event : "{\"type\":\"" + event + "\"}";
      list.append(list.isEmpty() ? "" : ",")
          .append(json, 0, json.length() - 1)
          .append(",\"at\":\"")
          .append(at)
          .append("\"}");
    }
    String body =
        "{\"key\":\"%s\",\"session\":\"%s\",\"sentAt\":\"%s\",\"media\":{\"id\":\"intro\"},\"events\":[%s]}"
            .formatted(tenant.productionPlayerKey().key(), session, NOW, list);
    HttpResponse<String> response =
        server.collect(body, "X-Forwarded-For", ip, "User-Agent", userAgent);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  /** Runs the client script and returns what it printed. */
  private static JsonNode runClient() throws IOException, InterruptedException {
    assertThat(CLIENT.resolve("node_modules/@api.video/nodejs-client"))
        .as("installed by the Maven build (npm ci in clients/apivideo-node)")
        .isDirectory();
    String base = server.uri("").toString().replaceAll("/$", "");
    Path out = Files.createTempFile(dataDir, "client", ".json");
    Path err = Files.createTempFile(dataDir, "client", ".err");
    Process process =
        new ProcessBuilder(
                "node",
                "call.mjs",
                base,
                tenant.productionApiKey().secret(),
                "2026-11-20T09:00:00Z",
                "2026-11-20T12:00:00Z")
            .directory(CLIENT.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the client finished").isTrue();
    assertThat(process.exitValue()).as(Files.readString(err, StandardCharsets.UTF_8)).isZero();
    return new ObjectMapper().readTree(out.toFile());
  }

  @Test
  void theOfficialClientGetsTheExpectedNumbers() throws Exception {
    JsonNode out = runClient();

    JsonNode plays = out.path("plays");
    assertThat(plays.path("data").asLong()).isEqualTo(3);
    assertThat(plays.path("context").path("metric").asText()).isEqualTo("play");
    assertThat(plays.path("context").path("timeframe").path("from").asText())
        .isEqualTo("2026-11-20T09:00:00.000Z"); // the client parsed it into a Date
    assertThat(out.path("playsInFrance").path("data").asLong()).isEqualTo(1);
    assertThat(out.path("playRate").path("data").asDouble()).isEqualTo(0.75);
    // Views of 3 s: s1, s2, s4; s1 and s4 are one viewer on one day.
    assertThat(out.path("uniqueViews").path("data").asLong()).isEqualTo(2);
    assertThat(out.path("uniqueViews").path("context").path("metric").asText())
        .isEqualTo("unique-view-3");
    assertThat(out.path("watchTime").path("data").asDouble()).isEqualTo(19);
    assertThat(out.path("playTotal").path("data").asLong()).isEqualTo(3);

    assertThat(out.path("playsByCountry").path("data").toString())
        .isEqualTo(
            "[{\"dimensionValue\":\"FR\",\"metricValue\":1},"
                + "{\"dimensionValue\":\"GB\",\"metricValue\":2}]");
    JsonNode page2 = out.path("impressionsByBrowserPage2");
    assertThat(page2.path("data").toString())
        .isEqualTo("[{\"dimensionValue\":\"firefox\",\"metricValue\":2}]");
    assertThat(page2.path("pagination").path("pagesTotal").asInt()).isEqualTo(2);
    assertThat(page2.path("pagination").path("currentPage").asInt()).isEqualTo(2);

    JsonNode overTime = out.path("playsOverTime");
    assertThat(overTime.path("context").path("interval").asText()).isEqualTo("hour");
    assertThat(overTime.path("data").toString())
        .isEqualTo(
            "[{\"emittedAt\":\"2026-11-20T09:00:00+00:00\",\"metricValue\":0},"
                + "{\"emittedAt\":\"2026-11-20T10:00:00+00:00\",\"metricValue\":2},"
                + "{\"emittedAt\":\"2026-11-20T11:00:00+00:00\",\"metricValue\":1}]");

    JsonNode refused = out.path("badInterval");
    assertThat(refused.path("status").asInt()).isEqualTo(400);
    assertThat(refused.path("problem").path("detail").asText())
        .isEqualTo("This interval cannot be used with a timeframe over 60 minutes.");
  }
}
