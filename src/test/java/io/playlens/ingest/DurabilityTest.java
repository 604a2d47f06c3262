package io.playlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.playlens.ServerProcess;
import io.playlens.TestServer;
import io.playlens.store.duckdb.DuckDbEventStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2xx means durable: a server process killed with SIGKILL while clients send batches keeps every
 * batch it acknowledged.
 */
class DurabilityTest {
  private static final int EVENTS_PER_BATCH = 10;
  private static final int BEACONS_PER_SESSION = 3;

  @TempDir Path dataDir;

  @Test
  void everyAcknowledgedBatchSurvivesSigkill() throws Exception {
    TestServer.seed(dataDir);
    ServerProcess server = ServerProcess.start(dataDir, 0);
    int port = server.port();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean sending = new AtomicBoolean(true);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < 8; c++) {
        AtomicReference<String> current = new AtomicReference<>();
        clients.submit(
            () -> {
              // Sessions send several beacons, as heartbeats do: later ones refer to the context
              // row the first one stored.
              for (long n = 0; sending.get(); n++) {
                String session = n % BEACONS_PER_SESSION == 0 ? UUID.randomUUID().toString() : null;
                if (session != null) {
                  current.set(session);
                }
                String batchId = current.get() + "/" + (n % BEACONS_PER_SESSION);
                try {
                  HttpResponse<String> response =
                      http.send(
                          batch(port, current.get(), (int) (n % BEACONS_PER_SESSION)),
                          HttpResponse.BodyHandlers.ofString());
                  if (response.statusCode() == 202) {
                    acknowledged.add(batchId);
                  }
                } catch (IOException e) {
                  // The server is gone: this batch was never acknowledged.
                }
              }
              return null;
            });
      }
      waitUntil(() -> acknowledged.size() >= 300, Duration.ofSeconds(30));
      server.kill(); // SIGKILL: no shutdown hook, no final commit
      sending.set(false);
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(300);

    // The server starts again on the crashed store and reports healthy.
    ServerProcess.start(dataDir, port).stop(); // SIGTERM: a clean stop

    Map<String, Long> stored = new HashMap<>();
    long dangling;
    try (DuckDbEventStore store = DuckDbEventStore.open(dataDir, 1, "512MB");
        Connection connection = store.readConnection();
        Statement statement = connection.createStatement()) {
      // A batch is identified by its session and the interval its events cover.
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT session_id || '/' || CAST(floor(from_position / 100) AS INTEGER), count(*) "
                  + "FROM event_details GROUP BY 1")) {
        while (rows.next()) {
          stored.put(rows.getString(1), rows.getLong(2));
        }
      }
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT count(*) FROM events e LEFT JOIN contexts c ON c.context_id = e.context_id "
                  + "WHERE c.context_id IS NULL")) {
        rows.next();
        dangling = rows.getLong(1);
      }
    }
    assertThat(dangling).as("events whose context row is not stored").isZero();
    List<String> missing = new ArrayList<>();
    for (String session : acknowledged) {
      if (stored.getOrDefault(session, 0L) != EVENTS_PER_BATCH) {
        missing.add(session + "=" + stored.getOrDefault(session, 0L));
      }
    }
    assertThat(missing).as("acknowledged but not (fully) stored").isEmpty();
  }

  /** Beacon {@code index} of a session covers media seconds [index*100, index*100+50). */
  private static HttpRequest batch(int port, String session, int index) {
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < EVENTS_PER_BATCH; i++) {
      events
          .append(i == 0 ? "" : ",")
          .append("{\"type\":\"watch\",\"from\":")
          .append(index * 100 + i * 5)
          .append(",\"to\":")
          .append(index * 100 + i * 5 + 5)
          .append('}');
    }
    String body =
        """
        {"key":"%s","session":"%s","media":{"id":"m1"},"events":[%s]}"""
            .formatted(TestServer.KEY, session, events);
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/collect"))
        .header("User-Agent", TestServer.BROWSER)
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitUntil(Condition condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
