package io.playlens.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.playlens.ClickHouseServer;
import io.playlens.PostgresServer;
import io.playlens.ServerProcess;
import io.playlens.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code playlens serve} processes sharing ClickHouse (events) and PostgreSQL (accounts), as
 * behind a load balancer: what one node acknowledges the other counts at once, a key revoked on one
 * is refused by the other, and when one is killed the other goes on collecting and answering, and
 * nothing acknowledged is lost.
 */
class MultiNodeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String PASSWORD = "pass phrase 12345";

  @TempDir Path dirA;
  @TempDir Path dirB;

  @Test
  void nodesShareEventsAndAccountsAndSurviveEachOther() throws Exception {
    String events = ClickHouseServer.get().newDatabase();
    String accounts = PostgresServer.get().newDatabase();
    TestServer.CliResult created =
        TestServer.runCli(
            "account",
            "create",
            "--metadata",
            accounts,
            "--key",
            "nodes",
            "--name",
            "Nodes",
            "--email",
            "owner@nodes.test",
            "--password",
            PASSWORD,
            "--json");
    assertThat(created.exit()).as(created.err()).isZero();
    JsonNode keys = JSON.readTree(created.out());
    String apiKey = keys.path("productionApiKey").asText();
    String playerKey = keys.path("productionPlayerKey").asText();
    String[] cluster = {"--store", events, "--metadata", accounts};
    ServerProcess a = start(dirA, cluster);
    try (ServerProcess b = start(dirB, cluster)) {
      // 1. acknowledged by A, counted by B within a second
      assertThat(collect(a, playerKey, "first")).isEqualTo(3);
      long acknowledged = System.nanoTime();
      long plays;
      do {
        plays = plays(b, apiKey);
      } while (plays < 1 && System.nanoTime() - acknowledged < 5_000_000_000L);
      long millis = (System.nanoTime() - acknowledged) / 1_000_000;
      assertThat(plays).isEqualTo(1);
      assertThat(millis).as("ms until node B counted node A's play").isLessThan(1_000);

      // 2. a key revoked on A is refused by B (its credential cache lives 2 s)
      JsonNode key = createApiKey(a);
      String spare = key.path("key").asText();
      assertThat(status(b, "/data/metrics/play/count", TestServer.basic(spare, ""))).isEqualTo(200);
      revoke(a, key.path("id").asText());
      long revoked = System.nanoTime();
      int status;
      do {
        Thread.sleep(100);
        status = status(b, "/data/metrics/play/count", TestServer.basic(spare, ""));
      } while (status == 200 && System.nanoTime() - revoked < 10_000_000_000L);
      long refusedAfter = (System.nanoTime() - revoked) / 1_000_000;
      assertThat(status).isEqualTo(401);
      assertThat(refusedAfter).isLessThan(3_000);
      System.out.printf(
          "multi-node: B counted A's play %d ms after A's 202; B refused a key revoked on A after"
              + " %d ms%n",
          millis, refusedAfter);

      // 3. A is killed while both take traffic; B goes on; every acknowledged session is kept
      Set<String> acked = ConcurrentHashMap.newKeySet();
      acked.add("first");
      AtomicBoolean running = new AtomicBoolean(true);
      ExecutorService senders = Executors.newFixedThreadPool(4);
      List<Future<?>> work = new ArrayList<>();
      for (ServerProcess node : List.of(a, b, a, b)) {
        work.add(
            senders.submit(
                () -> {
                  while (running.get()) {
                    String session = UUID.randomUUID().toString();
                    try {
                      if (collect(node, playerKey, session) == 3) {
                        acked.add(session);
                      }
                    } catch (Exception e) {
                      // the killed node refuses connections: not acknowledged, so not counted
                    }
                  }
                  return null;
                }));
      }
      Thread.sleep(1_000);
      a.kill();
      int ackedAtKill = acked.size();
      long killed = System.nanoTime();
      while (acked.size() < ackedAtKill + 3 && System.nanoTime() - killed < 15_000_000_000L) {
        Thread.sleep(100);
      }
      assertThat(acked.size())
          .as("node B kept acknowledging")
          .isGreaterThanOrEqualTo(ackedAtKill + 3);
      assertThat(plays(b, apiKey)).isGreaterThan(1);
      running.set(false);
      for (Future<?> done : work) {
        done.get();
      }
      senders.shutdown();

      // 4. A restarts; everything acknowledged by either node is stored, counted by both
      a = start(dirA, cluster);
      Set<String> stored = new HashSet<>(storedSessions(events));
      assertThat(stored).containsAll(acked);
      long expected = plays(b, apiKey);
      assertThat(expected).isGreaterThanOrEqualTo(acked.size());
      assertThat(plays(a, apiKey)).isEqualTo(expected);
      System.out.printf(
          "multi-node: %d sessions acknowledged (%d before A was killed), %d stored, %d plays"
              + " counted by both nodes%n",
          acked.size(), ackedAtKill, stored.size(), expected);
    } finally {
      a.close();
    }
  }

  private static ServerProcess start(Path dir, String[] cluster) throws Exception {
    List<String> args = new ArrayList<>(List.of(cluster));
    args.addAll(List.of("--geo-dir", TestServer.dbIpGeoDir(dir).toString()));
    return ServerProcess.start(dir, 0, args.toArray(String[]::new));
  }

  /** Sends a session of three events; returns how many the node acknowledged as stored. */
  private static int collect(ServerProcess node, String playerKey, String session)
      throws Exception {
    Instant now = Instant.now();
    String body =
        "{\"key\":\""
            + playerKey
            + "\",\"session\":\""
            + session
            + "\",\"viewer\":\"v-"
            + session
            + "\",\"media\":{\"id\":\"cluster-video\",\"duration\":60},\"events\":["
            + "{\"type\":\"impression\",\"at\":\""
            + now.minusSeconds(3)
            + "\"},{\"type\":\"play\",\"at\":\""
            + now.minusSeconds(2)
            + "\",\"position\":0},{\"type\":\"watch\",\"at\":\""
            + now
            + "\",\"from\":0,\"to\":2}]}";
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(node.uri("/v1/collect"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("User-Agent", TestServer.BROWSER)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 202
        ? JSON.readTree(response.body()).path("accepted").asInt()
        : -response.statusCode();
  }

  private static long plays(ServerProcess node, String apiKey) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(node.uri("/data/metrics/play/count"))
                .header("Authorization", TestServer.basic(apiKey, ""))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("data").asLong();
  }

  private static int status(ServerProcess node, String path, String authorization)
      throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(node.uri(path)).header("Authorization", authorization).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String owner() {
    return TestServer.basic("owner@nodes.test", PASSWORD);
  }

  private static JsonNode createApiKey(ServerProcess node) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(node.uri("/admin/v1/accounts/nodes/keys"))
                .header("Authorization", owner())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"api\",\"environment\":\"production\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return JSON.readTree(response.body());
  }

  private static void revoke(ServerProcess node, String id) throws Exception {
    HttpResponse<String> revoked =
        HTTP.send(
            HttpRequest.newBuilder(node.uri("/admin/v1/accounts/nodes/keys/" + id))
                .header("Authorization", owner())
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(revoked.statusCode()).as(revoked.body()).isIn(200, 204);
  }

  /** Session ids in the shared ClickHouse, read over its own HTTP interface. */
  private static List<String> storedSessions(String url) {
    return ClickHouseServer.get()
        .sql(url, "SELECT DISTINCT session_id FROM events FORMAT TSV")
        .lines()
        .toList();
  }
}
